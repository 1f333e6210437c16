"""`make run`'s server, started for real: Thai home page, health, and Socket.IO over websocket."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from participation.config import ROOT_DIR
from tests.services import free_port

# One worker runs the whole module: its server (a module fixture) starts once, not on each.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("make-run")]

BIN = Path(sys.executable).parent


def _wait_until_up(url, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback test server
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start in time")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("server")
    port = free_port()
    env = {
        **os.environ,
        "RUAMKID_INSTANCE_DIR": str(tmp_path / "instance"),
        "FLASK_APP": "wsgi.py",
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    for command in (["flask", "db", "upgrade"], ["flask", "demo", "seed", "--if-empty"]):
        subprocess.run([str(BIN / command[0]), *command[1:]], cwd=ROOT_DIR, env=env, check=True,
                       capture_output=True)  # fmt: skip
    log = tmp_path / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={port}", f"BIN={BIN}"],
            cwd=ROOT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,  # make, gunicorn and the job worker: one process group
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", process, log)
        yield base
    finally:
        _stop(process)


def _stop(process):
    """Stop make with the server and the job worker it started. gunicorn waits up to its
    graceful timeout (30 s) for open connections; after that the group is killed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status, response.read().decode()


def test_server_serves_a_thai_home_page_and_english_on_request(server):
    status, page = _get(server + "/")
    assert status == 200
    assert '<html lang="th">' in page
    assert "เทศบาลเมืองแม่เหียะ" in page

    status, page = _get(server + "/", Cookie="lang=en")
    assert '<html lang="en">' in page
    assert "Mae Hia Town Municipality" in page


def test_server_health_is_ok(server):
    status, body = _get(server + "/healthz")
    assert status == 200
    assert '"status":"ok"' in body.replace(" ", "")


def test_server_serves_vendor_files_installed_from_npm(server):
    status, body = _get(server + "/static/vendor/socket.io/socket.io.min.js")
    assert status == 200
    assert len(body) > 10_000


def test_socketio_connects_over_websocket(server):
    import socketio

    client = socketio.Client(reconnection=False)
    client.connect(server, transports=["websocket"], wait_timeout=5)
    try:
        assert client.connected
        assert client.transport() == "websocket"
    finally:
        client.disconnect()
