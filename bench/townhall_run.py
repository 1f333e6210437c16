"""The live town hall (Socket.IO) benchmark of Ruamkid: one entry point.

    .venv/bin/python bench/townhall_run.py                 # every scenario, SQLite
    .venv/bin/python bench/townhall_run.py --database postgres
    .venv/bin/python bench/townhall_run.py --only targets  # the four targets only
    .venv/bin/python bench/townhall_run.py --only modes    # the async-mode comparison only
    .venv/bin/python bench/townhall_run.py --quick         # short phases (smoke check)

Residents connect with their own personal access tokens (Node socket.io-client,
bench/townhall/loadgen.mjs, spread over --node-procs processes), join one live town hall, and
S of them post at a steady rate; every post is stored by the server before it is broadcast;
every client measures post-to-receipt latency. Writes bench/townhall_results.json and prints a
table with the targets. Load goes to 127.0.0.1 only; every phase is bounded in time.
"""

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH / "townhall"))
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import host  # noqa: E402
import setup_db  # noqa: E402

WORKDIR = Path(os.environ.get("RUAMKID_TOWNHALL_BENCH_DIR", "/tmp/ruamkid-townhall-bench"))  # noqa: S108
VENV = Path(sys.executable).parent  # the venv running the benchmark (.venv/bin)
LOADGEN = BENCH / "townhall" / "loadgen.mjs"
SHIM_NO_GEVENT_WEBSOCKET = BENCH / "townhall" / "shim_no_gevent_websocket"
QUIET_THRESHOLD_PCT = 25
QUIET_WAIT_S = {"s": 120}
USERS = 2100
OWN_PIDS = set()  # processes started for the benchmark besides servers and generators


def log(message):
    print(f"[townhall-bench] {message}", file=sys.stderr, flush=True)


# --- /proc ---------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK  # ppid, utime+stime


def children_map():
    kids = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                ppid, _ = _stat(int(name))
                kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(pid, kids=None):
    kids = kids if kids is not None else children_map()
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(kids.get(p, []))
    return out


def cpu_of(pids):
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += _stat(pid)[1]
    return total


def rss_mb(pid):
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def system_cpu():
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return sum(values) / TICK, (values[3] + values[4]) / TICK  # total, idle+iowait


class CpuWindow:
    """CPU used by the machine, by our processes, and by everything else, over a window."""

    def __init__(self, own_pids):
        self.own_pids = own_pids
        self.start()

    def _own(self):
        kids = children_map()
        pids = set()
        for pid in [os.getpid(), *self.own_pids(), *OWN_PIDS]:
            pids.update(tree(pid, kids))
        return cpu_of(pids)

    def start(self):
        self.t0 = time.monotonic()
        self.sys0 = system_cpu()
        self.own0 = self._own()

    def stop(self):
        elapsed = time.monotonic() - self.t0
        total, idle = system_cpu()
        busy = (total - self.sys0[0]) - (idle - self.sys0[1])
        own = self._own() - self.own0
        cores = os.cpu_count() or 1
        return {
            "elapsed_s": round(elapsed, 2),
            "machine_busy_pct": round(100 * busy / max(elapsed, 1e-6), 1),  # of one core
            "foreign_cpu_pct": round(max(0.0, 100 * (busy - own) / max(elapsed, 1e-6)), 1),
            "cores": cores,
        }


def wait_until_quiet(own_pids, limit=None):
    """Wait until processes other than ours use < QUIET_THRESHOLD_PCT of a core (bounded)."""
    limit = QUIET_WAIT_S["s"] if limit is None else limit
    deadline = time.monotonic() + limit
    while True:
        window = CpuWindow(own_pids)
        time.sleep(2)
        other = window.stop()["foreign_cpu_pct"]
        if other < QUIET_THRESHOLD_PCT:
            return other
        if time.monotonic() > deadline:
            log(f"other processes still use {other:.0f}% of a core; measuring anyway")
            return other
        log(f"waiting: other processes use {other:.0f}% of a core")


# --- servers -------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Async modes: gunicorn worker class, environment, and how to start them.
MODES = {
    # The server of `make serve` and of the deployment: participation/gunicorn_live.py
    # (gevent-websocket worker, 4,000 connections, garbage collection tuned after fork).
    "gevent-websocket": {
        "args": ["-c", "python:participation.gunicorn_live"],
        "env": {},
    },
    # The floor: Flask-SocketIO broadcasting with no database and no checks, same server set-up.
    "bare": {
        "args": [
            "-c",
            "python:participation.gunicorn_live",
            "--pythonpath",
            str(BENCH / "townhall"),
        ],
        "app": "bare_server:app",
        "env": {},
    },
    # Experiments: the same server with its garbage collections timed (and frozen).
    "gevent-websocket+gc-probe": {
        "args": [
            "--worker-class",
            "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
            "-c",
            str(BENCH / "townhall" / "gc_probe.py"),
        ],
        "env": {"GC_PROBE_LOG": str(WORKDIR / "gc.jsonl")},
    },
    "gevent-websocket+gc-freeze": {
        "args": [
            "--worker-class",
            "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
            "-c",
            str(BENCH / "townhall" / "gc_probe.py"),
        ],
        "env": {"GC_PROBE_LOG": str(WORKDIR / "gc-freeze.jsonl"), "GC_PROBE_FREEZE": "1"},
    },
    # Same venv, gevent-websocket hidden so python-engineio falls back to simple-websocket.
    "gevent+simple-websocket": {
        "args": ["--worker-class", "gevent"],
        "env": {"PYTHONPATH": str(SHIM_NO_GEVENT_WEBSOCKET), "SOCKETIO_ASYNC_MODE": "gevent"},
    },
    # gunicorn 27 has no eventlet worker: eventlet's own WSGI server, one process.
    "eventlet": {
        "command": ["python", str(BENCH / "townhall" / "serve_eventlet.py"), "{port}"],
        "env": {"SOCKETIO_ASYNC_MODE": "eventlet", "PYTHONPATH": str(ROOT)},
        "venv": Path("/tmp/rk-alt-venv/bin"),  # noqa: S108 - made by hand, see README
    },
    "threading": {
        "args": ["--worker-class", "gthread", "--threads", "1100"],
        "env": {"SOCKETIO_ASYNC_MODE": "threading"},
    },
}


class Server:
    """One gunicorn process (master + 1 worker) serving wsgi:app, as `make serve` does."""

    def __init__(
        self, mode, database_url, instance, redis_url=None, name="app", worker_connections=None
    ):
        self.mode = mode
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        spec = MODES[mode]
        venv = spec.get("venv", VENV)
        env = setup_db.env_for(database_url, instance)
        env.update(RUAMKID_ENV="production", SESSION_COOKIE_SECURE="false",
                   PUBLIC_URL="http://127.0.0.1", **spec["env"])  # fmt: skip
        if redis_url:
            env["REDIS_URL"] = redis_url
        if "command" in spec:
            program, *rest = spec["command"]
            self.command = [str(venv / program), *(a.format(port=self.port) for a in rest)]
        else:
            extra = (
                ["--worker-connections", str(worker_connections)] if worker_connections else []
            )  # gunicorn's default: 1000
            self.command = [str(venv / "gunicorn"), *spec["args"], *extra, "--workers", "1",
                            "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "2",
                            "--timeout", "120", "--backlog", "4096", "--log-level", "warning",
                            spec.get("app", "wsgi:app")]  # fmt: skip
        logs = WORKDIR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.log_path = logs / f"{mode}-{name}-{self.port}.log"
        self.handle = self.log_path.open("w")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=self.handle,
                                        stderr=subprocess.STDOUT)  # fmt: skip
        self._wait()

    def _wait(self, seconds=40):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server did not start:\n{self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):  # noqa: S310
                    return
            time.sleep(0.3)
        raise SystemExit("server did not start in time")

    def workers(self):
        if "command" in MODES[self.mode]:
            return [self.process.pid]  # a single process serves
        return children_map().get(self.process.pid, [])

    def pids(self):
        return tree(self.process.pid)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.handle.close()

    def tracebacks(self):
        return self.log_path.read_text().count("Traceback")


# --- the load generator --------------------------------------------------------------------


class Generators:
    """--node-procs Node processes holding the residents between them."""

    def __init__(
        self,
        urls,
        tokens_file,
        clients,
        townhall,
        procs,
        deflate=True,
        connect_timeout_s=30,
        connect_parallel=50,
    ):
        self.procs = []
        share = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
        first = 0
        for count in share:
            cfg = {"urls": urls, "tokens": str(tokens_file), "first": first, "count": count,
                   "townhall": townhall, "deflate": deflate,
                   "connectParallel": max(1, connect_parallel // procs),
                   "connectTimeoutMs": connect_timeout_s * 1000}  # fmt: skip
            process = subprocess.Popen(
                ["node", str(LOADGEN), json.dumps(cfg)], cwd=ROOT, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True, bufsize=1,
            )  # fmt: skip
            self.procs.append({"process": process, "first": first, "count": count})
            first += count

    def pids(self):
        return [p["process"].pid for p in self.procs if p["process"].poll() is None]

    def _read(self, tag, timeout):
        out = [None] * len(self.procs)

        def reader(i, process):
            for line in process.stdout:
                if line.startswith(tag + " "):
                    out[i] = json.loads(line[len(tag) + 1 :])
                    return

        threads = [threading.Thread(target=reader, args=(i, p["process"]), daemon=True)
                   for i, p in enumerate(self.procs)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout)
        if any(o is None for o in out):
            raise SystemExit(f"a load generator did not report {tag} in {timeout} s")
        return out

    def ready(self, timeout=300):
        return self._read("READY", timeout)

    def go(self, run, rate, senders, duration, drain):
        """Run one phase; the senders (and the rate) are split over the processes."""
        t0 = time.time() * 1000 + 700
        n = len(self.procs)
        for p in self.procs:
            phase = {"t0": t0, "run": run, "rate": rate / n, "senders": max(1, senders // n),
                     "duration": duration, "drain": drain}  # fmt: skip
            p["process"].stdin.write("GO " + json.dumps(phase) + "\n")
            p["process"].stdin.flush()
        return self._read("RESULT", duration + drain + 60)

    def close(self):
        for p in self.procs:
            with contextlib.suppress(OSError):
                p["process"].stdin.write("QUIT\n")
                p["process"].stdin.close()
        for p in self.procs:
            try:
                p["process"].wait(timeout=15)
            except subprocess.TimeoutExpired:
                p["process"].kill()
                p["process"].wait(timeout=5)


# --- one scenario ----------------------------------------------------------------------------


def percentiles_from_hist(pairs):
    """pairs: [(bucket of 0.1 ms, count)], merged; returns p50/p95/p99/max in ms."""
    merged = {}
    for bucket, count in pairs:
        merged[bucket] = merged.get(bucket, 0) + count
    total = sum(merged.values())
    if not total:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    out, seen, keys = {}, 0, sorted(merged)
    targets = [("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99)]
    for bucket in keys:
        seen += merged[bucket]
        while targets and seen >= targets[0][1] * total:
            out[targets.pop(0)[0]] = round(bucket / 10, 1)
    out["max_ms"] = round(keys[-1] / 10, 1)
    return out


def quantiles(values):
    if not values:
        return {"p50_ms": None, "p99_ms": None}
    values = sorted(values)
    at = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"p50_ms": round(at(0.5), 1), "p95_ms": round(at(0.95), 1),
            "p99_ms": round(at(0.99), 1), "max_ms": round(values[-1], 1)}  # fmt: skip


def settle(pids_fn, limit=20):
    """Wait until the servers have finished what a phase left queued (bounded)."""
    deadline = time.monotonic() + limit
    last = cpu_of(pids_fn())
    while time.monotonic() < deadline:
        time.sleep(1)
        now = cpu_of(pids_fn())
        if now - last < 0.05:
            return
        last = now


def scenario(
    name,
    database_url,
    instance,
    tokens_file,
    *,
    mode="gevent-websocket",
    clients,
    phases,
    servers=1,
    redis_url=None,
    node_procs=2,
    deflate=True,
    senders=20,
    worker_connections=None,
    connect_timeout_s=30,
    connect_parallel=50,
):
    """Start the server(s), connect ``clients`` residents, run each (rate, duration) phase."""
    townhall = f"bench-{name}-{int(time.time())}"
    setup_db.create_townhall(database_url, townhall)
    wait_until_quiet(lambda: [])
    started = [
        Server(
            mode,
            database_url,
            instance,
            redis_url,
            name=f"s{i}",
            worker_connections=worker_connections,
        )
        for i in range(servers)
    ]
    gens = None
    result = {"name": name, "mode": mode, "servers": servers, "redis": bool(redis_url),
              "clients": clients, "deflate_offered": deflate, "node_procs": node_procs,
              "townhall": townhall, "worker_connections": worker_connections,
              "phases": []}  # fmt: skip
    server_pids = lambda: [p for s in started for p in s.pids()]  # noqa: E731
    own = lambda: server_pids() + (gens.pids() if gens else [])  # noqa: E731
    try:
        result["command"] = " ".join(started[0].command)
        result["rss_idle_mb"] = [rss_mb(w) for s in started for w in s.workers()]
        time.sleep(1)
        result["quiet_before_connect_pct"] = wait_until_quiet(own)
        window = CpuWindow(own)
        cpu0 = cpu_of(server_pids())
        gens = Generators([s.url for s in started], tokens_file, clients, townhall, node_procs,
                          deflate, connect_timeout_s, connect_parallel)  # fmt: skip
        ready = gens.ready()
        window_result = window.stop()
        connect_ms = [x for r in ready for x in r["connectMs"]]
        join_ms = [x for r in ready for x in r["joinMs"]]
        total_ms = sorted(
            c + j for r in ready for c, j in zip(r["connectMs"], r["joinMs"], strict=False)
        )
        errors = {}
        for r in ready:
            for key, count in r["connectErrors"].items():
                errors[key] = errors.get(key, 0) + count
        joined = sum(r["joined"] for r in ready)
        result["connect"] = {
            "joined": joined, "errors": errors,
            "wall_s": max(r["connectWallMs"] for r in ready) / 1000,
            "connect": quantiles(connect_ms), "join": quantiles(join_ms),
            "connect_and_join": quantiles(total_ms),
            "server_cpu_s": round(cpu_of(server_pids()) - cpu0, 2),
            "negotiated_extensions": ready[0]["negotiatedExtensions"],
            "rss_mb": [rss_mb(w) for s in started for w in s.workers()], **window_result,
        }  # fmt: skip
        log(f"{name}: {joined}/{clients} joined in {result['connect']['wall_s']} s, connect+join "
            f"p50/p99 {result['connect']['connect_and_join']['p50_ms']}/"
            f"{result['connect']['connect_and_join']['p99_ms']} ms, errors {errors}, "
            f"extensions {ready[0]['negotiatedExtensions']!r}")  # fmt: skip
        for index, (rate, duration) in enumerate(phases):
            run = f"{name}-{index}-{int(time.time())}"
            settle(server_pids)
            quiet = wait_until_quiet(own)
            window = CpuWindow(own)
            cpu_s0 = cpu_of(server_pids())
            cpu_g0 = cpu_of(gens.pids())
            drain = 5
            # Also sample the servers' CPU when the posting window closes (t0 + duration).
            at_end = {}

            def sample(at_end=at_end, cpu_s0=cpu_s0, cpu_g0=cpu_g0):
                at_end.update(server=cpu_of(server_pids()) - cpu_s0,
                              gen=cpu_of(gens.pids()) - cpu_g0)  # fmt: skip

            sampler = threading.Timer(0.7 + duration, sample)
            sampler.start()
            results = gens.go(run, rate, senders, duration, drain)
            sampler.cancel()
            cpu_server = cpu_of(server_pids()) - cpu_s0
            cpu_gen = cpu_of(gens.pids()) - cpu_g0
            win = window.stop()
            if mode == "bare":  # stores nothing: every acknowledged post counts
                stored = sum(r["sends"]["ok"] for r in results)
            else:
                stored = setup_db.messages_stored_like(database_url, f"bench {run} %")
            joined_now = sum(r["joined"] for r in results)
            received = sum(r["received"] for r in results)
            expected = stored * joined  # every stored post, to every resident who joined
            lat = percentiles_from_hist([tuple(x) for r in results for x in r["hist"]])
            acks = [r["sends"]["ack"] for r in results if r["sends"]["ack"]]
            lags = [r["sends"]["lag"] for r in results if r["sends"]["lag"]]
            send_errors = {}
            for r in results:
                for key, count in r["sends"]["errors"].items():
                    send_errors[key] = send_errors.get(key, 0) + count
            phase = {
                "offered_posts_per_s": rate, "duration_s": duration, "drain_s": drain,
                "posts_due": sum(r["sends"]["due"] for r in results),
                "posts_acked": sum(r["sends"]["ok"] for r in results),
                "post_errors": send_errors, "posts_stored": stored,
                "joined_at_end": joined_now, "expected_deliveries": expected,
                "received": received, "lost": expected - received,  # by the end of the drain
                "per_server": [
                    {"joined": sum(r["perServer"][i]["joined"] for r in results),
                     "received": sum(r["perServer"][i]["received"] for r in results)}
                    for i in range(servers)
                ] if all("perServer" in r for r in results) else None,
                "duplicates": sum(r["duplicates"] for r in results),
                "gaps": sum(r["gaps"] for r in results),  # arrivals ahead of a missing seq
                "out_of_order": sum(r.get("outOfOrder", 0) for r in results),  # late arrivals
                "disconnects": sum(r["disconnects"] for r in results),
                "deliveries_per_s": round(received / duration, 1),
                # Socket.IO messages per second to all clients: below deliveries when the
                # server coalesced events (participation/townhall/fanout.py).
                "frames_per_s": round(sum(r.get("frames", 0) for r in results) / duration, 1),
                **lat,
                "ack_p99_ms": max((a["p99"] for a in acks), default=None),
                "send_lag_p99_ms": max((a["p99"] for a in lags), default=None),
                "server_cpu_pct": round(100 * cpu_server / (duration + drain), 1),
                "server_cpu_pct_while_posting": round(100 * at_end.get("server", 0) / duration, 1),
                "generator_cpu_pct_while_posting": round(100 * at_end.get("gen", 0) / duration, 1),
                "server_cpu_s": round(cpu_server, 2),
                "server_cpu_us_per_delivery": (
                    round(1e6 * cpu_server / received, 1) if received else None
                ),
                "generator_cpu_pct": round(100 * cpu_gen / (duration + drain), 1),
                "generator_event_loop_lag_p99_ms": max(
                    (r["eventLoopLag"]["p99"] for r in results if r["eventLoopLag"]), default=None),
                "rss_mb": [rss_mb(w) for s in started for w in s.workers()],
                "foreign_cpu_pct_before": quiet, **win,
            }  # fmt: skip
            result["phases"].append(phase)
            if send_errors or phase["disconnects"] or phase["out_of_order"]:
                log(
                    f"{name}: post errors {send_errors}, disconnects {phase['disconnects']}, "
                    f"out of order {phase['out_of_order']}, gaps {phase['gaps']}, "
                    f"per server {phase['per_server']}"
                )
            log(f"{name}: {rate} posts/s x {joined} = {phase['deliveries_per_s']} deliveries/s, "
                f"p50/p95/p99 {lat['p50_ms']}/{lat['p95_ms']}/{lat['p99_ms']} ms, lost "
                f"{phase['lost']}, server {phase['server_cpu_pct_while_posting']}% while posting "
                f"({phase['server_cpu_us_per_delivery']} us/delivery), generator "
                f"{phase['generator_cpu_pct_while_posting']}%, "
                f"foreign {win['foreign_cpu_pct']}%")  # fmt: skip
        result["server_tracebacks"] = sum(s.tracebacks() for s in started)
    finally:
        if gens:
            gens.close()
        for s in started:
            s.stop()
    return result


# --- the plan ----------------------------------------------------------------------------------


def targets_plan(quick):
    d = 10 if quick else 30
    big = 4000  # --worker-connections for 2,000 residents (gunicorn's default is 1000)
    return [
        ("n1000_10_per_s", {"clients": 1000, "phases": [(10, d)]}),
        ("n1000_50_per_s", {"clients": 1000, "phases": [(50, d)]}),
        # The same on the production layout (docs/deploy.md): two live processes sharing the
        # room through Redis, residents alternating between them.
        (
            "n1000_10_per_s_2_redis",
            {"clients": 1000, "phases": [(10, d)], "servers": 2, "with_redis": True},
        ),
        (
            "n1000_50_per_s_2_redis",
            {"clients": 1000, "phases": [(50, d)], "servers": 2, "with_redis": True},
        ),
        ("n2000_connect", {"clients": 2000, "phases": [(5, 10)], "worker_connections": big}),
        # The command of `make serve` as it is: gunicorn's async workers accept at most
        # --worker-connections connections at once (gunicorn's default 1,000;
        # participation/gunicorn_live.py sets 4,000).
        (
            "n2000_connect_make_serve",
            {"clients": 2000, "phases": [], "connect_timeout_s": 10, "connect_parallel": 250},
        ),
    ]


JOIN_RATIO_TO_BARE = 2  # connect + join p50, against the bare Flask-SocketIO server's
LADDER = [20, 35, 50, 75, 100, 150]  # posts/s to 1,000 residents: 20,000 ... 150,000 deliveries/s


def verdicts(results):
    rows = []
    by = {r["name"]: r for r in results.get("targets", [])}
    limits = {"n1000_10_per_s": 100, "n1000_50_per_s": 250,
              "n1000_10_per_s_2_redis": 100, "n1000_50_per_s_2_redis": 250}  # fmt: skip
    for name, limit in limits.items():
        if name in by and by[name]["phases"]:
            p = by[name]["phases"][0]
            ok = (
                p["p99_ms"] is not None
                and p["p99_ms"] < limit
                and p["lost"] == 0
                and not p["post_errors"]
                and by[name]["connect"]["joined"] == 1000
            )
            rows.append(
                {
                    "scenario": name,
                    "value": f"{p['deliveries_per_s']}/s, p50/p95/p99 "
                    f"{p['p50_ms']}/{p['p95_ms']}/{p['p99_ms']} ms, lost {p['lost']}",
                    "target": f"p99 < {limit} ms, 0 lost",
                    "result": "PASS" if ok else "FAIL",
                }
            )
    for name in ("n2000_connect_make_serve", "n2000_connect"):
        if name not in by:
            continue
        c = by[name]["connect"]
        ok = c["joined"] == 2000 and not c["errors"]
        rows.append(
            {
                "scenario": name,
                "value": f"{c['joined']} joined, errors "
                f"{c['errors'] or 0}, connect+join p50/p99 {c['connect_and_join']['p50_ms']}/"
                f"{c['connect_and_join']['p99_ms']} ms (--worker-connections "
                f"{by[name]['worker_connections'] or 'from participation/gunicorn_live.py'})",
                "target": "2,000 without errors",
                "result": "PASS" if ok else "FAIL",
            }
        )
    # Joining: 1,000 residents connect and join (tokens checked, a snapshot each) in at most
    # twice the bare Flask-SocketIO server's time measured in the same run, without errors.
    bare = {r["name"]: r for r in results.get("bare", [])}
    for name, bare_name in (("n1000_10_per_s", "bare_10_per_s"),
                            ("n1000_50_per_s", "bare_50_per_s")):  # fmt: skip
        if name not in by or bare_name not in bare:
            continue
        ours, theirs = by[name]["connect"], bare[bare_name]["connect"]
        p50, bare_p50 = ours["connect_and_join"]["p50_ms"], theirs["connect_and_join"]["p50_ms"]
        ok = (
            p50 is not None
            and bare_p50
            and p50 < JOIN_RATIO_TO_BARE * bare_p50
            and not ours["errors"]
            and ours["joined"] == 1000
        )
        rows.append(
            {
                "scenario": f"{name}_join",
                "value": f"connect+join p50 {p50} ms, bare Flask-SocketIO {bare_p50} ms "
                f"({round(p50 / bare_p50, 2) if p50 and bare_p50 else '?'}x), "
                f"{ours['joined']} joined in {ours['wall_s']} s, errors {ours['errors'] or 0}",
                "target": f"p50 < {JOIN_RATIO_TO_BARE}x bare's, 0 errors",
                "result": "PASS" if ok else "FAIL",
            }
        )
    scale = results.get("scale")
    if scale and "two_processes_redis" in scale:
        best = {}
        for key in ("one_process", "two_processes_redis"):
            good = [
                p
                for p in scale[key]["phases"]
                if p["p99_ms"] is not None
                and p["p99_ms"] < 250
                and p["lost"] == 0
                and not p["post_errors"]
            ]
            best[key] = max((p["deliveries_per_s"] for p in good), default=0)
        peak = {
            k: max((p["deliveries_per_s"] for p in scale[k]["phases"]), default=0)
            for k in ("one_process", "two_processes_redis")
        }
        ok = best["two_processes_redis"] > best["one_process"]
        rows.append(
            {
                "scenario": "scale_out",
                "value": f"highest with p99 < 250 ms and 0 lost: "
                f"1 process {best['one_process']}/s, 2 + Redis {best['two_processes_redis']}/s"
                f" (peak delivered {peak['one_process']} vs {peak['two_processes_redis']})",
                "target": "2 processes + Redis > 1",
                "result": "PASS" if ok else "FAIL",
            }
        )
    return rows


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py (one per run and part)."""
    from rows import row

    verdict_of = {}
    out = []
    for run in document.get("runs", {}).values():
        db, results = run["database"], run["results"]
        for line in run.get("table", []):
            verdict_of[(db, line["scenario"])] = (line["target"], line["result"])
        for measured in results.get("targets", []) + results.get("bare", []):
            name = measured["name"]
            target, verdict = verdict_of.get((db, name), ("", ""))
            connect = measured.get("connect", {})
            if not measured["phases"]:
                out.append(row("townhall", db, name, "joined, errors",
                               f"{connect.get('joined')}, {connect.get('errors') or 0}", "",
                               target, verdict))  # fmt: skip
                continue
            phase = measured["phases"][0]
            scenario = f"{name} ({measured['clients']} residents, "
            scenario += f"{phase['offered_posts_per_s']} posts/s)"
            joining = name.startswith("n2000")  # the target is about joining, not latency
            out += [
                row("townhall", db, scenario, "deliveries", phase["deliveries_per_s"], "/s"),
                row("townhall", db, scenario, "p50 / p95 / p99",
                    f"{phase['p50_ms']} / {phase['p95_ms']} / {phase['p99_ms']}", "ms",
                    *(("", "") if joining else (target, verdict))),
                row("townhall", db, scenario, "lost, post errors",
                    f"{phase['lost']}, {sum(phase['post_errors'].values())}"),
            ]  # fmt: skip
            if joining:
                joined = f"{connect['joined']}, {connect['connect_and_join']['p99_ms']} ms"
                out.append(row("townhall", db, scenario, "joined, connect+join p99", joined, "",
                               target, verdict))  # fmt: skip
        for line in run.get("table", []):
            if line["scenario"].endswith("_join"):
                out.append(row("townhall", db, line["scenario"], "connect + join, 1,000 residents",
                               line["value"], "", line["target"], line["result"]))  # fmt: skip
        scale = results.get("scale") or {}
        if scale:
            target, verdict = verdict_of.get((db, "scale_out"), ("", ""))
            for key, measured in scale.items():
                good = [p["deliveries_per_s"] for p in measured["phases"]
                        if p["p99_ms"] is not None and p["p99_ms"] < 250 and p["lost"] == 0
                        and not p["post_errors"]]  # fmt: skip
                out.append(row("townhall", db, f"scale: {key.replace('_', ' ')}",
                               "highest deliveries with p99 < 250 ms, 0 lost",
                               max(good, default=0), "/s", target, verdict))  # fmt: skip
        for measured in results.get("modes", []):
            for phase in measured["phases"]:
                out.append(row("townhall", db, measured["name"],
                               f"{phase['offered_posts_per_s']} posts/s: p50 / p99",
                               f"{phase['p50_ms']} / {phase['p99_ms']}", "ms"))  # fmt: skip
    return out


def machine_info():
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cores": os.cpu_count(), "cpu": host.cpu_model(), "memory_gib": host.memory_gib(),
            "python": platform.python_version(), "node": node, "kernel": platform.release(),
            "date": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip


@contextlib.contextmanager
def database(kind):
    """Yield (url, instance dir, tokens file): schema + USERS residents with tokens."""
    if kind == "sqlite":
        instance = WORKDIR / "sqlite"
        shutil.rmtree(instance, ignore_errors=True)
        url = f"sqlite:///{instance / 'ruamkid.sqlite3'}"
        yield url, instance, _prepare(url, instance)
        return
    from tests.services import postgres

    with postgres() as url:
        instance = WORKDIR / "postgres"
        shutil.rmtree(instance, ignore_errors=True)
        tokens = _prepare(url, instance)
        port = url.rsplit(":", 1)[1].split("/")[0]
        for pid, cmd in _cmdlines():
            if "postgres" in cmd and f"-p {port}" in cmd:
                OWN_PIDS.add(pid)
        yield url, instance, tokens


def _cmdlines():
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                yield (
                    int(name),
                    Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode(),
                )


def _prepare(url, instance):
    log(f"schema and {USERS} residents with tokens")
    setup_db.migrate(url, instance)
    tokens = setup_db.create_users(url, USERS)
    path = instance / "tokens.json"
    path.write_text(json.dumps(tokens))
    return path


@contextlib.contextmanager
def redis_server():
    from tests.services import redis

    with redis() as url:
        port = url.rsplit(":", 1)[1].split("/")[0]
        for pid, cmd in _cmdlines():
            if "redis-server" in cmd and f":{port}" in cmd:
                OWN_PIDS.add(pid)
        yield url


def main():
    parser = argparse.ArgumentParser(description="Ruamkid live town hall benchmark")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--only", choices=("targets", "bare", "scale", "modes"), action="append")
    parser.add_argument("--modes", default="gevent-websocket,gevent+simple-websocket,eventlet")
    parser.add_argument("--node-procs", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=QUIET_WAIT_S["s"],
        help="longest wait (s) for other jobs to go quiet before a measurement",
    )
    parser.add_argument("--output", default=str(BENCH / "townhall_results.json"))
    parser.add_argument("--scenario", action="append", help="run only these target scenarios")
    parser.add_argument(
        "--ladder",
        default=",".join(map(str, LADDER)),
        help="posts/s of the scale-out ladder, e.g. 100,115,130,150 to look closer at the limit",
    )
    args = parser.parse_args()
    parts = args.only or ["targets", "bare", "scale", "modes"]
    QUIET_WAIT_S["s"] = args.quiet_wait
    WORKDIR.mkdir(parents=True, exist_ok=True)
    output = Path(args.output)
    document = json.loads(output.read_text()) if output.exists() else {}
    document.setdefault("runs", {})
    started = time.monotonic()
    results = {}
    key = f"{args.database}:{'+'.join(parts)}"

    def save(final=False):
        """Write what has been measured so far (an interrupted run keeps its scenarios)."""
        run = {"machine": machine_info(), "database": args.database, "quick": args.quick,
               "complete": final, "results": results,
               "duration_s": round(time.monotonic() - started, 1),
               "environment": "RUAMKID_ENV=production RATELIMIT_ENABLED=false "
                              "SESSION_COOKIE_SECURE=false MAIL_BACKEND=log"}  # fmt: skip
        run["table"] = verdicts(results)
        document["runs"][key] = run
        document["latest"] = run["machine"]["date"]
        output.write_text(json.dumps(document, indent=1, ensure_ascii=False))
        return run

    with database(args.database) as (url, instance, tokens):
        common = {"node_procs": args.node_procs}
        if "targets" in parts:
            results["targets"] = []
            for name, spec in targets_plan(args.quick):
                if args.scenario and name not in args.scenario:
                    continue
                if spec.pop("with_redis", False):
                    with redis_server() as redis_url:
                        measured = scenario(name, url, instance, tokens, redis_url=redis_url,
                                            **spec, **common)  # fmt: skip
                        results["targets"].append(measured)
                else:
                    results["targets"].append(
                        scenario(name, url, instance, tokens, **spec, **common)
                    )
                save()
        if "bare" in parts:
            results["bare"] = [
                scenario(
                    f"bare_{rate}_per_s",
                    url,
                    instance,
                    tokens,
                    mode="bare",
                    clients=1000,
                    phases=[(rate, 10 if args.quick else 30)],
                    **common,
                )  # fmt: skip
                for rate in (10, 50)
            ]
            save()
        if "scale" in parts:
            d = 8 if args.quick else 15
            ladder = [(int(rate), d) for rate in args.ladder.split(",")]
            results["scale"] = {
                "one_process": scenario(
                    "scale_1", url, instance, tokens, clients=1000, phases=ladder, **common
                )
            }
            save()
            with redis_server() as redis_url:
                results["scale"]["two_processes_redis"] = scenario(
                    "scale_2_redis", url, instance, tokens, clients=1000, phases=ladder,
                    servers=2, redis_url=redis_url, **common)  # fmt: skip
            save()
        if "modes" in parts:
            d = 8 if args.quick else 15
            results["modes"] = []
            for mode in args.modes.split(","):
                spec = MODES[mode]
                if "venv" in spec and not (spec["venv"] / "python").exists():
                    log(f"{mode}: {spec['venv']} is missing, skipped (see README)")
                    continue
                for deflate in (True, False):
                    results["modes"].append(scenario(
                        f"mode_{mode}_{'deflate' if deflate else 'plain'}", url, instance,
                        tokens, mode=mode, clients=1000, phases=[(10, d), (50, d), (100, d)],
                        deflate=deflate, **common))  # fmt: skip
                    save()
    run = save(final=True)
    for row in run["table"]:
        print(
            f"{row['scenario']:<24} | {row['value']:<100} | {row['target']:<24} | {row['result']}"
        )
    print(f"wrote {output} in {run['duration_s']} s")


if __name__ == "__main__":
    main()
