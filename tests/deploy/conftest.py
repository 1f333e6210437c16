import os
import socketserver
import threading

import pytest


@pytest.fixture(scope="module")
def redis_url():
    """One Redis for a module's tests: the run's (REDIS_URL) or a throw-away one."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from tests.services import redis

    with redis() as started:
        yield started


class _SMTPGreeter(socketserver.StreamRequestHandler):
    """Enough of SMTP to greet and answer EHLO and QUIT."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        for line in self.rfile:
            if line.upper().startswith(b"QUIT"):
                self.wfile.write(b"221 bye\r\n")
                return
            self.wfile.write(b"250 test\r\n")


@pytest.fixture(scope="module")
def smtp_port():
    """The port of a mail server on loopback that answers (and delivers nothing)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPGreeter)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
