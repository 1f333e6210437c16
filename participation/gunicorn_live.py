"""gunicorn settings for live (Socket.IO) processes.

Used as ``gunicorn -c python:participation.gunicorn_live``.

Measured in bench/ (bench/README.md, "Live town halls"): full garbage collections of a
worker holding 1,000 connections froze every connection for 16-173 ms and set the p99 latency;
freezing what exists after start-up and collecting the young generation less often cut the p99
at 10 posts/s from 183 to 113 ms. gevent's default of 1,000 connections per worker refused the
second thousand residents.
"""

import gc
import os

worker_class = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
workers = 1
worker_connections = 4000
graceful_timeout = 5


def post_fork(server, worker):
    gc.collect()
    gc.freeze()
    thresholds = os.environ.get("RUAMKID_GC_THRESHOLDS")  # e.g. "700,10,10", for tuning
    gc.set_threshold(*(int(n) for n in thresholds.split(",")) if thresholds else (50_000, 20, 100))
