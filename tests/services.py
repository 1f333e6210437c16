"""Start a throw-away PostgreSQL and Redis on loopback, run a command against them, stop them.

``python -m tests.services run -- pytest ...`` installs the Debian packages when they are
missing (apt-get, as root), starts both servers in a temporary folder on free ports, exports
TEST_DATABASE_URL and REDIS_URL to the command, and tears everything down afterwards. Servers
already given in the environment (TEST_DATABASE_URL, REDIS_URL) are used as they are.
"""

import contextlib
import glob
import os
import pwd
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _log(message):
    print(f"[services] {message}", file=sys.stderr, flush=True)


# Servers the tests start listen on ports below the kernel's ephemeral range (32768 and up on
# Linux), so that no client connection's own port takes one while its server restarts; each
# pytest-xdist worker picks from its own slice, so two workers never pick the same port.
PORTS_START, PORTS_PER_WORKER, PORTS_END = 20000, 1000, 32768


def _worker_number():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"... under pytest -n
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


_next_port = {}


def free_port():
    """A loopback port nothing listens on, from this worker's slice (any slice without xdist).

    Ports are handed out in turn from a random start, so two calls before either server has
    bound its port (a fixture asking for five at once) never get the same one; the slice only
    comes round again after a thousand ports, long after those servers have stopped.
    """
    number = _worker_number()
    if number is None:
        first, last = PORTS_START, PORTS_END
    else:
        slices = (PORTS_END - PORTS_START) // PORTS_PER_WORKER
        first = PORTS_START + (number % slices) * PORTS_PER_WORKER
        last = first + PORTS_PER_WORKER
    size = last - first
    offset = _next_port.get((first, last))
    if offset is None:
        offset = random.randrange(size)  # noqa: S311 - not a secret
    for _ in range(200):
        port = first + offset % size
        offset += 1
        with socket.socket() as sock:
            try:
                sock.bind(("0.0.0.0", port))  # noqa: S104 - stricter: nginx listens on all addresses
            except OSError:
                continue
        _next_port[(first, last)] = offset
        return port
    raise RuntimeError(f"no free port between {first} and {last}")


_apt_updated = False


def _apt_install(*packages):
    global _apt_updated
    if os.geteuid() != 0:
        raise SystemExit(f"Please install {' '.join(packages)} (apt-get needs root).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        _apt_updated = True
    _log(f"installing {' '.join(packages)}")
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def postgres_bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        _apt_install("postgresql")
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent


def _as_postgres_user():
    """initdb refuses to run as root; run the server as the 'postgres' account then."""
    if os.geteuid() != 0:
        return [], None
    account = pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"], account


@contextlib.contextmanager
def postgres():
    bindir = postgres_bindir()
    prefix, account = _as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="ruamkid-pg-"))
    data = root / "data"
    if account:
        os.chown(root, account.pw_uid, account.pw_gid)
    port = free_port()
    run = lambda *args: subprocess.run(  # noqa: E731
        [*prefix, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "ruamkid", "-E", "UTF8",
        "--locale=C.UTF-8")  # fmt: skip
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
        "-w", "start")  # fmt: skip
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "ruamkid",
            "ruamkid_test")  # fmt: skip
        _log(f"PostgreSQL on 127.0.0.1:{port}")
        yield f"postgresql+psycopg://ruamkid@127.0.0.1:{port}/ruamkid_test"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def redis_server_path():
    path = shutil.which("redis-server")
    if path is None:
        _apt_install("redis-server")
        path = shutil.which("redis-server")
    return path


@contextlib.contextmanager
def redis():
    path = redis_server_path()
    root = Path(tempfile.mkdtemp(prefix="ruamkid-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [path, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("redis-server did not start")
            time.sleep(0.05)
        _log(f"Redis on 127.0.0.1:{port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def main(argv):
    if len(argv) < 3 or argv[0] != "run" or argv[1] != "--":
        raise SystemExit("usage: python -m tests.services run -- COMMAND ...")
    command = argv[2:]
    with contextlib.ExitStack() as stack:
        env = dict(os.environ)
        if not env.get("TEST_DATABASE_URL"):
            env["TEST_DATABASE_URL"] = stack.enter_context(postgres())
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(redis())
        return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
