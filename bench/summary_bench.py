"""How long a council summary of a very large process takes to compute.

    .venv/bin/python bench/summary_bench.py                      # SQLite, full size
    .venv/bin/python bench/summary_bench.py --database postgres  # a throw-away PostgreSQL
    .venv/bin/python bench/summary_bench.py --scale 0.05         # a smoke check

One process in Remake with 10,000 proposals and 1,000 issues, 300,000 comments (a quarter of
them without a side) and 1,000,000 supports from 20,000 residents, 12 communities, 2,000 council
answers. The schema comes from the migrations; rows are inserted in bulk with the page
benchmark's loader (bench/load_data.py), ``search_text`` as the app computes it.

Measured in one process, as the app runs it: the whole ``compute.process_summary`` (target:
under 2 seconds), each of its parts, the fingerprint that decides whether the cached figures
are still good (what every later page view costs), the summary page as the council sees it and
its PDF (wall and CPU seconds of this process).
Writes bench/summary_results.json.
"""

import argparse
import functools
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import host  # noqa: E402
import load_data  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from vocabulary import AREAS, CATEGORIES, COMMENT_SENTENCES, PLACES  # noqa: E402

from participation.summaries.themes import phrase_tokens  # noqa: E402

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench")) / "summary"  # noqa: S108
FULL = {"users": 20_000, "proposals": 10_000, "issues": 1_000, "comments": 300_000,
        "supports": 1_000_000, "responses": 2_000}  # fmt: skip
TARGET_S = 2.0
SEED = 2570


def log(message):
    print(f"[summary-bench] {message}", file=sys.stderr, flush=True)


def generate(scale, now):
    rng = random.Random(SEED)
    size = {key: max(1, int(value * scale)) for key, value in FULL.items()}
    search_text, markdown, _verify = load_data.text_helpers()
    theme_tokens = functools.cache(lambda title, body: phrase_tokens(f"{title}\n{body}"))
    day = timedelta(days=1)
    t0 = now - 120 * day
    rows = {name: [] for name in load_data.ORDER}

    def moment(start, end):
        return start + (end - start) * rng.random()

    from argon2 import PasswordHasher

    password_hash = PasswordHasher().hash("bench-account-not-for-login")
    for i in range(1, size["users"] + 1):
        created = moment(t0 - 300 * day, now - day)
        rows["users"].append(dict(
            id=i, email=f"resident{i}@bench.ruamkid.test", display_name=f"ผู้ร่วม {i}",
            password_hash=password_hash, preferred_language="th", privacy_consent_version=1,
            privacy_consent_dt=created, last_login_dt=None, created_dt=created,
            modified_dt=created,
        ))  # fmt: skip
    rows["municipalities"].append(dict(
        id=1, name_th="เทศบาลเมืองแม่เหียะ", name_en="Mae Hia Town Municipality",
        province_th="เชียงใหม่", province_en="Chiang Mai", tagline_th="", tagline_en="",
        population=120_000, created_dt=t0, modified_dt=t0,
    ))  # fmt: skip
    rows["areas"] = [
        dict(id=i, municipality_id=1, slug=slug, name_th=th, name_en=en, population=10_000,
             position=i)
        for i, (slug, th, en) in enumerate(AREAS, start=1)
    ]  # fmt: skip
    rows["processes"].append(dict(
        id=1, slug="bench-summary", title_th="เมืองน่าอยู่ ร่วมกันเสนอ", title_en="A liveable town",
        summary_th="", summary_en="", description_th="", description_en="", cover_image=None,
        phase="remake", is_published=True, max_supports=None, support_threshold=100,
        edit_window_minutes=1440, created_by_id=1, created_dt=t0, modified_dt=t0,
        reframe_start=t0.date(), reframe_end=(t0 + 30 * day).date(),
        reimagine_start=(t0 + 31 * day).date(), reimagine_end=(t0 + 90 * day).date(),
        remake_start=(t0 + 91 * day).date(), remake_end=(now + 60 * day).date(),
    ))  # fmt: skip
    rows["process_areas"] = [dict(process_id=1, area_id=a["id"]) for a in rows["areas"]]
    for index, (slug, th, en, *_rest) in enumerate(CATEGORIES, start=1):
        rows["categories"].append(dict(id=index, process_id=1, slug=slug, name_th=th,
                                       name_en=en, position=index))  # fmt: skip

    contributions = rows["contributions"]
    for i in range(1, size["proposals"] + size["issues"] + 1):
        kind = "issue" if i > size["proposals"] else "proposal"
        index = rng.randrange(len(CATEGORIES))
        _slug, _th, _en, _share, stems, sentences = CATEGORIES[index]
        title = rng.choice(stems) + rng.choice(PLACES)
        body = " ".join(rng.sample(sentences, 2))
        created = (
            moment(t0, t0 + 30 * day) if kind == "issue" else moment(t0 + 31 * day, t0 + 90 * day)
        )
        contributions.append(dict(
            id=i, process_id=1, kind=kind, author_id=rng.randint(1, size["users"]), title=title,
            body=body, body_html=markdown(body), category_id=index + 1,
            area_id=rng.choice(rows["areas"])["id"], status="open", support_count=0,
            affected_count=0, comment_count=0, version=1, edited_dt=None, withdrawn_dt=None,
            search_text=search_text(title, body), theme_tokens=theme_tokens(title, body),
            created_dt=created, modified_dt=created,
        ))  # fmt: skip
    proposals = contributions[: size["proposals"]]
    counts = load_data.zipf_counts(rng, len(proposals), size["supports"], 0.8, 30, size["users"])
    sid = 0
    for proposal, k in zip(proposals, counts, strict=True):
        proposal["support_count"] = k
        for user_id in rng.sample(range(1, size["users"] + 1), k):
            sid += 1
            rows["supports"].append((sid, proposal["id"], 1, user_id,
                                     moment(proposal["created_dt"], t0 + 90 * day)))  # fmt: skip
    bodies = [" ".join(rng.sample(COMMENT_SENTENCES, 2)) for _ in range(300)]
    sides = ["in_favour"] * 5 + ["against"] * 2 + ["neutral"] + [None] * 2
    for cid in range(1, size["comments"] + 1):
        target = rng.choice(contributions)
        target["comment_count"] += 1
        body = rng.choice(bodies)
        created = moment(target["created_dt"], now - day)
        side = rng.choice(sides) if target["kind"] == "proposal" else None
        if side and target["id"] % 7 == 0:  # some proposals divide opinion
            side = rng.choice(("in_favour", "against"))
        rows["comments"].append(dict(
            id=cid, contribution_id=target["id"], parent_id=None, depth=0,
            author_id=rng.randint(1, size["users"]), body=body, body_html=markdown(body),
            alignment=side, upvotes=0, downvotes=0, is_edited=False, is_deleted=False,
            created_dt=created, modified_dt=created,
        ))  # fmt: skip
    answered = sorted(proposals, key=lambda p: -p["support_count"])[: size["responses"]]
    responses = []
    for number, proposal in enumerate(answered, start=1):
        status = ("accepted", "rejected", "evaluating")[number % 3]
        proposal["status"] = status
        responses.append(dict(
            id=number, proposal_id=proposal["id"], author_id=1, status=status,
            body="สภาเทศบาลพิจารณาแล้ว", body_html="<p>สภาเทศบาลพิจารณาแล้ว</p>",
            created_dt=now - 10 * day, modified_dt=now - 10 * day,
        ))  # fmt: skip
    return rows, responses, size


def build(database_url, scale):
    instance = WORKDIR / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    load_data.migrate(database_url, instance)
    rows, responses, size = generate(scale, datetime.now(UTC).replace(microsecond=0))
    log(f"generated {size} in {time.perf_counter() - started:.1f} s")
    engine = sa.create_engine(database_url)
    writer = load_data.write_sqlite if engine.dialect.name == "sqlite" else load_data.write_postgres
    load_data.ORDER = [name for name in load_data.ORDER if rows[name]]  # skip empty tables
    writer(engine, rows)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(load_data._tables()["official_responses"].insert(), responses)
    engine.dispose()
    log(f"database ready in {time.perf_counter() - started:.1f} s")
    return size


def _timed(function, *args, runs):
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - started)
    return result, {"first_s": round(times[0], 3), "median_s": round(statistics.median(times), 3),
                    "max_s": round(max(times), 3)}  # fmt: skip


def measure(database_url, runs):
    os.environ.update(load_data.bench_env(database_url, WORKDIR / "instance"))
    from participation import create_app
    from participation.config import Config
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.summaries import compute, operations

    app = create_app(Config)
    results = {}
    with app.app_context():
        process = db.session.get(Process, 1)
        _data, results["process_summary"] = _timed(compute.process_summary, process, runs=runs)
        for name, function in (("participation", compute.participation),
                               ("what_residents_want", compute.what_residents_want),
                               ("themes", compute.themes), ("decisions", compute.decisions),
                               ("fingerprint", compute.process_fingerprint)):  # fmt: skip
            _result, results[name] = _timed(function, process, runs=runs)
        summary = operations.summary_of(process)
        operations.figures(summary)
        db.session.commit()
        _cached, results["cached_figures"] = _timed(operations.figures, summary, runs=runs)
    client = app.test_client()
    with app.app_context():
        _page, results["summary_page_draft_for_council"] = _timed(
            lambda: _council_page(app, client), runs=runs
        )
        # The council's PDF: the first one also loads the fonts, so it is left out of the median.
        _council_pdf(client)
        cpu = []
        _pdf, results["summary_pdf"] = _timed(lambda: _council_pdf(client, cpu), runs=runs)
        results["summary_pdf"]["cpu_median_s"] = round(statistics.median(cpu), 3)
    return results


def _council_pdf(client, cpu=None):
    started = time.process_time()
    response = client.get("/summaries/processes/bench-summary.pdf", base_url="http://127.0.0.1")
    if cpu is not None:
        cpu.append(time.process_time() - started)
    if response.status_code != 200 or not response.data.startswith(b"%PDF"):
        raise SystemExit(f"the summary PDF answered {response.status_code}")
    return response


def _council_page(app, client):
    from participation.extensions import db
    from participation.summaries.models import Summary

    summary = db.session.scalar(sa.select(Summary))
    summary.state = "published"
    db.session.commit()
    response = client.get("/summaries/processes/bench-summary", base_url="http://127.0.0.1")
    if response.status_code != 200:
        raise SystemExit(f"the summary page answered {response.status_code}")
    return response


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="a database to use instead of a throw-away one")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    parser.add_argument("--output", default=str(BENCH / "summary_results.json"))
    args = parser.parse_args()
    WORKDIR.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        args.database = "postgres" if args.database_url.startswith("postgres") else "sqlite"
        report = run(args.database_url, args)
    elif args.database == "postgres":
        from tests.services import postgres

        with postgres() as url:
            report = run(url, args)
    else:
        report = run(f"sqlite:///{WORKDIR / 'summary.sqlite3'}", args)
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(report)


def run(database_url, args):
    size = None if args.reuse else build(database_url, args.scale)
    load_before = os.getloadavg()[0]
    busy = host.other_cpu_seconds()
    started = time.monotonic()
    results = measure(database_url, args.runs)
    elapsed = time.monotonic() - started
    # Other processes' CPU during the measurement, in cores: near 0 on a quiet machine.
    others = round((host.other_cpu_seconds() - busy) / elapsed, 2)
    return {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": host.basics(),
        "database": args.database, "scale": args.scale, "sizes": size or "reused",
        "runs": args.runs, "target_s": TARGET_S, "results": results,
        "load_average_before": round(load_before, 2), "other_processes_cores": others,
        "pass": results["process_summary"]["max_s"] < TARGET_S,
    }  # fmt: skip


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py."""
    from rows import row

    db, results = document["database"], document["results"]
    scenario = f"one process, scale {document['scale']}"
    whole = results["process_summary"]
    verdict = "PASS" if document["pass"] else "FAIL"
    out = [
        row("summaries", db, scenario, f"whole summary: first / median / max of {document['runs']}",
            f"{whole['first_s']} / {whole['median_s']} / {whole['max_s']}", "s",
            f"max < {document['target_s']} s", verdict)
    ]  # fmt: skip
    for name in ("participation", "what_residents_want", "themes", "fingerprint",
                 "summary_page_draft_for_council", "summary_pdf"):  # fmt: skip
        if name in results:
            out.append(
                row("summaries", db, scenario, f"{name}: median", results[name]["median_s"], "s")
            )
    return out


def print_table(report):
    print(f"\nSummary of one process ({report['database']}, scale {report['scale']}, "
          f"{report['runs']} runs)")  # fmt: skip
    print(f"{'part':34} {'first s':>8} {'median s':>9} {'max s':>7}")
    for name, row in report["results"].items():
        print(f"{name:34} {row['first_s']:8.3f} {row['median_s']:9.3f} {row['max_s']:7.3f}")
    print(f"other processes used {report['other_processes_cores']} cores meanwhile")
    verdict = "PASS" if report["pass"] else "FAIL"
    print(f"target: the whole summary under {report['target_s']} s -> {verdict}")


if __name__ == "__main__":
    main()
