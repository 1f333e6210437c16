"""Serve wsgi:app with eventlet's own WSGI server (gunicorn 27 has no eventlet worker).

    /tmp/rk-alt-venv/bin/python bench/townhall/serve_eventlet.py PORT

Used only by the async-mode comparison of bench/townhall_run.py ("eventlet").
"""

import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402

import eventlet.wsgi  # noqa: E402

from wsgi import app  # noqa: E402

port = int(sys.argv[1])
# max_size: eventlet's server otherwise stops accepting at 1,024 connections.
eventlet.wsgi.server(eventlet.listen(("127.0.0.1", port), backlog=4096), app, log_output=False,
                     max_size=20000)  # fmt: skip
