"""The `make serve` process closes connections that never send a request, so a crowd of idle
sockets cannot take every place and stop it answering residents; WebSockets stay open."""

import contextlib
import resource
import socket
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow

IDLE_SECONDS = 2
PLACES = 1000  # the worker's connections in this test (4,000 in participation/gunicorn_live.py)
IDLE_SOCKETS = 1200  # more than the worker can hold


@pytest.fixture
def server(socket_server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < IDLE_SOCKETS + 500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, IDLE_SOCKETS + 500), hard))
    return socket_server(extra_env={
        "IDLE_CONNECTION_SECONDS": str(IDLE_SECONDS),
        "GUNICORN_CMD_ARGS": f"--worker-connections {PLACES}",
    })  # fmt: skip


def _open_idle_sockets(port):
    """Half say nothing at all; half start a request and never finish its headers."""
    sockets = []
    for number in range(IDLE_SOCKETS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if number % 2:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(sock)
    return sockets


def _closed_by_server(sock, deadline):
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_idle_connections_are_closed_and_residents_are_answered_again(server):
    import socketio

    live = socketio.Client(reconnection=False)
    live.connect(server.url, namespaces=["/townhall"], transports=["websocket"], wait_timeout=5)
    sockets = _open_idle_sockets(server.port)
    try:
        started = time.monotonic()
        with urllib.request.urlopen(server.url + "/healthz", timeout=30) as response:  # noqa: S310
            assert response.status == 200
        waited = time.monotonic() - started
        # Every place was taken: the request waited for idle ones to be dropped, not forever.
        assert waited < IDLE_SECONDS + 4, waited

        deadline = time.monotonic() + IDLE_SECONDS + 10
        still_open = [sock for sock in sockets if not _closed_by_server(sock, deadline)]
        assert still_open == []

        # A WebSocket quiet for longer than the limit is still connected: only a request's
        # line and headers are timed, never an upgraded connection or a response being waited.
        time.sleep(IDLE_SECONDS + 1)
        answer = live.call("join", {"townhall": "no-such-town-hall"}, namespace="/townhall",
                           timeout=5)  # fmt: skip
        assert answer["error"] == "not_found"
    finally:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()
        live.disconnect()
