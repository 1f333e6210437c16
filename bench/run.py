"""The HTTP benchmark of Ruamkid: one entry point (``make bench`` runs it).

    .venv/bin/python bench/run.py                      # both databases, full size
    .venv/bin/python bench/run.py --database sqlite    # one database
    .venv/bin/python bench/run.py --quick              # small data, short runs (smoke check)
    .venv/bin/python bench/run.py --explore-workers    # compare gunicorn configurations

For each database: build the data (bench/load_data.py), serve the app with gunicorn (the
production server) and a bare Flask page with the same gunicorn configuration, then for each
page measure (a) the highest throughput, closed loop, and (b) latency at a steady offered rate
of 200 requests/s, open loop (bench/loadgen.py). Prints one table and writes bench/results.json.
Load goes to 127.0.0.1 only; every run is bounded in time.
"""

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import host  # noqa: E402
import load_data  # noqa: E402
import loadgen  # noqa: E402
from vocabulary import SEARCH_QUERIES  # noqa: E402

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench"))  # noqa: S108
# The venv that runs the benchmark (`.venv/bin/python bench/...`) also holds gunicorn.
VENV_BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - throw-away
RATE = 200
QUIET_WAIT = {"s": 90}  # longest wait for other jobs on the machine to finish before a run
QUIET_THRESHOLD_PCT = 25  # % of one core used by other processes that counts as quiet
TARGETS = {  # p95 at the steady rate, in ms
    "list_filtered": 50,
    "list_all": 50,
    "proposal": 50,
    "search": 100,
    "list_all_signed_in": 50,
    "proposal_signed_in": 50,
}
# Signed-in readers (each their own session, bench/signed_in.py) of these pages: their highest
# throughput at least this share of anonymous readers' on the same server.
SIGNED_IN = ("list_all", "proposal")
SIGNED_IN_READERS = 200
MIN_SIGNED_IN_RATIO = 0.50
MIN_ANSWERED = 0.99  # of the requests offered at the steady rate
MIN_RATIO_TO_BARE = 0.40  # list page's highest throughput / the bare page's

# The deployment's web pool (docs/deploy.md, docs/deploy/ruamkid-web.service): the targets
# hold for the server residents get. (--explore-workers compares others, see README.md.)
DEFAULT_SERVER = {"worker_class": "gthread", "workers": 3, "threads": 4}


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- machine -------------------------------------------------------------------------------


def machine_info():
    memory = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    versions = {}
    for package in ("flask", "sqlalchemy", "gunicorn", "jinja2", "psycopg", "gevent"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    postgres = None
    with contextlib.suppress(Exception):
        from tests.services import postgres_bindir

        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
        if found:
            postgres = subprocess.run(
                [str(found[-1]), "--version"], capture_output=True, text=True
            ).stdout.strip()
        del postgres_bindir
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu_model": host.cpu_model(),
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
        "packages": versions,
    }


# --- CPU accounting ------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid):
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    return found


def tree_cpu(pid):
    """CPU seconds used so far by a process and its children (gunicorn master + workers)."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        total += _proc_cpu(current)
        stack.extend(_children(current))
    return total


def system_cpu():
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) / TICK, idle / TICK


# --- servers -------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url, instance_dir):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        RUAMKID_INSTANCE_DIR=str(instance_dir),
        RUAMKID_ENV="production",
        SECRET_KEY=SECRET,
        SESSION_COOKIE_SECURE="false",
        MAIL_BACKEND="log",
        RATELIMIT_ENABLED="false",
        PUBLIC_URL="http://127.0.0.1",
    )
    env.pop("REDIS_URL", None)
    return env


def gunicorn_command(app, port, server, extra=()):
    command = [
        str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}",
        "--workers", str(server["workers"]), "--worker-class", server["worker_class"],
        "--backlog", "2048", "--timeout", "60", "--graceful-timeout", "5",
        "--keep-alive", "5", "--log-level", "warning", *extra,
    ]  # fmt: skip
    if server["worker_class"] == "gthread":
        command += ["--threads", str(server["threads"])]
    if server["worker_class"] == "gevent":
        command += ["--worker-connections", "1000"]
    return [*command, app]


@contextlib.contextmanager
def serve(app, server, env, health="/", extra=(), log_path=None):
    """Run gunicorn until the block ends; yields (port, master pid)."""
    port = free_port()
    log_file = open(log_path or os.devnull, "ab")  # noqa: SIM115
    process = subprocess.Popen(
        gunicorn_command(app, port, server, extra), cwd=ROOT, env=env,
        stdout=log_file, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn for {app} stopped at start (see {log_path})")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=5) as r:
                    if r.status == 200:
                        break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn for {app} did not answer in 60 s")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log_file.close()


# --- pages ---------------------------------------------------------------------------------


def pages_for(manifest, thread_last_comment):
    slug = manifest["process_slug"]
    base = f"/processes/{slug}/proposals"
    card = b'class="card card--contribution"'
    return {
        "bare": {
            "paths": [f"/bare/{slug}/proposals?category={manifest['category_id']}&sort=supported"],
            "expect": card,
            "app": "bare",
        },
        "list_filtered": {
            "paths": [f"{base}?category={manifest['category_id']}&sort=supported"],
            "expect": card,
        },
        "list_all": {"paths": [base], "expect": card},
        "proposal": {
            "paths": [f"{base}/{manifest['thread_proposal_id']}"],
            "expect": f'id="comment-{thread_last_comment}"'.encode(),
        },
        "search": {
            "paths": [f"{base}?q={quote(q)}" for q in SEARCH_QUERIES],
            "expect": card,
        },
    }


PAGE_NAMES = (
    "bare", "list_filtered", "list_all", "proposal", "search",
    *(f"{name}_signed_in" for name in SIGNED_IN),
)  # fmt: skip


def signed_in_cookies(env, database_url, instance_dir, readers):
    """One session cookie per signed-in reader (bench/signed_in.py, the server's settings)."""
    output = subprocess.run(
        [sys.executable, str(BENCH / "signed_in.py"), "--database-url", database_url,
         "--instance-dir", str(instance_dir), "--readers", str(readers)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def with_signed_in(pages, cookies):
    """Add a signed-in variant of the SIGNED_IN pages: the same paths, one reader's cookie per
    request in turn, and the bell (shown only to signed-in readers) expected too."""
    for name in SIGNED_IN:
        if name in pages:
            pages[f"{name}_signed_in"] = {
                **pages[name],
                "expect": (pages[name]["expect"], b"data-bell"),
                "headers": [{"Cookie": cookie} for cookie in cookies],
            }
    return pages


def fetch(port, path, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http, loopback
        return response.status, response.read(), response.headers


def visitor_cookie(port, path):
    """A returning anonymous visitor: the session cookie the list page sets once."""
    _status, _body, headers = fetch(port, path, {"Accept-Language": "th"})
    cookie = headers.get("Set-Cookie", "")
    return cookie.split(";", 1)[0] if cookie else None


def thread_last_comment_id(database_url, proposal_id):
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT max(id) FROM comments WHERE contribution_id = :p"),
                {"p": proposal_id},
            ).scalar()
    finally:
        engine.dispose()


# --- measuring -----------------------------------------------------------------------------


# Processes whose CPU is the benchmark's own besides this process and its children (the
# gunicorn servers): the PostgreSQL server, which pg_ctl detaches.
OWN_PIDS = set()


def postmaster_pid(database_url):
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            data = connection.exec_driver_sql("SHOW data_directory").scalar()
    finally:
        engine.dispose()
    with contextlib.suppress(OSError, ValueError):
        return int((Path(data) / "postmaster.pid").read_text().split()[0])
    return None


@contextlib.contextmanager
def database_server(kind, workdir):
    """Yield a database URL: a SQLite file under ``workdir``, or a throw-away PostgreSQL server
    (whose CPU then counts as the benchmark's own)."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'sqlite' / 'ruamkid.sqlite3'}"
        return
    from tests.services import postgres

    with postgres() as url:
        pid = postmaster_pid(url)
        OWN_PIDS.add(pid)
        try:
            yield url
        finally:
            OWN_PIDS.discard(pid)


def own_cpu():
    return tree_cpu(os.getpid()) + sum(tree_cpu(pid) for pid in OWN_PIDS)


def foreign_cpu(seconds):
    """Share of a core used by processes that are not the benchmark's over ``seconds``."""
    sys0, idle0 = system_cpu()
    own0 = own_cpu()
    time.sleep(seconds)
    sys1, idle1 = system_cpu()
    busy = (sys1 - sys0) - (idle1 - idle0)
    return max(0.0, 100 * (busy - (own_cpu() - own0)) / seconds)


def wait_until_quiet(limit=None, threshold=QUIET_THRESHOLD_PCT):
    """Wait (bounded) until other processes leave the machine alone; returns their CPU %."""
    deadline = time.monotonic() + (QUIET_WAIT["s"] if limit is None else limit)
    while True:
        other = foreign_cpu(2)
        if other < threshold or time.monotonic() > deadline:
            if other >= threshold:
                log(f"other processes still use {other:.0f}% of a core; measuring anyway")
            return round(other, 1)
        log(f"waiting: other processes use {other:.0f}% of a core")


def measure(port, master_pid, page, headers, mode, **options):
    quiet_before = wait_until_quiet() if options.get("quiet", True) else None
    own0 = own_cpu()
    cpu_server0 = tree_cpu(master_pid)
    sys0, idle0 = system_cpu()
    if mode == "closed":
        result = loadgen.run_closed(
            "127.0.0.1", port, page["paths"], options["connections"], options["duration"],
            page["expect"], headers,
        )  # fmt: skip
    else:
        result = loadgen.run_open(
            "127.0.0.1", port, page["paths"], options["rate"], options["duration"],
            page["expect"], headers,
        )  # fmt: skip
    server_cpu = tree_cpu(master_pid) - cpu_server0
    sys1, idle1 = system_cpu()
    own = own_cpu() - own0
    busy = (sys1 - sys0) - (idle1 - idle0)
    elapsed = result["elapsed_s"] or 1
    result["server_cpu_pct"] = round(100 * server_cpu / elapsed, 1)  # of one core
    result["server_cpu_ms_per_request"] = (
        round(1000 * server_cpu / result["ok"], 2) if result["ok"] else None
    )
    result["machine_busy_pct"] = round(100 * busy / (sys1 - sys0), 1) if sys1 > sys0 else None
    result["database_cpu_pct"] = round(  # PostgreSQL's processes (0 for SQLite)
        100 * (own - server_cpu) / elapsed - result["generator_cpu_pct"], 1
    )
    # Processes that are not the benchmark's (another job on the machine): should be ~0.
    result["foreign_cpu_pct"] = round(max(0.0, 100 * (busy - own) / elapsed), 1)
    result["foreign_cpu_pct_before"] = quiet_before
    return result


def settle(pid, limit=30):
    """Wait until the server has finished what an overload left queued (bounded)."""
    deadline = time.monotonic() + limit
    last = tree_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = tree_cpu(pid)
        if now - last < 0.05:
            return
        last = now


def check_page(port, page, headers):
    expect = page["expect"] if isinstance(page["expect"], tuple) else (page["expect"],)
    for i, one in enumerate(headers if isinstance(headers, list) else [headers]):
        path = page["paths"][i % len(page["paths"])]
        status, body, _ = fetch(port, path, one)
        if status != 200 or not all(e in body for e in expect):
            raise SystemExit(f"{path} did not return the expected page (status {status})")
    return len(body)


def bench_pages(ports, pages, headers, plan):
    results = {}
    for name, page in pages.items():
        port, pid = ports[page.get("app", "app")]
        hdrs = None if page.get("app") == "bare" else page.get("headers", headers)
        size = check_page(port, page, hdrs)
        log(f"{name}: warming up ({plan['warmup']} s)")
        measure(
            port, pid, page, hdrs, "closed", connections=4, duration=plan["warmup"], quiet=False
        )
        log(f"{name}: closed loop, {plan['connections']} connections, {plan['closed']} s")
        closed = measure(
            port, pid, page, hdrs, "closed",
            connections=plan["connections"], duration=plan["closed"],
        )  # fmt: skip
        time.sleep(1)
        log(f"{name}: open loop, {plan['rate']}/s, {plan['open']} s")
        opened = measure(port, pid, page, hdrs, "open", rate=plan["rate"], duration=plan["open"])
        settle(pid)
        # Also at half the highest throughput measured: what the page gives below saturation.
        half = max(1, int(closed["throughput_rps"] / 2))
        log(f"{name}: open loop, {half}/s (half the maximum), {plan['half']} s")
        below = measure(port, pid, page, hdrs, "open", rate=half, duration=plan["half"])
        settle(pid)
        results[name] = {
            "paths": page["paths"], "bytes": size, "max": closed, "steady": opened,
            "half_max": below,
        }  # fmt: skip
        log(
            f"{name}: max {closed['throughput_rps']}/s; at {plan['rate']}/s p50/p95/p99 "
            f"{opened['p50_ms']}/{opened['p95_ms']}/{opened['p99_ms']} ms, "
            f"errors {opened['errors']}; at {half}/s p50/p95/p99 "
            f"{below['p50_ms']}/{below['p95_ms']}/{below['p99_ms']} ms"
        )
    return results


REUSE = {"sqlite": False}


@contextlib.contextmanager
def database(kind, scale):
    """Yield (database_url, instance_dir, manifest) with the data loaded."""
    if kind == "sqlite":
        instance = WORKDIR / ("sqlite-quick" if scale < 1 else "sqlite")
        url = f"sqlite:///{instance / 'ruamkid.sqlite3'}"
        saved = instance / "manifest.json"
        if REUSE["sqlite"] and saved.exists() and json.loads(saved.read_text())["scale"] == scale:
            log(f"reusing {url} (--reuse-sqlite)")
            manifest = json.loads(saved.read_text())
            manifest["reused"] = True
        else:
            manifest = load_data.load(url, instance, scale)
        yield url, instance, manifest
        return
    from tests.services import postgres

    with postgres() as url:
        instance = WORKDIR / ("postgres-quick" if scale < 1 else "postgres")
        manifest = load_data.load(url, instance, scale)
        pid = postmaster_pid(url)
        if pid:
            OWN_PIDS.add(pid)
        try:
            yield url, instance, manifest
        finally:
            OWN_PIDS.discard(pid)


def run_database(kind, plan, server, scale, only=None):
    log(f"{kind}: loading data (scale {scale})")
    with database(kind, scale) as (url, instance, manifest):
        env = server_env(url, instance)
        last_comment = thread_last_comment_id(url, manifest["thread_proposal_id"])
        pages = pages_for(manifest, last_comment)
        cookie_path = pages["list_all"]["paths"][0]
        if only is None or any(name.endswith("_signed_in") for name in only):
            log(f"{kind}: opening {SIGNED_IN_READERS} signed-in readers' sessions")
            cookies = signed_in_cookies(env, url, instance, SIGNED_IN_READERS)
            pages = with_signed_in(pages, cookies)
        if only:
            pages = {name: page for name, page in pages.items() if name in only}
        logs = WORKDIR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with (
            serve("wsgi:app", server, env, "/healthz", log_path=logs / f"{kind}-app.log") as app,
            serve(
                "bare_app:app", server, env, "/", extra=("--pythonpath", str(BENCH)),
                log_path=logs / f"{kind}-bare.log",
            ) as bare,
        ):  # fmt: skip
            cookie = visitor_cookie(app[0], cookie_path)
            headers = {"Cookie": cookie} if cookie else None
            results = bench_pages({"app": app, "bare": bare}, pages, headers, plan)
    return {"manifest": manifest, "pages": results}


# --- verdicts and the table ----------------------------------------------------------------


def _ms(value):
    return "inf" if value is None else value


def steady_pass(steady, target_ms):
    """The steady-rate target: p95 under ``target_ms``, no errors, ≥ 99% of requests answered."""
    answered = steady["ok"] / steady["requests"] if steady["requests"] else 0
    return (
        steady["p95_ms"] is not None
        and steady["p95_ms"] < target_ms
        and steady["errors"] == 0
        and answered >= MIN_ANSWERED
    )


def verdicts(db_result, plan):
    pages = db_result["pages"]
    rows = []
    bare_max = pages["bare"]["max"]["throughput_rps"] if "bare" in pages else None
    for name, page in pages.items():
        steady, peak = page["steady"], page["max"]
        rows.append((name, "max throughput (req/s)", peak["throughput_rps"], None, None))
        rows.append(
            (name, "max: p50/p99 (ms)", f"{_ms(peak['p50_ms'])}/{_ms(peak['p99_ms'])}", None, None)
        )
        if name == "bare":
            continue
        target = TARGETS[name]
        p95 = steady["p95_ms"]
        ok = steady_pass(steady, target)
        rows.append((
            name, f"at {plan['rate']}/s: p50/p95/p99 (ms)",
            f"{_ms(steady['p50_ms'])}/{_ms(p95)}/{_ms(steady['p99_ms'])}", f"p95 < {target} ms",
            "PASS" if ok else "FAIL",
        ))  # fmt: skip
        rows.append((
            name, f"at {plan['rate']}/s: errors, good/s", f"{steady['errors']}, "
            f"{round(steady['ok'] / steady['elapsed_s'], 1)}", None, None,
        ))  # fmt: skip
        below = page.get("half_max")
        if below:
            rows.append((
                name, f"at {below['offered_rps']}/s (half max): p50/p95/p99 (ms)",
                f"{_ms(below['p50_ms'])}/{_ms(below['p95_ms'])}/{_ms(below['p99_ms'])}", None, None,
            ))  # fmt: skip
        anonymous = pages.get(name.removesuffix("_signed_in"))
        if name.endswith("_signed_in") and anonymous:
            ratio = peak["throughput_rps"] / (anonymous["max"]["throughput_rps"] or 1)
            rows.append((
                name, "max / anonymous max", f"{ratio:.2f}", f">= {MIN_SIGNED_IN_RATIO:.2f}",
                "PASS" if ratio >= MIN_SIGNED_IN_RATIO else "FAIL",
            ))  # fmt: skip
        if name.startswith("list") and bare_max is not None and "signed_in" not in name:
            ratio = peak["throughput_rps"] / bare_max if bare_max else 0
            rows.append((
                name, "max / bare max", f"{ratio:.2f}", f">= {MIN_RATIO_TO_BARE:.2f}",
                "PASS" if ratio >= MIN_RATIO_TO_BARE else "FAIL",
            ))  # fmt: skip
    return rows


def print_table(all_results, plan):
    lines = []
    header = ("database", "page", "metric", "value", "target", "result")
    table = []
    for kind, result in all_results.items():
        for page, metric, value, target, verdict in verdicts(result, plan):
            table.append((kind, page, metric, str(value), target or "", verdict or ""))
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    lines.append(fmt.format(*header))
    lines.append("-+-".join("-" * w for w in widths))
    lines.extend(fmt.format(*row) for row in table)
    print("\n".join(lines))
    return table


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py (search is its own)."""
    from rows import row

    rate = document["plan"]["rate"]
    targets = document["targets"]["p95_ms_at_rate"]
    ratio_min = document["targets"]["list_max_over_bare_max"]
    out = []
    for db, result in document["results"].items():
        pages = result["pages"]
        bare_max = pages["bare"]["max"]["throughput_rps"] if "bare" in pages else None
        for name, page in pages.items():
            benchmark = "search" if name == "search" else "pages"
            peak, steady = page["max"], page["steady"]
            out.append(row(benchmark, db, name, "max throughput (16 connections)",
                           peak["throughput_rps"], "req/s"))  # fmt: skip
            triple = "/".join(str(_ms(steady[k])) for k in ("p50_ms", "p95_ms", "p99_ms"))
            if name in targets:
                ok = steady_pass(steady, targets[name])
                out.append(row(benchmark, db, name, f"at {rate}/s: p50 / p95 / p99",
                               triple.replace("/", " / "), "ms",
                               f"p95 < {targets[name]} ms, 0 errors",
                               "PASS" if ok else "FAIL"))  # fmt: skip
            else:
                out.append(row(benchmark, db, name, f"at {rate}/s: p50 / p95 / p99",
                               triple.replace("/", " / "), "ms"))  # fmt: skip
            out.append(row(benchmark, db, name, f"at {rate}/s: errors", steady["errors"]))
            anonymous = pages.get(name.removesuffix("_signed_in"))
            if name.endswith("_signed_in") and anonymous:
                ratio = round(peak["throughput_rps"] / (anonymous["max"]["throughput_rps"] or 1), 2)
                out.append(row(benchmark, db, name, "max / anonymous readers' max", ratio, "",
                               f">= {MIN_SIGNED_IN_RATIO:.2f}",
                               "PASS" if ratio >= MIN_SIGNED_IN_RATIO else "FAIL"))  # fmt: skip
            if name.startswith("list") and bare_max and "signed_in" not in name:
                ratio = round(peak["throughput_rps"] / bare_max, 2)
                out.append(row(benchmark, db, name, "max / bare page's max", ratio, "",
                               f">= {ratio_min:.2f}",
                               "PASS" if ratio >= ratio_min else "FAIL"))  # fmt: skip
    return out


# --- exploring worker configurations -------------------------------------------------------

CANDIDATES = [
    {"worker_class": "sync", "workers": 2, "threads": 1},
    {"worker_class": "sync", "workers": 3, "threads": 1},
    {"worker_class": "sync", "workers": 4, "threads": 1},
    {"worker_class": "gthread", "workers": 2, "threads": 4},
    {"worker_class": "gevent", "workers": 2, "threads": 1},
]


EXPLORE_RATE = 15  # req/s: below every candidate's capacity on these pages


def explore(kind, scale, closed_s, open_s):
    out = {}
    with database(kind, scale) as (url, instance, manifest):
        env = server_env(url, instance)
        pages = pages_for(manifest, thread_last_comment_id(url, manifest["thread_proposal_id"]))
        chosen = {k: pages[k] for k in ("list_filtered", "proposal")}
        for server in CANDIDATES:
            label = f"{server['worker_class']} w={server['workers']}" + (
                f" t={server['threads']}" if server["worker_class"] == "gthread" else ""
            )
            log(f"{kind}: {label}")
            with serve("wsgi:app", server, env, "/healthz") as (port, pid):
                cookie = visitor_cookie(port, pages["list_all"]["paths"][0])
                headers = {"Cookie": cookie} if cookie else None
                row = {}
                for name, page in chosen.items():
                    measure(port, pid, page, headers, "closed", connections=4, duration=2)
                    peak = measure(port, pid, page, headers, "closed", connections=16,
                                   duration=closed_s)  # fmt: skip
                    steady = measure(port, pid, page, headers, "open", rate=EXPLORE_RATE,
                                     duration=open_s)  # fmt: skip
                    settle(pid)
                    row[name] = {"max": peak, "steady": steady}
                    log(f"  {name}: max {peak['throughput_rps']}/s (p99 {peak['p99_ms']} ms); "
                        f"{EXPLORE_RATE}/s p50/p95/p99 {steady['p50_ms']}/{steady['p95_ms']}/"
                        f"{steady['p99_ms']} ms, errors {steady['errors']}")  # fmt: skip
                out[label] = row
    return out


# --- main ----------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description="Ruamkid HTTP benchmark")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="small data, short runs")
    parser.add_argument("--explore-workers", action="store_true")
    parser.add_argument("--worker-class", default=DEFAULT_SERVER["worker_class"])
    parser.add_argument("--workers", type=int, default=DEFAULT_SERVER["workers"])
    parser.add_argument("--threads", type=int, default=DEFAULT_SERVER["threads"])
    parser.add_argument("--connections", type=int, default=16, help="closed-loop connections")
    parser.add_argument("--rate", type=int, default=RATE, help="steady offered rate (req/s)")
    parser.add_argument("--output", default=str(BENCH / "pages_results.json"))
    parser.add_argument(
        "--pages", help=f"only these pages, comma-separated (of {', '.join(PAGE_NAMES)})"
    )
    parser.add_argument(
        "--reuse-sqlite",
        action="store_true",
        help="use the SQLite data of an earlier run (same size) instead of loading",
    )
    parser.add_argument(
        "--quiet-wait", type=int, default=None,
        help="longest wait (s) for other jobs to go quiet before a measurement",
    )  # fmt: skip
    args = parser.parse_args()
    REUSE["sqlite"] = args.reuse_sqlite
    if args.quick:
        QUIET_WAIT["s"] = 20
    if args.quiet_wait is not None:
        QUIET_WAIT["s"] = args.quiet_wait

    if shutil.which("gunicorn", path=str(VENV_BIN)) is None:
        raise SystemExit(f"gunicorn is missing from {VENV_BIN}: run `make setup` first.")
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    scale = 0.05 if args.quick else 1.0
    plan = (
        {"warmup": 2, "closed": 5, "open": 8, "half": 5, "connections": args.connections,
         "rate": args.rate}
        if args.quick
        else {"warmup": 5, "closed": 20, "open": 30, "half": 20, "connections": args.connections,
              "rate": args.rate}
    )  # fmt: skip
    info = machine_info()
    started = time.monotonic()

    if args.explore_workers:
        results = {
            kind: explore(kind, scale, plan["closed"] // 2, plan["open"] // 2) for kind in kinds
        }
        path = WORKDIR / "workers.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"machine": info, "results": results}, indent=2))
        print(f"wrote {path}")
        return

    server = {"worker_class": args.worker_class, "workers": args.workers, "threads": args.threads}
    only = args.pages.split(",") if args.pages else None
    if only and set(only) - set(PAGE_NAMES):
        parser.error(f"unknown pages: {', '.join(sorted(set(only) - set(PAGE_NAMES)))}")
    log(f"generator self-check against a trivial server ({3 if args.quick else 5} s per run)")
    selfcheck = loadgen.selftest(3 if args.quick else 5)
    results = {}
    for kind in kinds:
        results[kind] = run_database(kind, plan, server, scale, only)
    table = print_table(results, plan)
    document = {
        "machine": info,
        "gunicorn": {
            **server,
            "command": " ".join(gunicorn_command("wsgi:app", 0, server)),
            "bare_app": "bare_app:app (--pythonpath bench), same options",
            "environment": "RUAMKID_ENV=production SESSION_COOKIE_SECURE=false "
            "MAIL_BACKEND=log RATELIMIT_ENABLED=false",
        },
        "plan": {**plan, "quick": args.quick, "scale": scale},
        "targets": {
            "p95_ms_at_rate": TARGETS,
            "list_max_over_bare_max": MIN_RATIO_TO_BARE,
            "signed_in_max_over_anonymous_max": MIN_SIGNED_IN_RATIO,
            "signed_in_readers": SIGNED_IN_READERS,
        },  # fmt: skip
        "generator_selfcheck": selfcheck,
        "results": results,
        "table": [
            dict(zip(("database", "page", "metric", "value", "target", "result"), row, strict=True))
            for row in table
        ],  # fmt: skip
        "duration_s": round(time.monotonic() - started, 1),
    }
    Path(args.output).write_text(json.dumps(document, indent=2, ensure_ascii=False))
    print(f"\nwrote {args.output} in {document['duration_s']} s")


if __name__ == "__main__":
    main()
