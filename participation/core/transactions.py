"""Which transactions take SQLite's write lock at BEGIN (see participation.create_app)."""

from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_write_intent = ContextVar("write_intent", default=False)


def wants_write_lock():
    """A request that changes state, or code inside :func:`writing`, writes."""
    if _write_intent.get():
        return True
    return has_request_context() and request.method not in SAFE_METHODS


@contextmanager
def writing():
    """Mark the transactions begun inside this block as writers (socket events, CLI, jobs)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)
