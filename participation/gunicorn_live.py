"""gunicorn settings for live (Socket.IO) processes.

Used as ``gunicorn -c python:participation.gunicorn_live``.

Measured in bench/ (bench/README.md, "Live town halls"):

- Full (oldest-generation) garbage collections of a worker holding 1,000 connections stop
  every connection for 16-400 ms and set the p99 latency. After fork the worker freezes what
  exists after start-up, keeps Python's default young-generation thresholds (short pauses),
  and turns automatic full collections off: the app runs them itself when its town halls are
  quiet, and at least every ten minutes (``participation.townhall.events.collect_garbage``).
  At 10 posts/s to 1,000 residents this took the p99 from 126-142 ms to 97 ms, and the
  server's CPU per delivery from 45-50 to 34 us.
- gevent's default of 1,000 connections per worker refused the second thousand residents.

A connection that never completes a request holds one of those places forever: gunicorn's
``timeout`` and ``keepalive`` do not apply to gevent workers, and 4,000 idle sockets stopped
the process answering anyone. So a connection has ``IDLE_CONNECTION_SECONDS`` to send its
request line and headers, when it opens and again between kept-alive requests; then it is
closed. The limit covers only that reading: a request being answered (a long-poll waiting for
events) and an open WebSocket are never cut by it. nginx in front does the same for the
public (docs/deploy.md, "Slow and idle connections").
"""

import gc
import os

from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from geventwebsocket.handler import WebSocketHandler

IDLE_CONNECTION_SECONDS = float(os.environ.get("IDLE_CONNECTION_SECONDS") or 20)


class RequestTimeoutHandler(WebSocketHandler):
    """Give a connection IDLE_CONNECTION_SECONDS to send its request line and headers."""

    idle_seconds = IDLE_CONNECTION_SECONDS

    def read_requestline(self):
        self.socket.settimeout(self.idle_seconds)
        return super().read_requestline()  # a timeout is a socket error: the connection ends

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)  # the headers, under the same limit
        finally:
            # The application's part (a body, a long-poll, a WebSocket) waits as long as it must.
            self.socket.settimeout(None)

    def _handle_client_error(self, ex):
        if isinstance(ex, TimeoutError):  # headers that never finished: close, no traceback
            return None
        return super()._handle_client_error(ex)


class LiveWorker(GeventWebSocketWorker):
    """gevent-websocket's worker, with idle connections closed."""

    wsgi_handler = RequestTimeoutHandler


worker_class = "participation.gunicorn_live.LiveWorker"
workers = 1
worker_connections = 4000
graceful_timeout = 5

# A third threshold this high means "never automatically"; collect_garbage() checks for it.
MANUAL_FULL_COLLECTIONS = 1_000_000


def post_fork(server, worker):
    gc.collect()
    gc.freeze()
    thresholds = os.environ.get("RUAMKID_GC_THRESHOLDS")  # e.g. "700,10,10", for experiments
    gc.set_threshold(
        *(int(n) for n in thresholds.split(","))
        if thresholds
        else (700, 10, MANUAL_FULL_COLLECTIONS)
    )
