"""Servers that a test may break on purpose: stop, start again, freeze (SIGSTOP) and thaw.

A fault test owns its own Redis or PostgreSQL, never the run's shared one, so that stopping it
cannot disturb other tests. Each server keeps its port across a restart, as a real one behind a
fixed address does, so clients reconnect to the same URL.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.services import _as_postgres_user, free_port, postgres_bindir, redis_server_path


def _wait_for_port(port, process=None, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on port {port} after {timeout} s")
        time.sleep(0.05)


class FaultyRedis:
    """A private redis-server on a fixed loopback port."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="ruamkid-faulty-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.paused = False

    def start(self):
        """Start (or start again after stop()) on the same port."""
        if self.process is not None and self.process.poll() is None:
            return
        self.process = subprocess.Popen(
            [redis_server_path(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_for_port(self.port, self.process)

    def stop(self):
        """Stop the server for real (clients get connection refused)."""
        self.resume()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def pause(self):
        """Freeze the server (SIGSTOP): connections stay open and nothing answers."""
        if self.process is not None and self.process.poll() is None and not self.paused:
            os.kill(self.process.pid, signal.SIGSTOP)
            self.paused = True

    def resume(self):
        if self.paused and self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.paused = False

    def close(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class FaultyPostgres:
    """A private PostgreSQL cluster on a fixed loopback port, with a database ``ruamkid_fault``."""

    def __init__(self):
        self.bindir = postgres_bindir()
        self.prefix, account = _as_postgres_user()
        self.root = Path(tempfile.mkdtemp(prefix="ruamkid-faulty-pg-"))
        if account:
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://ruamkid@127.0.0.1:{self.port}/ruamkid_fault"
        self.paused_pids = []
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust",
                  "-U", "ruamkid", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        self.start()
        self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "ruamkid", "ruamkid_fault")  # fmt: skip

    def _run(self, *args, check=True):
        return subprocess.run([*self.prefix, *args], check=check, stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT)  # fmt: skip

    def start(self):
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "log"), "-w", "start")  # fmt: skip

    def stop(self):
        """Stop the cluster (fast shutdown: open connections are cut)."""
        self.resume()
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop",
                  check=False)  # fmt: skip

    def _pids(self):
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return []
        postmaster = int(pid_file.read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True,
                                  text=True).stdout.split()  # fmt: skip
        return [postmaster, *map(int, children)]

    def pause(self):
        """Freeze the postmaster and every backend (SIGSTOP)."""
        if self.paused_pids:
            return
        self.paused_pids = self._pids()
        for pid in self.paused_pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def resume(self):
        for pid in self.paused_pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.paused_pids = []

    def close(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
