"""How long the opinion map of a very large conversation takes to recompute.

    .venv/bin/python bench/opinion_bench.py                # 10,000 x 1,000 at 20%, SQLite
    .venv/bin/python bench/opinion_bench.py --quick        # a smoke check (scale 0.1)
    .venv/bin/python bench/opinion_bench.py --compute-only # no database

10,000 participants and 1,000 statements, 20% of the cells voted (2,000,000 votes): three
planted camps of different sizes, 50 statements every camp agrees with, 10% of the votes at
random. Two measurements, each the median of several runs:

- ``compute``: the method alone (``participation.opinions.compute.opinion_map``) from the vote
  arrays to groups, representative statements and consensus. Target: under 2 seconds.
- ``recompute``: what the background task does (``operations.recompute``): read the votes from
  the database, compute, build and store the cached map, commit.

The machine is shared: /tmp/BENCH_BUSY is created while measuring (and the run refuses to start
when another benchmark holds it), and the load average and other processes' CPU are recorded.
Writes bench/opinion_results.json.
"""

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import host  # noqa: E402

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench")) / "opinion"  # noqa: S108
BUSY = Path("/tmp/BENCH_BUSY")  # noqa: S108
FULL = {"participants": 10_000, "statements": 1_000}
DENSITY = 0.2
TARGET_S = 2.0
SEED = 2571


def log(message):
    print(f"[opinion-bench] {message}", file=sys.stderr, flush=True)


def generate(participants, statements, density=DENSITY, seed=SEED):
    """(rows, columns, values) of a planted electorate."""
    rng = np.random.default_rng(seed)
    camp = rng.choice(3, size=participants, p=[0.5, 0.3, 0.2])
    leaning = rng.choice([-1, 0, 1], size=(3, statements), p=[0.4, 0.2, 0.4])
    leaning[:, : statements // 20] = 1  # common ground
    rows, columns = np.nonzero(rng.random((participants, statements)) < density)
    values = leaning[camp[rows], columns]
    noise = rng.random(len(values)) < 0.1
    values[noise] = rng.choice([-1, 0, 1], size=int(noise.sum()))
    return rows, columns, values


def _timed(function, runs):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, {"first_s": round(times[0], 3), "median_s": round(statistics.median(times), 3),
                    "min_s": round(min(times), 3), "max_s": round(max(times), 3),
                    "runs": runs}  # fmt: skip


def measure_compute(rows, columns, values, shape, runs):
    from participation.opinions import compute

    votes = compute.Votes(rows, columns, values, shape)
    state = {}

    def once():
        nonlocal state
        found = compute.opinion_map(votes, state)
        state = found["state"]
        return found

    found, timing = _timed(once, runs)
    facts = {"groups": found["k"], "sizes": found["sizes"], "mapped": len(found["included"]),
             "common_ground": len(found["common_ground"])}  # fmt: skip
    return timing, facts


def build_database(path, rows, columns, values, shape):
    """A migrated SQLite database holding the conversation (ids: users 1..n, statements 1..m)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.environ.update(DATABASE_URL=f"sqlite:///{path}", RUAMKID_INSTANCE_DIR=str(WORKDIR),
                      RUAMKID_ENV="development")  # fmt: skip
    from flask_migrate import upgrade

    from participation import create_app
    from participation.config import Config

    app = create_app(Config)
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    now = datetime.now(UTC).isoformat(sep=" ")
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.executemany(
        "INSERT INTO users (id, email, display_name, password_hash, preferred_language, "
        "privacy_consent_version, privacy_consent_dt, show_supports, suspension_reason, "
        "created_dt, modified_dt) VALUES (?, ?, ?, 'x', 'th', 1, ?, 0, '', ?, ?)",
        ((i, f"p{i}@bench.ruamkid.test", f"ผู้ร่วม {i}", now, now, now)
         for i in range(1, shape[0] + 1)),
    )  # fmt: skip
    connection.execute(
        "INSERT INTO municipalities (id, name_th, name_en, province_th, province_en, tagline_th, "
        "tagline_en, population, created_dt, modified_dt) VALUES "
        "(1, 'เทศบาล', 'Municipality', '', '', '', '', 1, ?, ?)", (now, now))  # fmt: skip
    connection.execute(
        "INSERT INTO processes (id, slug, title_th, title_en, summary_th, summary_en, "
        "description_th, description_en, phase, is_published, support_threshold, "
        "edit_window_minutes, created_dt, modified_dt) VALUES (1, 'bench-opinions', "
        "'กระบวนการ', 'Process', '', '', '', '', 'reimagine', 1, 10, 1440, ?, ?)",
        (now, now),
    )
    connection.execute(
        "INSERT INTO conversations (id, process_id, question, is_open, allow_statements, "
        "change_count, created_dt, modified_dt) VALUES (1, 1, 'คำถาม', 1, 1, ?, ?, ?)",
        (len(values), now, now))  # fmt: skip
    connection.executemany(
        "INSERT INTO statements (id, conversation_id, body, is_seed, agree_count, "
        "disagree_count, pass_count, created_dt, is_hidden, hidden_reason) "
        "VALUES (?, 1, ?, 0, 0, 0, 0, ?, 0, '')",
        ((j, f"ข้อความที่ {j}", now) for j in range(1, shape[1] + 1)))  # fmt: skip
    connection.executemany(
        "INSERT INTO opinion_votes (conversation_id, statement_id, user_id, value, created_dt) "
        "VALUES (1, ?, ?, ?, ?)",
        zip((columns + 1).tolist(), (rows + 1).tolist(), values.tolist(), [now] * len(values),
            strict=True))  # fmt: skip
    connection.commit()
    connection.close()
    log(f"database of {len(values):,} votes written in {time.perf_counter() - started:.1f} s")
    return app


def measure_recompute(app, runs):
    from participation.extensions import db
    from participation.opinions import compute, operations
    from participation.opinions.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, 1)

        def once():
            result = operations.recompute(conversation)
            db.session.commit()
            return result

        result, timing = _timed(once, runs)
        # Where the time goes, once.
        parts = {}
        started = time.perf_counter()
        votes, user_ids, statement_ids = operations.load_votes(1)
        parts["load_votes_s"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        found = compute.opinion_map(votes, dict(result.state))
        parts["compute_s"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        operations.map_data(found, user_ids, statement_ids, 0)
        parts["build_map_data_s"] = round(time.perf_counter() - started, 3)
        db.session.rollback()
        stored = len(json.dumps(result.data)) + len(json.dumps(result.positions))
        facts = {"groups": result.data["k"], "participants": result.data["participants"],
                 "points_drawn": len(result.data["points"]), "stored_bytes": stored}  # fmt: skip
    return timing, parts, facts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of 10,000 participants and 1,000 statements")  # fmt: skip
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a smoke run: --scale 0.1 --runs 2")
    parser.add_argument("--database", choices=("sqlite",), default="sqlite",
                        help="the recompute reads SQLite (tests cover PostgreSQL)")  # fmt: skip
    parser.add_argument("--compute-only", action="store_true")
    parser.add_argument("--output", default=str(BENCH / "opinion_results.json"))
    args = parser.parse_args()
    if args.quick:
        args.scale, args.runs = min(args.scale, 0.1), min(args.runs, 2)
    if BUSY.exists():
        raise SystemExit(f"{BUSY} exists: another benchmark is running; try again later.")
    WORKDIR.mkdir(parents=True, exist_ok=True)
    BUSY.write_text(f"opinion_bench.py pid {os.getpid()}\n")
    load_at_start = os.getloadavg()  # before this script's own work
    try:
        shape = tuple(max(10, int(FULL[key] * args.scale))
                      for key in ("participants", "statements"))  # fmt: skip
        rows, columns, values = generate(*shape)
        log(f"{shape[0]:,} participants x {shape[1]:,} statements, {len(values):,} votes")
        app = None if args.compute_only else build_database(WORKDIR / "opinions.sqlite3", rows,
                                                              columns, values, shape)  # fmt: skip
        load_before = os.getloadavg()
        others_before, started = host.other_cpu_seconds(), time.monotonic()
        compute_timing, compute_facts = measure_compute(rows, columns, values, shape, args.runs)
        report_recompute = None
        if app is not None:
            timing, parts, facts = measure_recompute(app, max(3, args.runs // 2))
            report_recompute = {**timing, "parts": parts, **facts}
        elapsed = time.monotonic() - started
        others = round((host.other_cpu_seconds() - others_before) / elapsed, 2)
        load_after = os.getloadavg()
    finally:
        BUSY.unlink(missing_ok=True)
    report = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**host.basics(), "numpy": np.__version__,
                    "scikit_learn": __import__("sklearn").__version__},
        "database": args.database, "scale": args.scale,
        "participants": shape[0], "statements": shape[1], "votes": len(values),
        "density": DENSITY, "target_s": TARGET_S,
        "compute": {**compute_timing, **compute_facts},
        "recompute": report_recompute,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "other_processes_cores": others,
        "pass": compute_timing["median_s"] < TARGET_S,
    }  # fmt: skip
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(report)


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py."""
    from rows import row

    db = document.get("database", "sqlite")
    scenario = (f"{document['participants']:,} x {document['statements']:,}, "
                f"{document['votes']:,} votes")  # fmt: skip
    compute = document["compute"]
    verdict = "PASS" if document["pass"] else "FAIL"
    out = [
        row("opinions", db, scenario, f"compute: median of {compute['runs']}",
            compute["median_s"], "s", f"median < {document['target_s']} s", verdict),
        row("opinions", db, scenario, "compute: max", compute["max_s"], "s"),
    ]  # fmt: skip
    recompute = document.get("recompute")
    if recompute:
        out.append(row("opinions", db, scenario, f"recompute from the database: median of "
                       f"{recompute['runs']}", recompute["median_s"], "s"))  # fmt: skip
        for name, value in recompute["parts"].items():
            out.append(row("opinions", db, scenario, f"recompute part: {name[:-2]}", value, "s"))
    out.append(row("opinions", db, scenario, "other processes meanwhile",
                   document["other_processes_cores"], "cores"))  # fmt: skip
    return out


def print_table(report):
    print(f"\nOpinion map of {report['participants']:,} participants x {report['statements']:,} "
          f"statements ({report['votes']:,} votes)")  # fmt: skip
    print(f"{'part':12} {'median s':>9} {'min s':>7} {'max s':>7} {'runs':>5}")
    for name in ("compute", "recompute"):
        row = report[name]
        if row:
            print(f"{name:12} {row['median_s']:9.3f} {row['min_s']:7.3f} {row['max_s']:7.3f} "
                  f"{row['runs']:5}")  # fmt: skip
    if report["recompute"]:
        print("recompute parts:", report["recompute"]["parts"])
    print(f"groups: {report['compute']['groups']} {report['compute']['sizes']}, "
          f"common ground: {report['compute']['common_ground']}")  # fmt: skip
    print(f"load average at start {report['load_average_at_start']}, before measuring "
          f"{report['load_average_before']}, after "
          f"{report['load_average_after']}; other processes used "
          f"{report['other_processes_cores']} cores meanwhile")  # fmt: skip
    verdict = "PASS" if report["pass"] else "FAIL"
    print(f"target: compute (median) under {report['target_s']} s -> {verdict}")


if __name__ == "__main__":
    main()
