"""Where the server's time goes while 1,000 residents receive a steady stream of posts.

    .venv/bin/python bench/townhall/profile_fanout.py [--rate 50] [--duration 12] [--servers 2]

Starts the benchmark's server (gevent-websocket, SQLite), or with --servers 2 two of them
sharing a Redis (residents split between them), connects 1,000 residents with the Node load
generator, and while they post at --rate samples the first worker with py-spy (installed
into a separate venv, PY_SPY=/path/to/py-spy; it is not a project dependency). Prints the share
of samples per area (database work, the emit loop, Engine.IO's writer greenlets, the WebSocket
frame writes, the gevent hub) and the top functions by own time.
"""

import argparse
import collections
import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import townhall_run as bench  # noqa: E402

PY_SPY = os.environ.get("PY_SPY", "/tmp/rk-alt-venv/bin/py-spy")  # noqa: S108

AREAS = [  # in this order: a sample goes to the first area any of its frames belongs to
    ("database (SQLAlchemy, sqlite3)", ("sqlalchemy/", "sqlite3", "psycopg")),
    ("emit loop (socketio manager.emit)", ("socketio/manager.py", "socketio/base_manager.py")),
    ("WebSocket frame write (gevent-websocket)", ("geventwebsocket/websocket.py",)),
    ("Engine.IO writer/queue (engineio)", ("engineio/",)),
    ("handler logic (participation/)", ("participation/",)),
    ("Socket.IO (socketio, other)", ("socketio/",)),
    ("gevent hub, sockets, switching", ("gevent/",)),
]


def classify(stack):
    for name, needles in AREAS:
        if any(any(n in frame for n in needles) for frame in stack):
            return name
    return "other"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--duration", type=int, default=12)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--mode", default="gevent-websocket", choices=sorted(bench.MODES))
    parser.add_argument("--servers", type=int, default=1, choices=(1, 2))
    args = parser.parse_args()
    bench.WORKDIR.mkdir(parents=True, exist_ok=True)
    out = bench.WORKDIR / "profile.txt"
    with contextlib.ExitStack() as stack:
        url, instance, tokens = stack.enter_context(bench.database("sqlite"))
        redis_url = stack.enter_context(bench.redis_server()) if args.servers > 1 else None
        slug = f"bench-profile-{int(time.time())}"
        bench.setup_db.create_townhall(url, slug)
        servers = [bench.Server(args.mode, url, instance, redis_url, name=f"profile{i}")
                   for i in range(args.servers)]  # fmt: skip
        server = servers[0]
        pids = lambda: [p for s in servers for p in s.pids()]  # noqa: E731
        gens = None
        try:
            worker = server.workers()[0]
            gens = bench.Generators([s.url for s in servers], tokens, args.clients, slug, 2)
            gens.ready()
            bench.wait_until_quiet(lambda: pids() + gens.pids(), limit=120)
            idle0 = bench.cpu_of(pids())
            time.sleep(10)
            idle = bench.cpu_of(pids()) - idle0
            print(f"idle with {args.clients} residents joined: servers {10 * idle:.1f}% of a core")
            busy0 = bench.cpu_of(pids())
            spy = subprocess.Popen([PY_SPY, "record", "--pid", str(worker), "--rate", "250",
                                    "--duration", str(args.duration), "--nonblocking",
                                    "--format", "raw", "--output", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
            time.sleep(1)
            result = {}
            thread = threading.Thread(
                target=lambda: result.update(r=gens.go("profile", args.rate, 20, args.duration, 3))
            )
            thread.start()
            thread.join()
            spy.wait(timeout=60)
            received = sum(r["received"] for r in result["r"])
            busy = bench.cpu_of(pids()) - busy0
            print(
                f"{args.rate} posts/s to {args.clients}: {received} deliveries; servers "
                f"{1e6 * busy / max(received, 1):.1f} us CPU per delivery (py-spy included)"
            )
        finally:
            if gens:
                gens.close()
            for each in servers:
                each.stop()
    areas, own = collections.Counter(), collections.Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        count = int(count)
        total += count
        areas[classify(list(reversed(frames)))] += count
        own[frames[-1]] += count
    print(f"\n{total} samples")
    for name, count in areas.most_common():
        print(f"{100 * count / total:5.1f}%  {name}")
    print("\ntop functions by own time:")
    for frame, count in own.most_common(25):
        print(f"{100 * count / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
