"""PostgreSQL connections that give up on a server that does not answer.

A stopped server refuses at once, but a frozen one (a stalled disk, a paused virtual machine,
SIGSTOP in the tests) accepts the TCP connection and then says nothing: a request waiting on it
would hang until the resident gave up, holding a connection of the pool and, under gevent, a
place among the worker's connections. ``connect_timeout`` bounds the connecting; the server's
own ``statement_timeout`` cannot help, since a frozen server enforces nothing. So a request's
every wait for the server (a statement, a fetch, a commit, the pool's ping) is bounded here on
the client: past ``DATABASE_TIMEOUT`` seconds the connection is closed and the request gets a
database error, which the error handlers answer with 503 (participation.core.errors).

Work outside a request (migrations, the CLI, backups) is not bounded: a long migration must
not be cut halfway.
"""

import psycopg
import sqlalchemy as sa
from flask import has_request_context

WAIT_TIMEOUT_PARAMETER = "ruamkid_wait_timeout"
# psycopg raises this (private) class when a wait given a timeout runs out.
_WAIT_TIMEOUT = getattr(psycopg.errors, "_WaitTimeout", TimeoutError)


class TimedConnection(psycopg.Connection):
    """A psycopg connection whose waits for the server, inside a request, end after
    ``wait_timeout`` seconds with an OperationalError (the connection is then closed)."""

    wait_timeout = None

    def wait(self, gen, *args, timeout=None, **kwargs):
        limit = timeout
        if limit is None and self.wait_timeout and has_request_context():
            limit = self.wait_timeout
        try:
            return super().wait(gen, *args, timeout=limit, **kwargs)
        except _WAIT_TIMEOUT:
            if timeout is not None:  # psycopg's own limit (e.g. cancelling): its business
                raise
            # Mid-statement the connection cannot be used again; closing it lets SQLAlchemy
            # see a disconnect and drop it from the pool.
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not answer within {limit:g} s"
            ) from None


def configure_timeouts(options, url, seconds):
    """Add the connect and wait timeouts to SQLAlchemy engine ``options`` for PostgreSQL."""
    if not seconds or not str(url).startswith("postgresql"):
        return options
    connect_args = dict(options.get("connect_args", {}))
    connect_args.setdefault("connect_timeout", max(1, round(seconds)))
    connect_args[WAIT_TIMEOUT_PARAMETER] = seconds
    return {**options, "connect_args": connect_args}


@sa.event.listens_for(sa.engine.Engine, "do_connect")
def _connect_with_timeouts(dialect, connection_record, cargs, cparams):
    """Open PostgreSQL connections as :class:`TimedConnection` when a wait timeout is set."""
    seconds = cparams.pop(WAIT_TIMEOUT_PARAMETER, None)
    if seconds is None or dialect.driver != "psycopg":
        return None
    connection = TimedConnection.connect(*cargs, **cparams)
    connection.wait_timeout = seconds
    return connection
