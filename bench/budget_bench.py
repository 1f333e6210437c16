"""How long counting a participatory budget takes: 100,000 ballots over 300 projects in 10
headings, with both rules, as the app counts them when results are published.

    .venv/bin/python bench/budget_bench.py                      # SQLite, full size
    .venv/bin/python bench/budget_bench.py --database postgres  # a throw-away PostgreSQL
    .venv/bin/python bench/budget_bench.py --quick              # 1/20 of the ballots

The schema comes from the migrations; ballots are inserted in bulk. Residents pick 1 to 5
projects of their heading, popular projects more often (weights drawn once); costs run from
50,000 to 1,000,000 baht and each heading holds 5,000,000 baht. Measured per heading and in all:
``operations.count`` with greedy by votes and with equal shares (reading the ballots included).
Target: both rules for all ten headings under 2 seconds. Writes bench/budget_results.json.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import host  # noqa: E402
import load_data  # noqa: E402
from rows import row, write_report  # noqa: E402

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench")) / "budget"  # noqa: S108
HEADINGS, PROJECTS_PER_HEADING, BALLOTS = 10, 30, 100_000
MONEY = 5_000_000
TARGET_S = 2.0
SEED = 2570


def log(message):
    print(f"[budget-bench] {message}", file=sys.stderr, flush=True)


def build(app, ballots_total):
    """A published process with a budget of ten headings; returns the heading ids."""
    import sqlalchemy as sa

    from participation.accounts.models import User
    from participation.budgets.models import (
        Ballot,
        BallotChoice,
        Budget,
        BudgetProject,
        Heading,
    )
    from participation.extensions import db
    from participation.processes.models import Process

    rng = random.Random(SEED)
    with app.app_context():
        process = Process(slug="bench-budget", title_th="งบประมาณ", title_en="Budget",
                          phase="reimagine", is_published=True)  # fmt: skip
        db.session.add(process)
        db.session.flush()
        budget = Budget(process_id=process.id, title="งบประมาณแบบมีส่วนร่วม", stage="counting",
                        style="approval", max_choices=5, rule="equal_shares")  # fmt: skip
        db.session.add(budget)
        db.session.flush()
        heading_ids, projects = [], {}
        for number in range(HEADINGS):
            heading = Heading(budget_id=budget.id, title=f"ชุมชน {number + 1}", money=MONEY,
                              position=number)  # fmt: skip
            db.session.add(heading)
            db.session.flush()
            heading_ids.append(heading.id)
            rows = [
                BudgetProject(
                    heading_id=heading.id,
                    title=f"โครงการ {number + 1}.{i + 1}",
                    cost=rng.randrange(50_000, 1_000_001, 1_000),
                    review="feasible",
                    position=i,
                )  # fmt: skip
                for i in range(PROJECTS_PER_HEADING)
            ]
            db.session.add_all(rows)
            db.session.flush()
            projects[heading.id] = [(p.id, rng.random() ** 2 + 0.01) for p in rows]
        users = [{"email": f"voter{i}@bench.test", "display_name": f"ผู้ลงคะแนน {i}",
                  "password_hash": "x", "preferred_language": "th", "privacy_consent_version": 1,
                  "privacy_consent_dt": datetime.now(UTC)}
                 for i in range(ballots_total)]  # fmt: skip
        db.session.execute(sa.insert(User), users)
        user_ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
        ballots, choices = [], []
        for index, user_id in enumerate(user_ids):
            heading_id = heading_ids[index % HEADINGS]
            ids, weights = zip(*projects[heading_id], strict=True)
            picked = set(rng.choices(ids, weights=weights, k=rng.randint(1, 5)))
            ballots.append({"id": index + 1, "heading_id": heading_id, "voter_id": user_id,
                            "channel": "online" if index % 7 else "paper",
                            "receipt": f"R{index:09d}", "cast_dt": datetime.now(UTC)})  # fmt: skip
            choices.extend({"ballot_id": index + 1, "project_id": p} for p in picked)
        db.session.execute(sa.insert(Ballot), ballots)
        db.session.execute(sa.insert(BallotChoice), choices)
        db.session.commit()
        return heading_ids, len(choices)


def measure(app, heading_ids):
    from participation.budgets import operations
    from participation.budgets.models import Heading
    from participation.extensions import db

    results = {}
    with app.app_context():
        for rule in ("greedy", "equal_shares"):
            per_heading = []
            for heading_id in heading_ids:
                heading = db.session.get(Heading, heading_id)
                started = time.perf_counter()
                outcome, channels = operations.count(heading, rule)
                per_heading.append({
                    "seconds": round(time.perf_counter() - started, 3),
                    "chosen": len(outcome.chosen), "spent": outcome.spent,
                    "ballots": channels,
                    "voter_share": float(outcome.voter_share) if outcome.voter_share else None,
                })  # fmt: skip
                log(f"{rule} heading {heading_id}: {per_heading[-1]['seconds']} s")
            results[rule] = {
                "total_s": round(sum(h["seconds"] for h in per_heading), 3),
                "max_heading_s": max(h["seconds"] for h in per_heading),
                "headings": per_heading,
            }  # fmt: skip
    return results


def run(database_url, args):
    from participation import create_app
    from participation.config import Config

    os.environ.update(load_data.bench_env(database_url, WORKDIR / "instance"))
    load_data.migrate(database_url, WORKDIR / "instance")
    app = create_app(Config)
    ballots = BALLOTS // 20 if args.quick else BALLOTS
    started = time.monotonic()
    heading_ids, choices = build(app, ballots)
    log(f"{ballots} ballots with {choices} choices written in {time.monotonic() - started:.1f} s")
    busy = host.other_cpu_seconds()
    measured = time.monotonic()
    results = measure(app, heading_ids)
    elapsed = time.monotonic() - measured
    both = results["greedy"]["total_s"] + results["equal_shares"]["total_s"]
    return {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": host.basics(), "database": args.database, "ballots": ballots,
        "choices": choices, "headings": HEADINGS, "projects": HEADINGS * PROJECTS_PER_HEADING,
        "money_per_heading": MONEY, "results": results, "both_rules_s": round(both, 3),
        "target_s": TARGET_S, "pass": both < TARGET_S,
        "other_processes_cores": round((host.other_cpu_seconds() - busy) / elapsed, 2),
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py."""
    db = document["database"]
    scenario = (f"{document['ballots']:,} ballots, {document['projects']} projects, "
                f"{document['headings']} headings")  # fmt: skip
    verdict = "PASS" if document["pass"] else "FAIL"
    out = [row("budgets", db, scenario, "count with both rules, all headings",
               document["both_rules_s"], "s", f"< {document['target_s']} s", verdict)]  # fmt: skip
    for rule in ("greedy", "equal_shares"):
        result = document["results"][rule]
        out.append(row("budgets", db, scenario, f"{rule}: all headings / slowest heading",
                       f"{result['total_s']} / {result['max_heading_s']}", "s"))  # fmt: skip
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="1/20 of the ballots")
    parser.add_argument("--output", default=str(BENCH / "budget_results.json"))
    args = parser.parse_args()
    WORKDIR.mkdir(parents=True, exist_ok=True)
    if args.database == "postgres":
        from tests.services import postgres

        with postgres() as url:
            document = run(url, args)
    else:
        path = WORKDIR / "budget.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        document = run(f"sqlite:///{path}", args)
    write_report(args.output, document, result_rows(document))


if __name__ == "__main__":
    main()
