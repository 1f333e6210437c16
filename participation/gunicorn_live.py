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
"""

import gc
import os

worker_class = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
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
