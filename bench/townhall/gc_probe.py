"""A gunicorn config file for experiments only (the app is not changed): time the worker's
garbage collections, and optionally freeze the objects that exist after start-up.

    gunicorn -c bench/townhall/gc_probe.py ...     GC_PROBE_LOG=/tmp/gc.jsonl [GC_PROBE_FREEZE=1]

Each collection of the oldest generation is appended to GC_PROBE_LOG as one JSON line
(duration in ms, objects collected). With GC_PROBE_FREEZE=1 the worker calls gc.freeze() after
loading the app and raises the first threshold (700 -> 50,000), as long-running servers do.
"""

import gc
import json
import os
import time


def post_fork(server, worker):
    path = os.environ.get("GC_PROBE_LOG")
    if os.environ.get("GC_PROBE_FREEZE") == "1":
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
    if not path:
        return
    started = {}

    def callback(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
        elif "t" in started:
            ms = 1000 * (time.perf_counter() - started.pop("t"))
            if info["generation"] == 2 or ms > 5:
                with open(path, "a") as handle:
                    handle.write(
                        json.dumps(
                            {
                                "at": time.time(),
                                "gen": info["generation"],
                                "ms": round(ms, 2),
                                "collected": info["collected"],
                            }
                        )
                        + "\n"
                    )

    gc.callbacks.append(callback)
