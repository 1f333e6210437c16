"""Which transactions take SQLite's write lock at BEGIN (see participation.create_app), and
one writer at a time per process.

SQLite waits for a lock held by another connection inside its C code (the busy timeout),
without letting other greenlets run. Under gevent, if one greenlet holds the write lock and
yields (a Redis call, a socket write) while another greenlet of the same process starts a write,
the second one blocks the whole process and the first can never finish: both wait out the
busy timeout and fail. So write transactions of one process also take a process-wide lock
first (gevent-aware once gevent has patched ``threading``): greenlets queue cooperatively, and
SQLite's busy wait only ever waits for other processes.

That wait for another process is SQLite's own sleep in C, which under gevent stops every
greenlet of the process too: with two live processes on SQLite at 150 posts/s, each process
spent about a third of its time there (bench/README.md, "Live town halls"). So under gevent a
writer asks SQLite for the write lock without waiting and, while another process holds it,
sleeps cooperatively and asks again.
"""

import sqlite3
import sys
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from flask import has_request_context, request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_write_intent = ContextVar("write_intent", default=None)


def wants_write_lock():
    """A request that changes state, or code inside :func:`writing`, writes; code inside
    :func:`reading` does not, even in such a request."""
    intent = _write_intent.get()
    if intent is not None:
        return intent
    return has_request_context() and request.method not in SAFE_METHODS


@contextmanager
def writing():
    """Mark the transactions begun inside this block as writers (socket events, CLI, jobs)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def reading():
    """Mark the transactions begun inside this block as readers, in a request that writes
    later: e.g. a sign-in reads the password hash, checks it without holding SQLite's write
    lock, and only then writes."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


def is_busy(error):
    """Whether a database error means "another writer held the lock too long": worth a
    "busy, try again" answer rather than an error page."""
    message = str(getattr(error, "orig", error)).lower()
    return "database is locked" in message or "database is busy" in message


def database_problem(error):
    """Say what kind of trouble a database error is, in a word the error pages, the health
    check and the live handlers share: ``busy`` (another writer held the lock too long: try
    again in a moment), ``full`` (no space left to write), ``read_only``, ``timeout`` (the
    server did not answer in time), ``schema`` (a table or column is missing: not an outage)
    or ``unreachable`` (anything else: refused, cut, down)."""
    if is_busy(error):
        return "busy"
    original = getattr(error, "orig", error)
    message = str(original).lower()
    sqlstate = getattr(original, "sqlstate", None) or ""
    if "no such table" in message or "no such column" in message:
        return "schema"  # SQLite's way of saying "migrations not run": a bug, not an outage
    if sqlstate == "53100" or "disk is full" in message or "no space left" in message:
        return "full"
    if sqlstate == "25006" or "readonly" in message or "read-only" in message:
        return "read_only"
    if isinstance(original, TimeoutError) or any(
        words in message for words in ("timeout", "timed out", "did not answer")
    ):
        return "timeout"
    return "unreachable"


class _WriterLock:
    """A re-entrant lock created on first use, after gevent (if any) has patched threading."""

    def __init__(self):
        self._lock = None

    def _get(self):
        if self._lock is None:
            self._lock = threading.RLock()
        return self._lock

    def acquire(self):
        self._get().acquire()

    def release(self):
        self._get().release()


writer_lock = _WriterLock()
HOLDS_WRITER_LOCK = "ruamkid_writer_lock"


def begin_sqlite(connection):
    """BEGIN IMMEDIATE (holding this process's writer lock until the end) or plain BEGIN."""
    if not wants_write_lock():
        connection.exec_driver_sql("BEGIN")
        return
    writer_lock.acquire()
    try:
        if _under_gevent():
            _begin_immediate_cooperatively(connection.connection.dbapi_connection)
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        writer_lock.release()
        raise
    connection.info[HOLDS_WRITER_LOCK] = True


def end_sqlite(connection):
    """After COMMIT or ROLLBACK: let the process's next writer in."""
    if connection.info.pop(HOLDS_WRITER_LOCK, False):
        writer_lock.release()


def _under_gevent():
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("time")


BUSY_TIMEOUT_MS = 5000  # as set on every connection (participation.create_app)


def _begin_immediate_cooperatively(dbapi_connection, timeout=BUSY_TIMEOUT_MS / 1000):
    """BEGIN IMMEDIATE, waiting for another process's write lock in greenlet-friendly sleeps
    (``time.sleep`` is gevent's here) up to the same busy timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.0005
    dbapi_connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() + delay > deadline:
                    # As SQLAlchemy would have raised it (the handlers answer "busy").
                    raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
            time.sleep(delay)
            delay = min(delay * 2, 0.004)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
