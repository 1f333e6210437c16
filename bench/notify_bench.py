"""Notifications at scale: a council answer to a much-followed proposal, and the daily digest.

    .venv/bin/python bench/notify_bench.py               # full size, SQLite
    .venv/bin/python bench/notify_bench.py --quick       # a tenth of it: a smoke run
    .venv/bin/python bench/notify_bench.py --scale 0.5

Two measurements, both on a migrated SQLite database in the bench folder, with the real app
in this process (Flask's test client: the request's own time, no HTTP server in front):

- ``answer``: a council member publishes answers (``POST .../proposals/<id>/response``) to a
  proposal followed by 10,000 residents and to one followed by nobody, alternating, with the
  job queue on (huey, SQLite) and no worker running meanwhile: the p95 of the two must be
  alike (the fan-out is queued, not done by the request). Then one more answer, and the
  worker's part run at once in this process: the time from the request's start until all
  10,000 site notifications exist (target 5 s).
- ``digest``: 100,000 residents with 1,000,000 pending daily e-mail deliveries (10 each, on
  1,000 proposals): ``notifications.send_digest`` finds them and hands them to the e-mail
  channel's sender, 1,000 people per call; first a sender that marks each batch sent with one
  UPDATE and counts (finding and handing). Then the same deliveries, pending again, go to the
  real e-mail sender with the ``memory`` backend (its outbox only counts the bytes that would
  go to the SMTP server): it renders each of the 100 different digests once and fills in each
  person's name, address and unsubscribe link, writes every message as bytes and records each
  delivery. Target: under 60 s each. For
  comparison, one person's digest built on its own (``digest.group`` plus rendering), on a
  sample.
- ``line``: the same 100,000 residents have linked LINE and have 1,000,000 pending daily LINE
  deliveries (on the same notifications). ``notifications.send_digest`` hands them to the real
  LINE sender, which builds each person's text, groups people whose digest reads the same and
  queues one ``line.send`` job per 500 of them (target: under 60 s); then the queued jobs run,
  in this process, against a fake LINE server on loopback (tests/line/fake_line.py) that
  counts the API calls (about recipients / 500 when digests repeat: here residents follow the
  same proposals in groups, 100 different digests in all).

Writes bench/notify_results.json (or --output). The machine is shared: the load average and
the other processes' CPU are recorded.
"""

import argparse
import json
import os
import sqlite3
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

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench")) / "notify"  # noqa: S108
FULL = {"followers": 10_000, "residents": 100_000, "per_resident": 10, "proposals": 1_000}
ANSWER_TARGET_S = 5.0
DIGEST_TARGET_S = 60.0
PASSWORD = "a long bench password 2569"  # noqa: S105 - a throw-away bench account


def log(message):
    print(f"[notify-bench] {message}", file=sys.stderr, flush=True)


def _app(path):
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    jobs = WORKDIR / "jobs.sqlite3"
    jobs.unlink(missing_ok=True)
    os.environ.update(
        DATABASE_URL=f"sqlite:///{path}",
        RUAMKID_INSTANCE_DIR=str(WORKDIR),
        RUAMKID_ENV="development",
        JOBS_SQLITE_PATH=str(jobs),
    )
    from flask_migrate import upgrade

    from participation import create_app
    from participation.config import Config

    class BenchConfig(Config):
        def __init__(self):
            super().__init__()
            self.WTF_CSRF_ENABLED = False
            self.RATELIMIT_ENABLED = False
            self.JOBS_IMMEDIATE = False
            self.MAIL_BACKEND = "memory"
            self.FORM_MIN_SECONDS = 0
            self.ARGON2_TIME_COST, self.ARGON2_MEMORY_KIB = 1, 1024

    app = create_app(BenchConfig())
    with app.app_context():
        upgrade()
    return app


def _now():
    return datetime.now(UTC).isoformat(sep=" ")


def _bulk_users(path, first_id, count):
    now = _now()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA synchronous=OFF")
        connection.executemany(
            "INSERT INTO users (id, email, display_name, password_hash, preferred_language, "
            "privacy_consent_version, privacy_consent_dt, show_supports, suspension_reason, "
            "created_dt, modified_dt) VALUES (?, ?, ?, 'x', 'th', 1, ?, 0, '', ?, ?)",
            (
                (i, f"p{i}@bench.ruamkid.test", f"ประชาชน {i}", now, now, now)
                for i in range(first_id, first_id + count)
            ),
        )


def _setup_process(app, proposals):
    """A municipality, a process in Remake, an author, a council member, ``proposals``."""
    from participation.accounts import operations as accounts
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.proposals import operations

    with app.app_context():
        now = datetime.now(UTC)
        db.session.execute(
            db.text(
                "INSERT INTO municipalities (id, name_th, name_en, province_th, province_en, "
                "tagline_th, tagline_en, population, created_dt, modified_dt) VALUES "
                "(1, 'เทศบาล', 'Municipality', '', '', '', '', 1, :now, :now)"
            ),
            {"now": now},
        )
        process = Process(
            slug="bench-notify",
            title_th="กระบวนการทดสอบ",
            title_en="Bench",
            phase="reimagine",
            is_published=True,
            support_threshold=3,
            edit_window_minutes=1440,
        )
        db.session.add(process)
        author = accounts.register_user(
            email="author@bench.ruamkid.test",
            display_name="ผู้เสนอ",
            password=PASSWORD,
            preferred_language="th",
            consent=True,
        )
        council = accounts.register_user(
            email="council@bench.ruamkid.test",
            display_name="สมาชิกสภา",
            password=PASSWORD,
            preferred_language="th",
            consent=True,
        )
        accounts.grant_role(council, "council")
        db.session.flush()
        ids = [
            operations.create_proposal(
                process, author, {"title": f"ข้อเสนอที่ {n}", "body": "รายละเอียด"}
            ).id
            for n in range(proposals)
        ]
        process.phase = "remake"
        db.session.commit()
        return process.slug, ids, author.id


def _p(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_answer(followers, rounds):
    """p95 of the publishing request with ``followers`` and with none; then time to notify all."""
    from participation.extensions import db
    from participation.notifications.models import Notification

    path = WORKDIR / "answer.sqlite3"
    app = _app(path)
    slug, (followed, lonely), _author = _setup_process(app, 2)
    _bulk_users(path, 1000, followers)
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO follows (user_id, contribution_id, created_dt) VALUES (?, ?, ?)",
            ((i, followed, _now()) for i in range(1000, 1000 + followers)),
        )
    huey = app.extensions["jobs"].huey
    client = app.test_client()
    client.post("/login", data={"email": "council@bench.ruamkid.test", "password": PASSWORD})
    statuses = ("evaluating", "accepted")

    def answer(item_id, n):
        started = time.perf_counter()
        response = client.post(
            f"/processes/{slug}/proposals/{item_id}/response",
            data={"status": statuses[n % 2], "body": f"คำตอบครั้งที่ {n}"},
        )
        elapsed = time.perf_counter() - started
        if response.status_code not in (200, 302):
            raise RuntimeError(f"the answer was refused: {response.status_code}")
        return elapsed

    for n in range(3):  # warm up
        answer(followed, n), answer(lonely, n)
    times = {"followers": [], "none": []}
    for n in range(rounds):
        pair = [("followers", followed), ("none", lonely)]
        for name, item_id in pair if n % 2 else reversed(pair):
            times[name].append(answer(item_id, n + 3))
    queued = huey.pending_count()
    huey.flush()  # the backlog of the p95 rounds is not part of what follows
    with app.app_context():
        db.session.execute(db.delete(Notification))
        db.session.commit()

    started = time.perf_counter()
    answer(followed, 99)
    ran = 0
    while (task := huey.dequeue()) is not None:  # the worker's part, in this process
        huey.execute(task)
        ran += 1
    until_all = time.perf_counter() - started
    with app.app_context():
        told = db.session.scalar(db.select(db.func.count()).select_from(Notification))
    summary = {
        name: {
            "p50_ms": round(statistics.median(v) * 1000, 2),
            "p95_ms": round(_p(v, 0.95) * 1000, 2),
            "max_ms": round(max(v) * 1000, 2),
            "n": len(v),
        }
        for name, v in times.items()
    }
    return {
        "followers": followers,
        "rounds": rounds,
        "requests": summary,
        "jobs_queued_by_the_rounds": queued,
        "all_notified_s": round(until_all, 3),
        "notifications_written": told,
        "jobs_run": ran,
        "pass": told >= followers and until_all < ANSWER_TARGET_S,
    }


FIRST_RESIDENT = 1000


def _digest_data(name, channel, residents, per_resident, proposals):
    """A migrated database ``name`` where ``residents`` people each have ``per_resident``
    pending daily deliveries on ``channel`` (comments on the proposals, in groups: 100
    different digests); LINE's residents have linked LINE. Returns ``(app, path, total)``."""
    import secrets

    path = WORKDIR / f"{name}.sqlite3"
    app = _app(path)
    _slug, proposal_ids, _author = _setup_process(app, proposals)
    started = time.perf_counter()
    first = FIRST_RESIDENT
    _bulk_users(path, first, residents)
    created = (datetime.now(UTC) - timedelta(hours=3)).isoformat(sep=" ")
    total = residents * per_resident
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA synchronous=OFF")
        if channel == "line":
            connection.executemany(
                "INSERT INTO line_accounts (user_id, line_user_id, is_following, linked_dt) "
                "VALUES (?, ?, 1, ?)",
                ((first + n, "U" + secrets.token_hex(16), created) for n in range(residents)),
            )
        connection.executemany(
            "INSERT INTO notifications (id, user_id, kind, process_id, contribution_id, "
            "created_dt) VALUES (?, ?, 'comment', 1, ?, ?)",
            (
                (n + 1, first + n // per_resident, proposal_ids[n % len(proposal_ids)], created)
                for n in range(total)
            ),
        )
        connection.executemany(
            "INSERT INTO notification_deliveries (id, notification_id, user_id, channel, "
            "frequency, state, attempts, created_dt) "
            "VALUES (?, ?, ?, ?, 'daily', 'pending', 0, ?)",
            ((n + 1, n + 1, first + n // per_resident, channel, created) for n in range(total)),
        )
    log(
        f"{total:,} pending {channel} deliveries of {residents:,} residents written in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return app, path, total


def _timed_digest(app, channel):
    """Run today's daily digest of ``channel``; return its seconds and the deliveries left
    pending."""
    from participation.extensions import db
    from participation.notifications import dispatch
    from participation.notifications.models import Delivery

    with app.app_context():
        started = time.perf_counter()
        dispatch.send_digest(channel, "daily", datetime.now(UTC).isoformat())
        db.session.commit()
        seconds = time.perf_counter() - started
        left = db.session.scalar(
            db.select(db.func.count()).select_from(Delivery).where(Delivery.state == "pending")
        )
    return seconds, left


def bench_digest(residents, per_resident, proposals):
    """Hand 1,000,000 pending daily deliveries of 100,000 people to the e-mail sender."""
    from participation.extensions import db
    from participation.notifications import channels, digest
    from participation.notifications import mail as email_channel
    from participation.notifications.channels import Sender
    from participation.notifications.models import Channel, Delivery

    app, path, total = _digest_data("digest", "email", residents, per_resident, proposals)
    first_id = FIRST_RESIDENT

    handed = {"calls": 0, "people": 0, "deliveries": 0}

    def counting_sender(people, frequency):
        ids = [i for batch in people.values() for i in batch]
        handed["calls"] += 1
        handed["people"] += len(people)
        handed["deliveries"] += len(ids)
        db.session.execute(db.update(Delivery).where(Delivery.id.in_(ids)).values(state="sent"))

    real = channels.sender_for(Channel.EMAIL)
    channels.register(
        Sender(
            channel=Channel.EMAIL,
            reachable=real.reachable,
            send_now=real.send_now,
            send_digest=counting_sender,
        )
    )
    try:
        handed_s, left = _timed_digest(app, "email")
    finally:
        channels.register(real)

    # The real e-mail sender builds and hands every digest: the "memory" backend, its outbox
    # only counting (and keeping the first and last message) so 100,000 e-mails need no RAM.
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE notification_deliveries SET state = 'pending', sent_dt = NULL, result = NULL"
        )
    from participation.core import mail as core_mail

    class CountingOutbox:
        """Counts the messages' bytes as they would go to the SMTP server; reads the first
        and the last back at the end."""

        def __init__(self):
            self.count, self.bytes, self.first, self.last = 0, 0, None, None

        def append_sent(self, data):
            self.count += 1
            self.bytes += len(data)
            self.first = self.first or data
            self.last = data

    box = CountingOutbox()
    keep_outbox = core_mail.outbox
    core_mail.outbox = lambda: box
    try:
        email_s, email_left = _timed_digest(app, "email")
    finally:
        core_mail.outbox = keep_outbox
    first, last = core_mail.read_message(box.first), core_mail.read_message(box.last)
    own_links = (
        first["To"] != last["To"]
        and first["List-Unsubscribe"] != last["List-Unsubscribe"]
        and first["List-Unsubscribe"][1:-1] in first.get_body(("plain",)).get_content()
    )

    # The cost per person of building one digest on its own (``digest.group`` and rendering,
    # as the sender did before it shared renderings), on a sample.
    sample = 200
    with app.app_context():
        from flask_babel import force_locale

        from participation.accounts.models import User
        from participation.notifications.models import Frequency

        people = db.session.execute(
            db.select(Delivery.user_id, Delivery.id).where(Delivery.user_id < first_id + sample)
        ).all()
        by_person = {}
        for user_id, delivery_id in people:
            by_person.setdefault(user_id, []).append(delivery_id)
        started = time.perf_counter()
        for user_id, ids in by_person.items():
            user = db.session.get(User, user_id)
            with force_locale("th"):
                groups = digest.group(ids)
            email_channel.render_digest(user, Frequency.DAILY, groups, {"comment"})
        per_person_ms = (time.perf_counter() - started) / len(by_person) * 1000
    return {
        "residents": residents,
        "deliveries": total,
        "handed_s": round(handed_s, 3),
        "handed": handed,
        "left_pending": left,
        "email_s": round(email_s, 3),
        "email_messages": box.count,
        "email_ms_per_person": round(email_s / max(box.count, 1) * 1000, 3),
        "email_kb_per_message": round(box.bytes / max(box.count, 1) / 1024, 1),
        "email_left_pending": email_left,
        "email_own_links": own_links,
        "different_digests": min(residents, proposals // per_resident),
        "email_build_ms_per_person": round(per_person_ms, 2),
        "sample_people": len(by_person),
        "pass": handed["deliveries"] == total and handed_s < DIGEST_TARGET_S,
        "email_pass": box.count == residents
        and email_left == 0
        and own_links
        and email_s < DIGEST_TARGET_S,
    }


def bench_line_digest(residents, per_resident, proposals):
    """Hand 1,000,000 pending daily LINE deliveries of 100,000 linked residents to LINE."""
    from participation.extensions import db
    from participation.jobs import models as job_models
    from participation.jobs import run as run_job
    from participation.notifications import dispatch
    from participation.notifications.models import Delivery
    from tests.line import fake_line

    fake, stop = fake_line.start()
    os.environ.update(
        LINE_LOGIN_CHANNEL_ID=fake.channel_id,
        LINE_LOGIN_CHANNEL_SECRET=fake.login_secret,
        LINE_CHANNEL_SECRET=fake.channel_secret,
        LINE_CHANNEL_ACCESS_TOKEN=fake.access_token,
        LINE_API_URL=fake.url,
        LINE_ACCESS_URL=fake.url,
        LINE_MONTHLY_QUOTA=str(10 * residents),
    )
    try:
        app, _path, total = _digest_data("line", "line", residents, per_resident, proposals)
        with app.app_context():
            started = time.perf_counter()
            dispatch.send_digest("line", "daily", datetime.now(UTC).isoformat())
            db.session.commit()
            handed_s = time.perf_counter() - started
            job_ids = db.session.scalars(
                db.select(job_models.Job.id).where(job_models.Job.name == "line.send")
            ).all()
        started = time.perf_counter()
        for job_id in job_ids:
            run_job(app, job_id)
        sent_s = time.perf_counter() - started
        with app.app_context():
            states = dict(
                db.session.execute(
                    db.select(Delivery.state, db.func.count()).group_by(Delivery.state)
                ).all()
            )
        calls = fake.messages()
        per_text = {}
        for call in calls:
            to = call.body["to"]
            text = call.body["messages"][0]["text"]
            per_text[text] = per_text.get(text, 0) + (len(to) if isinstance(to, list) else 1)
        recipients = sum(per_text.values())
    finally:
        stop()
    return {
        "residents": residents,
        "deliveries": total,
        "handed_s": round(handed_s, 3),
        "jobs": len(job_ids),
        "sent_s": round(sent_s, 3),
        "api_calls": len(calls),
        "recipients": recipients,
        "different_digests": len(per_text),
        # The fewest calls multicast allows: each different text to its people, 500 a call.
        "fewest_calls": sum(-(-count // 500) for count in per_text.values()),
        "recipients_over_500": -(-recipients // 500),
        "states": states,
        "pass": states.get("sent", 0) == total and handed_s < DIGEST_TARGET_S,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes")
    parser.add_argument("--rounds", type=int, default=40, help="answers per p95")
    parser.add_argument("--quick", action="store_true", help="a smoke run: --scale 0.1")
    parser.add_argument(
        "--database", choices=("sqlite",), default="sqlite", help="SQLite (PostgreSQL: not yet)"
    )
    parser.add_argument("--only", choices=("answer", "digest", "line"), action="append")
    parser.add_argument("--output", default=str(BENCH / "notify_results.json"))
    args = parser.parse_args()
    if args.quick:
        args.scale, args.rounds = min(args.scale, 0.1), min(args.rounds, 15)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    only = args.only or ["answer", "digest", "line"]
    load_at_start = os.getloadavg()
    others_before, started = host.other_cpu_seconds(), time.monotonic()
    report = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": host.basics(),
        "database": args.database,
        "scale": args.scale,
        "answer_target_s": ANSWER_TARGET_S,
        "digest_target_s": DIGEST_TARGET_S,
    }
    if "answer" in only:
        report["answer"] = bench_answer(max(10, int(FULL["followers"] * args.scale)), args.rounds)
        log(json.dumps(report["answer"]))
    if "digest" in only:
        report["digest"] = bench_digest(
            max(10, int(FULL["residents"] * args.scale)), FULL["per_resident"], FULL["proposals"]
        )
        log(json.dumps(report["digest"]))
    if "line" in only:
        report["line"] = bench_line_digest(
            max(10, int(FULL["residents"] * args.scale)), FULL["per_resident"], FULL["proposals"]
        )
        log(json.dumps(report["line"]))
    elapsed = time.monotonic() - started
    report["other_processes_cores"] = round((host.other_cpu_seconds() - others_before) / elapsed, 2)
    report["load_average_at_start"] = [round(x, 2) for x in load_at_start]
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    from rows import print_table

    print_table(result_rows(report))


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py."""
    from rows import row

    db = document.get("database", "sqlite")
    out = []
    answer = document.get("answer")
    if answer:
        scenario = f"council answer, {answer['followers']:,} followers"
        for name, figures in answer["requests"].items():
            out.append(row("notify", db, scenario, f"request p95, {name}", figures["p95_ms"], "ms"))
        out.append(
            row(
                "notify",
                db,
                scenario,
                "until every site notification exists",
                answer["all_notified_s"],
                "s",
                f"< {document['answer_target_s']} s",
                "PASS" if answer["pass"] else "FAIL",
            )
        )
    digest = document.get("digest")
    if digest:
        scenario = f"daily digest, {digest['residents']:,} residents, {digest['deliveries']:,}"
        out.append(
            row(
                "notify",
                db,
                scenario,
                "found and handed to the sender",
                digest["handed_s"],
                "s",
                f"< {document['digest_target_s']} s",
                "PASS" if digest["pass"] else "FAIL",
            )
        )
        if "email_s" in digest:
            out.append(
                row(
                    "notify",
                    db,
                    scenario,
                    f"e-mails built and handed by the real sender "
                    f"({digest['different_digests']} different digests)",
                    digest["email_s"],
                    "s",
                    f"< {document['digest_target_s']} s",
                    "PASS" if digest["email_pass"] else "FAIL",
                )
            )
            out.append(
                row(
                    "notify",
                    db,
                    scenario,
                    "e-mail per person, shared renderings",
                    digest["email_ms_per_person"],
                    "ms",
                )
            )
        out.append(
            row(
                "notify",
                db,
                scenario,
                "e-mail built per person on its own (sample)",
                digest["email_build_ms_per_person"],
                "ms",
            )
        )
    line = document.get("line")
    if line:
        scenario = f"LINE daily digest, {line['residents']:,} residents, {line['deliveries']:,}"
        out.append(
            row(
                "notify",
                db,
                scenario,
                "texts built, grouped and queued",
                line["handed_s"],
                "s",
                f"< {document['digest_target_s']} s",
                "PASS" if line["pass"] else "FAIL",
            )
        )
        out.append(
            row(
                "notify",
                db,
                scenario,
                f"API calls ({line['different_digests']} different digests)",
                line["api_calls"],
                "calls",
                f"= {line['fewest_calls']} (fewest; recipients/500: {line['recipients_over_500']})",
                "PASS" if line["api_calls"] == line["fewest_calls"] else "FAIL",
            )
        )
        out.append(row("notify", db, scenario, "queued jobs sent", line["sent_s"], "s"))
    out.append(
        row(
            "notify",
            db,
            "",
            "other processes meanwhile",
            document["other_processes_cores"],
            "cores",
        )
    )
    return out


if __name__ == "__main__":
    main()
