"""Where a page's time goes: its SQL (each statement timed, with its plan) and a profile.

    .venv/bin/python bench/profile_pages.py \
        --database-url sqlite:////tmp/ruamkid-bench/sqlite/ruamkid.sqlite3 \
        --instance-dir /tmp/ruamkid-bench/sqlite /processes/bench-big-reimagine/proposals

With ``--postgres`` instead of ``--database-url``, a throw-away PostgreSQL server is started
(tests/services.py), filled with bench/load_data.py (``--scale``), profiled and removed.
``--pages`` profiles the benchmark's own pages (read from the data's manifest).

Each path is requested in-process (Flask test client, production settings as the benchmark
serves them) a few times to warm up, then once with every statement timed and explained
(EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL), then N times under
cProfile. Prints a report; ``--json`` writes it as JSON too.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))


def build_app(database_url, instance_dir):
    os.environ.update(
        DATABASE_URL=database_url,
        RUAMKID_INSTANCE_DIR=str(instance_dir),
        RUAMKID_ENV="production",
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106 - a throw-away key
        SESSION_COOKIE_SECURE="false",
        MAIL_BACKEND="log",
        RATELIMIT_ENABLED="false",
        PUBLIC_URL="http://localhost",  # the test client's host
    )
    from participation import create_app

    return create_app()


def statements_of(app, client, path):
    """Run one request, timing every statement; then explain each one."""
    import sqlalchemy as sa

    from participation.extensions import db

    with app.app_context():
        engine = db.engine
    captured = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        captured.append(
            {
                "ms": round((time.perf_counter() - conn.info.pop("t0")) * 1000, 2),
                "sql": statement,
                "params": parameters,
            }
        )

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    started = time.perf_counter()
    response = client.get(path, headers={"Accept-Language": "th"})
    total = (time.perf_counter() - started) * 1000
    sa.event.remove(engine, "before_cursor_execute", before)
    sa.event.remove(engine, "after_cursor_execute", after)

    with engine.connect() as connection:
        for item in captured:
            sql = item["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            if engine.dialect.name == "sqlite":
                rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, item["params"])
                item["plan"] = [row[-1] for row in rows]
            else:
                rows = connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + sql, item["params"]
                )
                item["plan"] = [row[0] for row in rows]
            item["params"] = repr(item["params"])
        connection.rollback()
    return response.status_code, len(response.data), round(total, 2), captured


def profile(client, path, repeat):
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(repeat):
        client.get(path, headers={"Accept-Language": "th"})
    profiler.disable()
    per_request = (time.perf_counter() - started) * 1000 / repeat
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(25)
    return round(per_request, 2), out.getvalue()


def timed(client, path, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path, headers={"Accept-Language": "th"})
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"median_ms": round(samples[len(samples) // 2], 2), "min_ms": round(samples[0], 2)}


def bench_paths(instance_dir):
    from urllib.parse import quote

    sys.path.insert(0, str(BENCH))
    from vocabulary import SEARCH_QUERIES

    manifest = json.loads((Path(instance_dir) / "manifest.json").read_text())
    base = f"/processes/{manifest['process_slug']}/proposals"
    return [
        f"{base}?category={manifest['category_id']}&sort=supported",
        base,
        f"{base}/{manifest['thread_proposal_id']}",
        *(f"{base}?q={quote(q)}" for q in SEARCH_QUERIES),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--database-url")
    parser.add_argument("--instance-dir", required=True)
    parser.add_argument("--postgres", action="store_true", help="throw-away server, loaded")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--pages", action="store_true", help="the benchmark's pages")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.postgres:
        sys.path.insert(0, str(BENCH))
        import load_data

        from tests.services import postgres

        with postgres() as url:
            load_data.load(url, args.instance_dir, args.scale)
            args.database_url = url
            run(args)
    else:
        run(args)


def run(args):
    if args.pages:
        args.paths = [*args.paths, *bench_paths(args.instance_dir)]
    app = build_app(args.database_url, args.instance_dir)
    client = app.test_client()
    report = []
    for path in args.paths:
        for _ in range(3):
            client.get(path, headers={"Accept-Language": "th"})
        status, size, total, statements = statements_of(app, client, path)
        entry = {
            "path": path, "status": status, "bytes": size, "request_ms_timed": total,
            "sql_ms": round(sum(s["ms"] for s in statements), 2), "statements": statements,
            "in_process": timed(client, path, args.repeat),
        }  # fmt: skip
        print(f"\n=== {path}: {status}, {size} bytes; in-process median "
              f"{entry['in_process']['median_ms']} ms; SQL {entry['sql_ms']} ms in "
              f"{len(statements)} statements")  # fmt: skip
        for s in statements:
            print(f"--- {s['ms']} ms\n{s['sql']}\n  params: {s['params']}")
            for line in s.get("plan", []):
                print(f"    {line}")
        if not args.no_profile:
            per_request, text = profile(client, path, args.repeat)
            entry["profile_ms_per_request"] = per_request
            entry["profile"] = text
            print(text)
        report.append(entry)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
