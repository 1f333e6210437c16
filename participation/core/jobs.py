"""Work done after the answer is sent: the seam where a job queue will plug in.

:func:`defer` runs a function later, in this server process: a greenlet under gevent (the
production server), a thread otherwise, through Flask-SocketIO's background tasks. The job has
its own application context and database session, and never the request's: it sees what was
committed, and commits what it writes itself. A job that fails is logged and not retried.

Nothing here survives a restart of the process: a job queue (with its own workers and retries)
replaces this module by giving :func:`defer` the same signature.
"""

import logging
import threading

from flask import current_app, g, has_request_context

from participation.extensions import db, socketio

logger = logging.getLogger(__name__)

_state = {"pending": 0, "settled": None}


def _settled():
    """The condition jobs signal, made on first use: after gevent (if any) patched threading."""
    if _state["settled"] is None:
        _state["settled"] = threading.Condition()
    return _state["settled"]


def defer(function, *args):
    """Run ``function(*args)`` after this request, off the request's path and time.

    In a request the job starts once the request has ended (its answer is made), and then
    waits a moment (START_DELAY_SECONDS), so it takes none of the request's time; elsewhere
    at once.
    """
    app = current_app._get_current_object()
    with _settled():
        _state["pending"] += 1
    if has_request_context():
        g.setdefault("deferred_jobs", []).append((function, args))
    else:
        socketio.start_background_task(_run, app, function, args)


def start_deferred_jobs(_exception=None):
    """At the end of a request: start the jobs the request deferred."""
    app = current_app._get_current_object()
    for function, args in g.pop("deferred_jobs", ()):
        socketio.start_background_task(_run, app, function, args)


def init_app(app):
    app.teardown_request(start_deferred_jobs)


# A job waits this long before it starts, so that it never competes with the end of the
# request that deferred it (threads share one interpreter lock; under gevent the request's
# greenlet finishes writing its answer first). Nobody notices a mail 50 ms later.
START_DELAY_SECONDS = 0.05


def _run(app, function, args):
    try:
        socketio.sleep(START_DELAY_SECONDS)
        with app.app_context():
            try:
                function(*args)
            finally:
                db.session.remove()
    except Exception:
        logger.exception("The job %s failed", getattr(function, "__qualname__", function))
    finally:
        with _settled():
            _state["pending"] -= 1
            _settled().notify_all()


def wait_for_jobs(timeout=10.0):
    """Wait until every deferred job of this process has ended; False if ``timeout`` passed
    first. For tests and for a clean shutdown."""
    with _settled():
        return _settled().wait_for(lambda: _state["pending"] == 0, timeout)
