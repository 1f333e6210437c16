"""Writers of a gevent process wait for another process's SQLite write lock in short sleeps of
their own, so the rest of the process keeps running (participation/core/transactions.py)."""

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from participation.core.transactions import BUSY_TIMEOUT_MS, _begin_immediate_cooperatively


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "shared.sqlite3"
    first = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("CREATE TABLE posts (body TEXT)")
    first.close()

    opened = []

    def connect():
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        connection.close()


def test_a_writer_begins_as_soon_as_the_other_process_commits(database):
    other_process, ours = database(), database()
    other_process.execute("BEGIN IMMEDIATE")
    other_process.execute("INSERT INTO posts VALUES ('ก่อน')")
    threading.Timer(0.05, lambda: other_process.execute("COMMIT")).start()

    _begin_immediate_cooperatively(ours)
    ours.execute("INSERT INTO posts VALUES ('หลัง')")
    ours.execute("COMMIT")

    assert [row[0] for row in ours.execute("SELECT body FROM posts")] == ["ก่อน", "หลัง"]
    assert ours.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS


def test_a_writer_gives_up_as_busy_when_the_other_process_holds_the_lock_too_long(database):
    other_process, ours = database(), database()
    other_process.execute("BEGIN IMMEDIATE")

    with pytest.raises(sa.exc.OperationalError, match="locked"):
        _begin_immediate_cooperatively(ours, timeout=0.05)

    assert not ours.in_transaction
    assert ours.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    other_process.execute("ROLLBACK")


def test_a_request_that_waited_out_a_busy_database_is_told_to_try_again(app, thai):
    """Not an error page: 503 with Retry-After, in the reader's language."""

    @app.post("/_busy")
    def busy():
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(
            "database is locked"))  # fmt: skip

    @app.post("/_broken")
    def broken():
        raise sa.exc.OperationalError("SELECT", None, sqlite3.OperationalError("no such table"))

    client = app.test_client()
    response = client.post("/_busy", headers={"Accept-Language": "th"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert thai("The service is busy; please try again shortly") in response.get_data(as_text=True)

    assert client.post("/_broken").status_code == 500
