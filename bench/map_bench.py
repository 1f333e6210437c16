"""Maps at a city's scale: the GeoJSON map endpoint over 100,000 placed issues, and giving
100,000 pins their community from the boundaries.

    .venv/bin/python bench/map_bench.py                      # SQLite, full size
    .venv/bin/python bench/map_bench.py --database postgres  # a throw-away PostgreSQL
    .venv/bin/python bench/map_bench.py --quick              # a tenth of the pins, short runs
    .venv/bin/python bench/map_bench.py --scale 0.3          # any fraction of the full size

Two measurements:

- ``endpoint``: a migrated database holds one published process with 100,000 issues pinned
  across a town of about 13 × 10 km (24 illustrative square communities; most pins around a
  few busy places, the rest anywhere; 2% withdrawn and 1% hidden, which no map shows). The
  production server set-up (gunicorn as in bench/run.py) answers
  ``GET /api/v1/processes/<slug>/map.geojson?bbox=…&zoom=14`` for boxes the size of the whole
  town, each moved a little as a resident pans (64 different boxes), at a steady 100 requests/s
  (open loop: a late or failed answer counts as infinitely slow), then the municipality-wide
  ``GET /api/v1/map.geojson`` the home page asks for the same way. Target: p95 < 50 ms, no
  errors. Each answer is clustered on the server (a GROUP BY on grid cells): its features and
  bytes are recorded, and the clusters' counts are checked to add up to the pins in the box.
- ``assign``: ``places.geo.communities_for`` gives 100,000 random pins in and around the town
  their community (an STRtree of the boundaries, shapely's vectorised predicates). Target:
  under 10 s. For comparison, one pin at a time with ``geo.community_at`` on a sample.

Writes bench/map_results.json (or --output). The machine is shared: the load average and the
other processes' CPU before each run are recorded.
"""

import argparse
import json
import os
import random
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import load_data  # noqa: E402
import loadgen  # noqa: E402
import run as pages_bench  # noqa: E402
import sqlalchemy as sa  # noqa: E402

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench")) / "map"  # noqa: S108
SLUG = "bench-map"
FULL_PINS = 100_000
RATE = 100
TARGET_P95_MS = 50
ASSIGN_TARGET_S = 10.0
SEED = 2569
# The illustrative town: 6 × 4 square communities of 0.02° (about 2.1 × 2.2 km) from here.
WEST, SOUTH, CELL, COLUMNS, ROWS = 98.88, 18.72, 0.02, 6, 4
EAST, NORTH = WEST + COLUMNS * CELL, SOUTH + ROWS * CELL
ZOOM = 14
BOXES = 64
DURATIONS = {"full": {"warmup": 5, "open": 30}, "quick": {"warmup": 3, "open": 10}}


def log(message):
    print(f"[map-bench] {message}", file=sys.stderr, flush=True)


def boundary(position):
    column, row = position % COLUMNS, position // COLUMNS
    west, south = WEST + column * CELL, SOUTH + row * CELL
    ring = [[west, south], [west + CELL, south], [west + CELL, south + CELL],
            [west, south + CELL], [west, south]]  # fmt: skip
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def random_pin(rng, hot):
    """(latitude, longitude): around a busy place (a market, a school) or anywhere in town."""
    if rng.random() < 0.6:
        lat, lng = rng.choice(hot)
        return (min(NORTH, max(SOUTH, rng.gauss(lat, 0.004))),
                min(EAST, max(WEST, rng.gauss(lng, 0.004))))  # fmt: skip
    return (SOUTH + rng.random() * (NORTH - SOUTH), WEST + rng.random() * (EAST - WEST))


def generate(pins):
    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    t0 = now - timedelta(days=60)
    from argon2 import PasswordHasher

    rows = {
        "users": [dict(
            id=1, email="facilitator@bench.ruamkid.test", display_name="ผู้ดำเนินเวที",
            password_hash=PasswordHasher().hash("bench-account-not-for-login"),
            preferred_language="th", privacy_consent_version=1, privacy_consent_dt=t0,
            last_login_dt=None, created_dt=t0, modified_dt=t0,
        )],
        "municipalities": [dict(
            id=1, name_th="เทศบาลทดลอง", name_en="Bench Town", province_th="เชียงใหม่",
            province_en="Chiang Mai", tagline_th="", tagline_en="", population=120_000,
            map_latitude=(SOUTH + NORTH) / 2, map_longitude=(WEST + EAST) / 2, map_zoom=ZOOM,
            created_dt=t0, modified_dt=t0,
        )],
        "areas": [dict(
            id=i + 1, municipality_id=1, slug=f"community-{i + 1}", name_th=f"ชุมชนที่ {i + 1}",
            name_en=f"Community {i + 1}", population=rng.randint(2000, 8000), position=i,
            boundary=boundary(i),
        ) for i in range(COLUMNS * ROWS)],
        "processes": [dict(
            id=1, slug=SLUG, title_th="แจ้งปัญหาในเมือง", title_en="Problems in town",
            summary_th="", summary_en="", description_th="", description_en="",
            cover_image=None, phase="reframe", is_published=True, max_supports=None,
            support_threshold=100, edit_window_minutes=1440, created_by_id=1, created_dt=t0,
            modified_dt=t0, reframe_start=t0.date(), reframe_end=(now + timedelta(days=60)).date(),
            reimagine_start=None, reimagine_end=None, remake_start=None, remake_end=None,
        )],
    }  # fmt: skip
    rows["process_areas"] = [dict(process_id=1, area_id=a["id"]) for a in rows["areas"]]
    hot = [random_pin(random.Random(n), [((SOUTH + NORTH) / 2, (WEST + EAST) / 2)])
           for n in range(12)]  # fmt: skip
    contributions, places = [], []
    for i in range(1, pins + 1):
        created = t0 + timedelta(seconds=rng.randint(0, 60 * 86400))
        lat, lng = random_pin(rng, hot)
        column = min(COLUMNS - 1, int((lng - WEST) / CELL))
        row = min(ROWS - 1, int((lat - SOUTH) / CELL))
        draw = rng.random()
        contributions.append(dict(
            id=i, process_id=1, kind="issue", author_id=1, title=f"ปัญหาที่ {i}", body="",
            body_html="", category_id=None, area_id=row * COLUMNS + column + 1,
            status="withdrawn" if draw < 0.02 else "open", support_count=0,
            affected_count=rng.randint(0, 30), comment_count=0, version=1, edited_dt=None,
            withdrawn_dt=created if draw < 0.02 else None, is_hidden=0.02 <= draw < 0.03,
            search_text="", created_dt=created, modified_dt=created,
        ))  # fmt: skip
        places.append(dict(contribution_id=i, latitude=round(lat, 6), longitude=round(lng, 6),
                           landmark=""))  # fmt: skip
    rows["contributions"] = contributions
    rows["contribution_places"] = places
    return rows


def build(database_url, instance, pins):
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    instance.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_data.migrate(database_url, instance)
    rows = generate(pins)
    load_data.ORDER = ["users", "municipalities", "areas", "processes", "process_areas",
                       "contributions", "contribution_places"]  # fmt: skip
    engine = sa.create_engine(database_url)
    writer = load_data.write_sqlite if engine.dialect.name == "sqlite" else load_data.write_postgres
    writer(engine, rows)
    engine.dispose()
    seconds = round(time.perf_counter() - started, 1)
    log(f"database ready in {seconds} s")
    return seconds


def boxes():
    """Town-sized boxes (the whole town and a margin), each panned a little."""
    rng = random.Random(SEED + 1)
    result = []
    for _ in range(BOXES):
        dx, dy = rng.uniform(-0.01, 0.01), rng.uniform(-0.008, 0.008)
        result.append(f"{WEST - 0.01 + dx:.5f},{SOUTH - 0.008 + dy:.5f},"
                      f"{EAST + 0.01 + dx:.5f},{NORTH + 0.008 + dy:.5f}")  # fmt: skip
    return result


def check_answer(port, path, database_url, box):
    """One answer looked at closely: its size, and its clusters' counts against the rows."""
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:  # noqa: S310
        body = response.read()
    seconds = time.perf_counter() - started
    data = json.loads(body)
    counted = sum(f["properties"]["count"] if f["properties"]["cluster"] else 1
                  for f in data["features"])  # fmt: skip
    west, south, east, north = (float(v) for v in box.split(","))
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT count(*) FROM contribution_places p JOIN contributions c ON c.id = "
            "p.contribution_id WHERE c.status = 'open' AND NOT c.is_hidden AND p.latitude "
            "BETWEEN :s AND :n AND p.longitude BETWEEN :w AND :e"),
            {"s": south, "n": north, "w": west, "e": east}).scalar()  # fmt: skip
    engine.dispose()
    return {
        "features": len(data["features"]),
        "clusters": sum(1 for f in data["features"] if f["properties"]["cluster"]),
        "bytes": len(body), "pins_counted": counted, "pins_in_rows": rows,
        "counts_equal_rows": counted == rows == data["total"],
        "single_request_ms": round(seconds * 1000, 1),
    }  # fmt: skip


def steady(port, pid, paths, duration):
    quiet = pages_bench.wait_until_quiet()
    load_before = os.getloadavg()
    server0 = pages_bench.tree_cpu(pid)
    result = loadgen.run_open("127.0.0.1", port, paths, RATE, duration, expect=b'"features"')
    result["server_cpu_pct"] = round(100 * (pages_bench.tree_cpu(pid) - server0)
                                     / result["elapsed_s"], 1)  # fmt: skip
    result["foreign_cpu_pct_before"] = quiet
    result["loadavg_before"] = [round(v, 2) for v in load_before]
    result["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    return result


def run_endpoint(kind, pins, durations):
    started = time.monotonic()
    with pages_bench.database_server(kind, WORKDIR) as url:
        instance = WORKDIR / kind
        build_s = build(url, instance, pins)
        env = pages_bench.server_env(url, instance)
        logs = WORKDIR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        server_log = logs / f"{kind}-app.log"
        server_log.unlink(missing_ok=True)
        scenarios = {}
        with pages_bench.serve("wsgi:app", pages_bench.DEFAULT_SERVER, env, "/healthz",
                               log_path=server_log) as (port, pid):  # fmt: skip
            for name, base in (("process", f"/api/v1/processes/{SLUG}/map.geojson"),
                               ("municipality", "/api/v1/map.geojson")):  # fmt: skip
                paths = [f"{base}?bbox={box}&zoom={ZOOM}" for box in boxes()]
                answer = check_answer(port, paths[0], url, boxes()[0])
                log(f"{kind} {name}: {answer}")
                steady(port, pid, paths, durations["warmup"])
                result = steady(port, pid, paths, durations["open"])
                pages_bench.settle(pid)
                log(f"{kind} {name}: at {RATE}/s p50/p95/p99 {result['p50_ms']}/"
                    f"{result['p95_ms']}/{result['p99_ms']} ms, errors {result['errors']}, "
                    f"load {result['loadavg_before']}")  # fmt: skip
                scenarios[name] = {"answer": answer, "steady": result}
    return {
        "database": kind, "pins": pins, "build_s": build_s, "zoom": ZOOM,
        "box": f"about {(EAST - WEST + 0.02) * 105:.0f} × {(NORTH - SOUTH + 0.016) * 111:.0f} km",
        "scenarios": scenarios,
        "server_tracebacks": server_log.read_bytes().count(b"Traceback"),
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip


def run_assign(pins):
    """Community from pin for ``pins`` random points, all at once and (a sample) one by one."""
    from types import SimpleNamespace

    from participation.places import geo

    areas = [SimpleNamespace(id=i + 1, boundary=boundary(i)) for i in range(COLUMNS * ROWS)]
    rng = random.Random(SEED + 2)
    points = [(SOUTH - 0.01 + rng.random() * (NORTH - SOUTH + 0.02),
               WEST - 0.01 + rng.random() * (EAST - WEST + 0.02)) for _ in range(pins)]  # fmt: skip
    quiet = pages_bench.wait_until_quiet()
    load_before = os.getloadavg()
    started = time.perf_counter()
    found = geo.communities_for(areas, points)
    seconds = time.perf_counter() - started
    sample = points[:1000]
    started = time.perf_counter()
    one_by_one = [getattr(geo.community_at(areas, lat, lng), "id", None) for lat, lng in sample]
    sample_s = time.perf_counter() - started
    return {
        "pins": pins, "communities": len(areas), "seconds": round(seconds, 3),
        "inside": sum(1 for f in found if f is not None),
        "same_as_one_by_one": one_by_one == found[: len(sample)],
        "one_by_one_sample": len(sample), "one_by_one_sample_s": round(sample_s, 3),
        "one_by_one_estimate_s": round(sample_s * pins / len(sample), 1),
        "foreign_cpu_pct_before": quiet, "loadavg_before": [round(v, 2) for v in load_before],
    }  # fmt: skip


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py."""
    from rows import row

    out = []
    for result in document["results"]:
        db = result["database"]
        for name, scenario in result["scenarios"].items():
            run, answer = scenario["steady"], scenario["answer"]
            label = f"{result['pins']:,} pins, {name} map, town-sized box, zoom {result['zoom']}"
            ok = pages_bench.steady_pass(run, TARGET_P95_MS)
            out += [
                row("map", db, label, f"at {RATE}/s: p50 / p95 / p99",
                    " / ".join("inf" if run[k] is None else str(run[k])
                               for k in ("p50_ms", "p95_ms", "p99_ms")), "ms",
                    f"p95 < {TARGET_P95_MS} ms, 0 errors", "PASS" if ok else "FAIL"),
                row("map", db, label, "answer: features (clusters), bytes",
                    f"{answer['features']} ({answer['clusters']}), {answer['bytes']:,}"),
                row("map", db, label, "clusters' counts = pins in the rows",
                    f"{answer['pins_counted']:,} = {answer['pins_in_rows']:,}", "",
                    "equal", "PASS" if answer["counts_equal_rows"] else "FAIL"),
            ]  # fmt: skip
    assign = document["assign"]
    out.append(row(
        "map", "-", f"{assign['pins']:,} pins, {assign['communities']} communities",
        "community from pin (STRtree, all at once)", assign["seconds"], "s",
        f"< {ASSIGN_TARGET_S:g} s", "PASS" if assign["seconds"] < ASSIGN_TARGET_S else "FAIL",
    ))  # fmt: skip
    out.append(row("map", "-", f"{assign['pins']:,} pins", "one at a time (estimated)",
                   assign["one_by_one_estimate_s"], "s"))  # fmt: skip
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="a tenth of the pins, short runs")
    parser.add_argument("--scale", type=float, default=None, help="a fraction of 100,000 pins")
    parser.add_argument("--output", default=str(BENCH / "map_results.json"))
    args = parser.parse_args()
    if args.quick:
        pages_bench.QUIET_WAIT["s"] = 20
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    pins = max(1000, int(FULL_PINS * scale))
    durations = DURATIONS["quick" if args.quick else "full"]
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    started = time.monotonic()
    results = [run_endpoint(kind, pins, durations) for kind in kinds]
    log(f"community from pin for {pins:,} pins")
    assign = run_assign(pins)
    log(f"assign: {assign}")
    document = {
        "benchmark": "map",
        "machine": pages_bench.machine_info(),
        "quick": args.quick,
        "scale": scale,
        "server": " ".join(pages_bench.gunicorn_command("wsgi:app", 0, pages_bench.DEFAULT_SERVER)),
        "targets": {"rate": RATE, "p95_ms": TARGET_P95_MS, "assign_s": ASSIGN_TARGET_S},
        "results": results,
        "assign": assign,
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip
    from rows import write_report

    write_report(args.output, document, result_rows(document))


if __name__ == "__main__":
    main()
