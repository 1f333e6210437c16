"""A real multi-process server on the test database, and a small HTTP client for it.

Used where only real parallel requests prove a property (supports under concurrency).
"""

import http.cookies
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from participation.config import ROOT_DIR
from tests.services import free_port

BIN = Path(sys.executable).parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class LiveServer:
    """gunicorn with several worker processes serving ``wsgi:app`` on the given database."""

    def __init__(self, database_url, tmp_path, workers=4, worker_class="sync", extra_env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "live-server.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "RUAMKID_INSTANCE_DIR": str(tmp_path / "live-instance"),
            "SECRET_KEY": "live-test-secret-key-long-enough-for-the-checks",
            "RATELIMIT_ENABLED": "false",
            "FORM_MIN_SECONDS": "0",  # a test browser fills forms faster than people
            "MAIL_BACKEND": "log",
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_KIB": "1024",
            # Sync workers cannot answer Socket.IO; in production nginx sends /socket.io/ to the
            # live processes (docs/deploy.md), here nothing does, so pages leave the bell as is.
            "BELL_LIVE": "false",
            **(extra_env or {}),
        }
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", worker_class,
                 "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "wsgi:app"],
                cwd=ROOT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self._wait()

    def _wait(self, seconds=120):
        # Generous: importing the app on a loaded two-core machine has taken over 60 s (two
        # pytest-xdist workers, each starting servers, and other work on the machine).
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.log.read_text())
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()  # a server that did not start in time is not left running after the test
        raise AssertionError("live server did not start")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def errors(self):
        return [line for line in self.log.read_text().splitlines() if "Traceback" in line]


class Browser:
    """Cookies and CSRF tokens, like a browser, over urllib."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, path, data=None, accept="text/html"):
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if data else None
        request = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310
        request.add_header("Accept", accept)
        if self.cookies:
            request.add_header("Cookie", self._cookie_header())
        if body:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.read().decode()

    def token(self, path):
        status, page = self.request("GET", path)
        match = TOKEN.search(page)
        assert match, f"no CSRF token on {path} ({status})"
        return match.group(1) or match.group(2)

    def login(self, email, password):
        token = self.token("/login")
        status, _ = self.request(
            "POST", "/login", {"csrf_token": token, "email": email, "password": password}
        )
        assert status == 302, status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class SocketServer(LiveServer):
    """One gunicorn process with a gevent-websocket worker: HTTP and Socket.IO, like make run."""

    def __init__(self, database_url, tmp_path, redis_url=None, name="socket", extra_env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"{name}-{self.port}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "RUAMKID_INSTANCE_DIR": str(tmp_path / "live-instance"),
            "SECRET_KEY": "live-test-secret-key-long-enough-for-the-checks",
            "RATELIMIT_ENABLED": "false",
            "FORM_MIN_SECONDS": "0",  # a test browser fills forms faster than people
            "MAIL_BACKEND": "log",
            **(extra_env or {}),
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        else:
            self.env.pop("REDIS_URL", None)
        self.start()

    def start(self):
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "python:participation.gunicorn_live",
                 "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "wsgi:app"],
                cwd=ROOT_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, for crash()
            )  # fmt: skip
        self._wait()

    def crash(self):
        """SIGKILL the master and its worker at once: a crash, with no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=20)
