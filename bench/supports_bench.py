"""Supports under contention: many residents supporting and withdrawing on the same proposals.

    .venv/bin/python bench/supports_bench.py                      # SQLite, full size
    .venv/bin/python bench/supports_bench.py --database postgres  # a throw-away PostgreSQL
    .venv/bin/python bench/supports_bench.py --quick              # a smoke check (~1 min)

Residents sign in over HTTP (the login form, its CSRF token and the session cookie, as a browser
does), read the proposal page for the support form's CSRF token, then press "Support" /
"Withdraw support" on the same three proposals over and over, as the page's script does (a form
POST with ``Accept: application/json``). Everything goes through the production server
(gunicorn with the page benchmark's configuration, bench/run.py) and the real operation path
(``votes.support_proposal`` / ``withdraw_support``, allowances counted: the process limits each
resident to 10 supports). A resident never has two presses in flight, as a browser disables the
button until the answer comes.

Measured: the highest throughput (closed loop, 16 residents pressing at once), then latency at a
steady 100 presses/s (open loop: press *i* is due at *start + i/100* whatever the server does
and its latency runs from then; a failed or unanswered press counts as infinitely slow). After
each run the database is checked: every proposal's ``support_count`` equals its support rows,
every allowance equals the resident's support rows, and every press the server acknowledged is
what the database holds (no lost update).

Target (2 cores, each database): at a steady 100 presses/s, p95 < 100 ms, no errors, ≥ 99%
answered, and the stored figures exact. Writes bench/supports_results.json.
"""

import argparse
import asyncio
import contextlib
import http.cookiejar
import json
import os
import random
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench")) / "supports"  # noqa: S108
PASSWORD = "bench-resident-password-2569"  # noqa: S105 - throw-away accounts
SLUG = "bench-supports"
HOT = 3  # the proposals everyone presses on
OTHER_PROPOSALS = 17
MAX_SUPPORTS = 10  # per resident in the process: allowances are counted on every press
SIZES = {
    "full": {"residents": 300, "background": 2_000, "warmup": 3, "closed": 20, "open": 30},
    "quick": {"residents": 40, "background": 200, "warmup": 2, "closed": 5, "open": 8},
}
CONNECTIONS = 16
RATE = 100  # presses/s
TARGET_P95_MS = 100
MIN_ANSWERED = pages_bench.MIN_ANSWERED
SEED = 2571


def log(message):
    print(f"[supports-bench] {message}", file=sys.stderr, flush=True)


# --- data ----------------------------------------------------------------------------------


def generate(residents, background, now):
    """One process in Reimagine; ``residents`` who will press, ``background`` who supported
    already (so the counters start high and the allowance table is not empty)."""
    from argon2 import PasswordHasher

    rng = random.Random(SEED)
    day = timedelta(days=1)
    t0 = now - 40 * day
    rows = {name: [] for name in load_data.ORDER}
    # The app's own Argon2 parameters (participation/config.py), so sign-in needs no rehash.
    password_hash = PasswordHasher(time_cost=3, memory_cost=65536).hash(PASSWORD)
    for i in range(1, residents + background + 1):
        rows["users"].append(dict(
            id=i, email=f"resident{i}@bench.ruamkid.test", display_name=f"ผู้ร่วม {i}",
            password_hash=password_hash, preferred_language="th", privacy_consent_version=1,
            privacy_consent_dt=t0, last_login_dt=None, created_dt=t0, modified_dt=t0,
        ))  # fmt: skip
    rows["municipalities"].append(dict(
        id=1, name_th="เทศบาลเมืองแม่เหียะ", name_en="Mae Hia Town Municipality",
        province_th="เชียงใหม่", province_en="Chiang Mai", tagline_th="", tagline_en="",
        population=120_000, created_dt=t0, modified_dt=t0,
    ))  # fmt: skip
    rows["areas"].append(dict(id=1, municipality_id=1, slug="nai-mueang", name_th="ในเมือง",
                              name_en="Town centre", population=10_000, position=1))  # fmt: skip
    rows["processes"].append(dict(
        id=1, slug=SLUG, title_th="งบประมาณชุมชน ร่วมกันเลือก", title_en="Choose together",
        summary_th="", summary_en="", description_th="", description_en="", cover_image=None,
        phase="reimagine", is_published=True, max_supports=MAX_SUPPORTS, support_threshold=100,
        edit_window_minutes=1440, created_by_id=1, created_dt=t0, modified_dt=t0,
        reframe_start=t0.date(), reframe_end=(t0 + 20 * day).date(),
        reimagine_start=(t0 + 21 * day).date(), reimagine_end=(now + 30 * day).date(),
        remake_start=(now + 31 * day).date(), remake_end=(now + 90 * day).date(),
    ))  # fmt: skip
    rows["process_areas"].append(dict(process_id=1, area_id=1))
    rows["categories"].append(dict(id=1, process_id=1, slug="roads", name_th="ถนน",
                                   name_en="Roads", position=1))  # fmt: skip
    search_text, markdown, _verify = load_data.text_helpers()
    for i in range(1, HOT + OTHER_PROPOSALS + 1):
        title = f"ซ่อมถนนซอย {i} หน้าโรงเรียน"
        body = "ถนนชำรุด น้ำท่วมขังเวลาฝนตก เด็กเดินไปโรงเรียนลำบาก"
        created = t0 + 22 * day
        rows["contributions"].append(dict(
            id=i, process_id=1, kind="proposal", author_id=residents + 1 + i, title=title,
            body=body, body_html=markdown(body), category_id=1, area_id=1, status="open",
            support_count=0, affected_count=0, comment_count=0, version=1, edited_dt=None,
            withdrawn_dt=None, search_text=search_text(title, body), created_dt=created,
            modified_dt=created,
        ))  # fmt: skip
    sid = 0
    for user_id in range(residents + 1, residents + background + 1):
        chosen = rng.sample(range(1, HOT + OTHER_PROPOSALS + 1), rng.randint(1, 4))
        for proposal_id in chosen:
            sid += 1
            rows["contributions"][proposal_id - 1]["support_count"] += 1
            rows["supports"].append(
                (sid, proposal_id, 1, user_id, t0 + 25 * day + rng.random() * 10 * day)
            )
        rows["support_allowances"].append(dict(user_id=user_id, process_id=1, used=len(chosen)))
    return rows


def build(database_url, instance, size):
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    instance.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_data.migrate(database_url, instance)
    rows = generate(size["residents"], size["background"], datetime.now(UTC).replace(microsecond=0))
    load_data.ORDER = [name for name in load_data.ORDER if rows[name]]  # skip empty tables
    engine = sa.create_engine(database_url)
    writer = load_data.write_sqlite if engine.dialect.name == "sqlite" else load_data.write_postgres
    writer(engine, rows)
    engine.dispose()
    log(f"database ready in {time.perf_counter() - started:.1f} s")


# --- the stored figures --------------------------------------------------------------------


def check_integrity(database_url, expected=None):
    """Compare counters with rows, and the presses the server acknowledged with the rows.

    ``expected`` maps (user_id, proposal_id) to True/False: the state the last acknowledged
    press left (pairs whose last press failed are left out: their outcome is unknown)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            q = connection.exec_driver_sql
            counters = q(
                "SELECT c.id, c.support_count, (SELECT count(*) FROM supports s "
                "WHERE s.proposal_id = c.id) FROM contributions c WHERE c.kind = 'proposal'"
            ).all()
            allowances = q(
                "SELECT a.user_id, a.used, (SELECT count(*) FROM supports s WHERE s.user_id = "
                "a.user_id AND s.process_id = a.process_id) FROM support_allowances a"
            ).all()
            # Residents who support something have an allowance row counting it.
            missing_allowances = q(
                "SELECT count(DISTINCT s.user_id) FROM supports s LEFT JOIN support_allowances a "
                "ON a.user_id = s.user_id AND a.process_id = s.process_id WHERE a.user_id IS NULL"
            ).scalar()
            rows = set(q("SELECT user_id, proposal_id FROM supports").all())
            total = q("SELECT count(*) FROM supports").scalar()
    finally:
        engine.dispose()
    wrong_counts = [(pid, count, real) for pid, count, real in counters if count != real]
    wrong_allowances = [(uid, used, real) for uid, used, real in allowances if used != real]
    disagreements = 0
    for pair, supported in (expected or {}).items():
        if supported is not None and (pair in rows) != supported:
            disagreements += 1
    return {
        "supports": total,
        "hot_support_counts": {pid: count for pid, count, _ in counters if pid <= HOT},
        "counters_differing_from_rows": len(wrong_counts),
        "counter_drift": sum(abs(count - real) for _, count, real in wrong_counts),
        "allowances_differing_from_rows": len(wrong_allowances) + (missing_allowances or 0),
        "acknowledged_presses_checked": sum(1 for v in (expected or {}).values() if v is not None),
        "acknowledged_presses_not_stored": disagreements,
    }


def integrity_ok(check):
    return (
        check["counters_differing_from_rows"] == 0
        and check["allowances_differing_from_rows"] == 0
        and check["acknowledged_presses_not_stored"] == 0
    )


# --- residents -----------------------------------------------------------------------------

CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')


def sign_in(port, user_id):
    """Sign in through the login form; return (Cookie header, the support form's CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"Accept-Language": "th", "User-Agent": "ruamkid-bench"}

    def fetch(path, data=None):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, headers)
        with opener.open(request, timeout=60) as response:  # noqa: S310 - http, loopback
            return response.status, response.read()

    _status, page = fetch("/login")
    form = urllib.parse.urlencode({
        "csrf_token": CSRF.search(page).group(1).decode(), "next": "",
        "email": f"resident{user_id}@bench.ruamkid.test", "password": PASSWORD,
    }).encode()  # fmt: skip
    status, page = fetch("/login", form)  # redirected to the home page, signed in
    if status != 200 or b'action="/logout"' not in page:
        raise SystemExit(f"resident {user_id} could not sign in (status {status})")
    _status, page = fetch(f"/processes/{SLUG}/proposals/1")
    found = CSRF.search(page)
    if not found:
        raise SystemExit(f"no support form on proposal 1 for resident {user_id}")
    return "; ".join(f"{c.name}={c.value}" for c in jar), found.group(1).decode()


class Resident:
    __slots__ = ("user_id", "cookie", "token", "supports")

    def __init__(self, user_id, cookie, token):
        self.user_id, self.cookie, self.token = user_id, cookie, token
        self.supports = {}  # proposal id -> True/False after an acknowledged press, None: unknown


SIGN_IN_AT_ONCE = 3  # as many as the server has workers


def sign_in_all(port, user_ids):
    """Sign everyone in; return (residents, sign-ins answered 500 and tried again).

    Until 259f5b5 a sign-in on SQLite held the write lock while it checked the password
    (Argon2), so concurrent sign-ins queued for it and, on a loaded machine, one could outwait
    the busy timeout (5 s). Sign-ins are not what this benchmark measures: it signs in a few at
    a time and counts the retries."""
    retries = []

    def one(user_id):
        try:
            return (user_id, *sign_in(port, user_id))
        except urllib.error.HTTPError as error:
            if error.code != 500:
                raise
            retries.append(user_id)
            return (user_id, *sign_in(port, user_id))

    with ThreadPoolExecutor(SIGN_IN_AT_ONCE) as pool:
        signed = list(pool.map(one, user_ids))
    return [Resident(uid, cookie, token) for uid, cookie, token in signed], len(retries)


# --- pressing ------------------------------------------------------------------------------


class Presses:
    """Sends presses and records them (latency, errors, what the server acknowledged)."""

    def __init__(self, port, rng):
        self.port, self.rng = port, rng
        self.rec = loadgen.Recorder()
        self.kinds = {"support": 0, "withdraw": 0}

    def raw(self, resident, proposal_id, wanted):
        body = urllib.parse.urlencode(
            {"csrf_token": resident.token, "support": "1" if wanted else "0"}
        ).encode()
        return (
            f"POST /processes/{SLUG}/proposals/{proposal_id}/support HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.port}\r\nUser-Agent: ruamkid-bench\r\n"
            f"Accept: application/json\r\nAccept-Language: th\r\nCookie: {resident.cookie}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def press(self, resident, start):
        """One press on a hot proposal: support it if the resident does not, else withdraw."""
        proposal_id = self.rng.randint(1, HOT)
        known = resident.supports.get(proposal_id)
        wanted = not known if known is not None else self.rng.random() < 0.5
        client = loadgen.Client("127.0.0.1", self.port, None, self.rec, keep_body=True)
        resident.supports[proposal_id] = None  # unknown until the server answers
        try:
            response = await client.send(self.raw(resident, proposal_id, wanted))
        except TimeoutError:
            self.rec.timeouts += 1
            self.rec.error("time-out")
            return
        except (OSError, ConnectionError) as error:
            self.rec.error(f"{type(error).__name__}: {error}")
            return
        finally:
            client.close()
        latency = time.perf_counter() - start
        self.rec.statuses[response.status] = self.rec.statuses.get(response.status, 0) + 1
        answer = None
        with contextlib.suppress(ValueError, TypeError):
            answer = json.loads(response.body)
        if (
            response.status == 200
            and answer
            and answer.get("ok")
            and (answer.get("supported") is wanted)
        ):
            resident.supports[proposal_id] = wanted
            self.kinds["support" if wanted else "withdraw"] += 1
            self.rec.latencies.append(latency)
        elif response.status == 200:
            self.rec.bad_bodies += 1
            self.rec.error(f"200 with an unexpected answer: {response.body[:200]!r}")
        else:
            self.rec.error(f"status {response.status}: {(response.body or b'')[:200]!r}")

    async def closed(self, residents, connections, duration):
        """``connections`` residents press at once, each as soon as its last answer is in."""
        idle = list(residents)
        self.rng.shuffle(idle)
        deadline = time.perf_counter() + duration
        sent = [0]

        async def slot():
            while time.perf_counter() < deadline:
                resident = idle.pop(0)
                sent[0] += 1
                await self.press(resident, time.perf_counter())
                idle.append(resident)

        started = time.perf_counter()
        await asyncio.gather(*(slot() for _ in range(connections)))
        return time.perf_counter() - started, sent[0]

    async def open(self, residents, rate, duration):
        """Press *i* is due at start + i/rate; an idle resident makes it (or the first to be
        free, when all are busy); latency counts from when it was due."""
        idle = list(residents)
        self.rng.shuffle(idle)
        waiting = []
        total = int(rate * duration)
        done = asyncio.Event()
        finished = [0]
        tasks = set()

        async def resident_presses(resident, due):
            while True:
                await self.press(resident, due)
                finished[0] += 1
                if finished[0] == total:
                    done.set()
                if not waiting:
                    idle.append(resident)
                    return
                due = waiting.pop(0)

        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        for i in range(total):
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if not idle:
                waiting.append(due)
                continue
            task = loop.create_task(resident_presses(idle.pop(0), due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        window = time.perf_counter() - started
        try:
            await asyncio.wait_for(done.wait(), loadgen.REQUEST_TIMEOUT * 2)
        except TimeoutError:
            unfinished = total - finished[0]
            self.rec.timeouts += unfinished
            self.rec.errors += unfinished
            self.rec.first_error = self.rec.first_error or "presses unfinished at the end"
        for task in list(tasks):
            task.cancel()
        return time.perf_counter() - started, total, window


def measured(port, master_pid, run_presses, mode, rng):
    """Run presses with CPU accounting (as bench/run.py measures pages); return the summary."""
    quiet_before = pages_bench.wait_until_quiet()
    load_before = os.getloadavg()
    presses = Presses(port, rng)
    own0, server0 = pages_bench.own_cpu(), pages_bench.tree_cpu(master_pid)
    sys0, idle0 = pages_bench.system_cpu()
    outcome = asyncio.run(run_presses(presses))
    server_cpu = pages_bench.tree_cpu(master_pid) - server0
    sys1, idle1 = pages_bench.system_cpu()
    own = pages_bench.own_cpu() - own0
    busy = (sys1 - sys0) - (idle1 - idle0)
    elapsed, sent = outcome[0], outcome[1]
    extra = {"presses": dict(presses.kinds)}
    if mode.startswith("open"):
        extra["achieved_send_rps"] = round(sent / outcome[2], 1) if outcome[2] else None
    result = loadgen.summarise(
        presses.rec, elapsed, sent, mode, extra, failures_count_as_infinite=mode.startswith("open")
    )
    result["server_cpu_pct"] = round(100 * server_cpu / elapsed, 1)
    result["server_cpu_ms_per_press"] = (
        round(1000 * server_cpu / result["ok"], 2) if result["ok"] else None
    )
    # Everything else the benchmark runs (the generator, PostgreSQL), and everyone else.
    result["benchmark_other_cpu_pct"] = round(100 * (own - server_cpu) / elapsed, 1)
    result["foreign_cpu_pct"] = round(max(0.0, 100 * (busy - own) / elapsed), 1)
    result["foreign_cpu_pct_before"] = quiet_before
    result["loadavg_before"] = [round(v, 2) for v in load_before]
    result["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    return result


def expected_state(residents):
    return {(r.user_id, pid): state for r in residents for pid, state in r.supports.items()}


def run_database(kind, size):
    started = time.monotonic()
    with pages_bench.database_server(kind, WORKDIR) as url:
        instance = WORKDIR / kind
        build(url, instance, size)
        before = check_integrity(url)
        if not integrity_ok(before):
            raise SystemExit(f"the generated data is inconsistent: {before}")
        env = pages_bench.server_env(url, instance)
        server = pages_bench.DEFAULT_SERVER
        logs = WORKDIR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        server_log = logs / f"{kind}-app.log"
        server_log.unlink(missing_ok=True)
        rng = random.Random(SEED)
        with pages_bench.serve("wsgi:app", server, env, "/healthz", log_path=server_log) as (
            port,
            pid,
        ):
            log(f"{kind}: {size['residents']} residents sign in")
            t0 = time.monotonic()
            residents, sign_in_retries = sign_in_all(port, range(1, size["residents"] + 1))
            signed_in_s = round(time.monotonic() - t0, 1)
            pressing_from = server_log.stat().st_size if server_log.exists() else 0
            log(f"{kind}: warming up ({size['warmup']} s)")
            measured(port, pid, lambda p: p.closed(residents, 4, size["warmup"]), "closed", rng)
            log(f"{kind}: closed loop, {CONNECTIONS} residents at once, {size['closed']} s")
            peak = measured(
                port, pid, lambda p: p.closed(residents, CONNECTIONS, size["closed"]),
                f"closed c={CONNECTIONS}", rng,
            )  # fmt: skip
            pages_bench.settle(pid)
            peak["integrity"] = check_integrity(url, expected_state(residents))
            log(f"{kind}: max {peak['throughput_rps']} presses/s, p50/p95/p99 {peak['p50_ms']}/"
                f"{peak['p95_ms']}/{peak['p99_ms']} ms, errors {peak['errors']} "
                f"({peak['first_error']}); {peak['integrity']}")  # fmt: skip
            log(f"{kind}: open loop, {RATE} presses/s, {size['open']} s")
            steady = measured(
                port, pid, lambda p: p.open(residents, RATE, size["open"]), f"open {RATE}/s", rng
            )
            pages_bench.settle(pid)
            steady["integrity"] = check_integrity(url, expected_state(residents))
            log(f"{kind}: at {RATE}/s p50/p95/p99 {steady['p50_ms']}/{steady['p95_ms']}/"
                f"{steady['p99_ms']} ms, errors {steady['errors']} ({steady['first_error']}); "
                f"{steady['integrity']}")  # fmt: skip
    return {
        "database": kind, "residents": size["residents"], "background_residents":
        size["background"], "hot_proposals": HOT, "max_supports": MAX_SUPPORTS,
        "signed_in_s": signed_in_s, "sign_in_retries": sign_in_retries, "before": before,
        "max": peak, "steady": steady,
        # While pressing (sign-in retries are counted above).
        "server_tracebacks": server_log.read_bytes()[pressing_from:].count(b"Traceback"),
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip


# --- verdicts and the table ----------------------------------------------------------------


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py."""
    from rows import row

    out = []
    for result in document["results"]:
        db = result["database"]
        peak, steady = result["max"], result["steady"]
        scenario = f"{result['residents']} residents on {result['hot_proposals']} proposals"
        steady_ok = pages_bench.steady_pass(steady, TARGET_P95_MS)
        out += [
            row("supports", db, scenario, f"max throughput ({CONNECTIONS} at once)",
                peak["throughput_rps"], "presses/s"),
            row("supports", db, scenario, "max: p50 / p99", _pair(peak, "p50_ms", "p99_ms"), "ms"),
            row("supports", db, scenario, f"at {RATE}/s: p50 / p95 / p99",
                _pair(steady, "p50_ms", "p95_ms", "p99_ms"), "ms",
                f"p95 < {TARGET_P95_MS} ms, 0 errors", "PASS" if steady_ok else "FAIL"),
            row("supports", db, scenario, f"at {RATE}/s: errors, answered",
                f"{steady['errors']}, {steady['ok']} of {steady['requests']}"),
            row("supports", db, scenario, "server tracebacks while pressing; sign-in retries",
                f"{result['server_tracebacks']}; {result.get('sign_in_retries', 0)}"),
        ]  # fmt: skip
        for label, run in (("after max", peak), (f"after {RATE}/s", steady)):
            check = run["integrity"]
            out.append(row(
                "supports", db, scenario, f"{label}: counters / allowances / presses wrong",
                f"{check['counters_differing_from_rows']} / "
                f"{check['allowances_differing_from_rows']} / "
                f"{check['acknowledged_presses_not_stored']} "
                f"(of {check['acknowledged_presses_checked']})",
                "", "0 / 0 / 0", "PASS" if integrity_ok(check) else "FAIL",
            ))  # fmt: skip
    return out


def _pair(run, *keys):
    return " / ".join("inf" if run[k] is None else str(run[k]) for k in keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="few residents, short runs")
    parser.add_argument("--output", default=str(BENCH / "supports_results.json"))
    args = parser.parse_args()
    if args.quick:
        pages_bench.QUIET_WAIT["s"] = 20
    size = SIZES["quick" if args.quick else "full"]
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    started = time.monotonic()
    results = [run_database(kind, size) for kind in kinds]
    document = {
        "benchmark": "supports",
        "machine": pages_bench.machine_info(),
        "quick": args.quick,
        "server": " ".join(pages_bench.gunicorn_command("wsgi:app", 0, pages_bench.DEFAULT_SERVER)),
        "environment": "RUAMKID_ENV=production SESSION_COOKIE_SECURE=false MAIL_BACKEND=log "
        "RATELIMIT_ENABLED=false",
        "targets": {"rate": RATE, "p95_ms": TARGET_P95_MS, "min_answered": MIN_ANSWERED,
                    "integrity": "counters, allowances and acknowledged presses equal the rows"},
        "results": results,
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip
    from rows import write_report

    write_report(args.output, document, result_rows(document))


if __name__ == "__main__":
    main()
