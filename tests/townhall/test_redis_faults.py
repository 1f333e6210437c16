"""A live town hall keeps going when Redis stops, restarts or freezes: two real server processes
share a private Redis that the tests break on purpose (tests/faults.py)."""

import queue
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.townhall.test_real_servers import Client

pytestmark = pytest.mark.slow
NS = "/townhall"


class Watcher(Client):
    """A client that also records the presence counts it is told."""

    def __init__(self, url, token=None):
        self.presence = queue.Queue()
        super().__init__(url, token)
        self.sio.on("presence", lambda data: self.presence.put(data["present"]), namespace=NS)

    def seqs_of(self, type_, count, timeout=15):
        return {self.next_event(type_, timeout)["seq"] for _ in range(count)}

    def presence_reaches(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.presence.get(timeout=max(0.1, deadline - time.monotonic())) == count:
                    return True
            except queue.Empty:
                break
        return False


def _post(client, townhall, body):
    answer = client.call("post", townhall=townhall.slug, body=body, client_id=str(uuid.uuid4()))
    assert answer["ok"], answer
    return answer["message"]["seq"]


@pytest.fixture
def two_servers(socket_server, faulty_redis):
    return [socket_server(redis_url=faulty_redis.url) for _ in range(2)]


@pytest.mark.parametrize("fault", ["stop", "pause"])
def test_residents_join_and_post_while_redis_is_away_and_every_post_reaches_everyone(
    fault, two_servers, faulty_redis, create_townhall, create_user, token_for
):
    townhall = create_townhall()
    first, second = two_servers
    watchers = [Watcher(server.url, token_for(create_user())) for server in two_servers]
    talkers = [Client(server.url, token_for(create_user())) for server in two_servers]
    late = []
    try:
        for client in watchers + talkers:
            assert client.call("join", townhall=townhall.slug)["ok"]
        acknowledged = {_post(talkers[0], townhall, "ก่อน Redis หยุด")}

        getattr(faulty_redis, fault)()
        # A resident arrives during the outage: they can connect, join and post.
        late.append(Client(second.url, token_for(create_user())))
        started = time.monotonic()
        joined = late[0].call("join", townhall=townhall.slug)
        assert joined["ok"]
        assert joined["snapshot"]["last_seq"] >= 1
        acknowledged |= {_post(late[0], townhall, "ระหว่างที่ Redis หยุด 1")}
        acknowledged |= {_post(talkers[0], townhall, "ระหว่างที่ Redis หยุด 2")}
        acknowledged |= {_post(talkers[1], townhall, "ระหว่างที่ Redis หยุด 3")}
        took = time.monotonic() - started

        (faulty_redis.resume if fault == "pause" else faulty_redis.start)()
        acknowledged |= {_post(talkers[1], townhall, "หลัง Redis กลับมา")}

        # Every acknowledged post reaches the residents of both processes, none twice.
        for watcher in watchers:
            assert watcher.seqs_of("message", len(acknowledged)) == acknowledged
            with pytest.raises(queue.Empty):
                watcher.next_event("message", timeout=1.5)
    finally:
        for client in watchers + talkers + late:
            client.close()
    assert took < 5  # joining and four posts; nobody waited for Redis for long
    assert first.errors() == second.errors() == []


def test_a_post_committed_as_redis_stops_reaches_the_other_process_when_it_returns(
    two_servers, faulty_redis, create_townhall, create_user, token_for
):
    """The post is stored and acknowledged but cannot be published; nothing else happens in the
    room, and still the other process's residents receive it once Redis is back."""
    townhall = create_townhall()
    first, second = two_servers
    watcher = Watcher(second.url, token_for(create_user()))
    talker = Client(first.url, token_for(create_user()))
    try:
        for client in (watcher, talker):
            assert client.call("join", townhall=townhall.slug)["ok"]
        faulty_redis.stop()
        seq = _post(talker, townhall, "โพสต์ตอนที่ Redis ล่ม")
        time.sleep(1)
        faulty_redis.start()

        assert watcher.next_event("message", timeout=10)["seq"] == seq
    finally:
        watcher.close()
        talker.close()


def test_presence_and_attendance_resume_after_redis_restarts(
    two_servers, faulty_redis, create_townhall, create_user, token_for, in_db
):
    from participation.townhall.models import Attendance

    townhall = create_townhall()
    first, second = two_servers
    watcher = Watcher(first.url, token_for(create_user()))
    others = [Client(second.url, token_for(create_user()))]
    try:
        assert watcher.call("join", townhall=townhall.slug)["ok"]
        assert others[0].call("join", townhall=townhall.slug)["ok"]
        assert watcher.presence_reaches(2)

        faulty_redis.stop()
        time.sleep(3)  # the presence task meets the outage
        faulty_redis.start()  # empty: Redis kept nothing
        others.append(Client(second.url, token_for(create_user())))
        assert others[1].call("join", townhall=townhall.slug)["ok"]

        # Both processes wrote their connections into the new Redis again: everyone counts.
        assert watcher.presence_reaches(3)

        def samples():
            with in_db() as session:
                return session.scalar(
                    sa.select(sa.func.count()).select_from(Attendance)
                    .where(Attendance.townhall_id == townhall.id, Attendance.present == 3)
                )  # fmt: skip

        deadline = time.monotonic() + 10
        while samples() == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert samples() > 0
    finally:
        watcher.close()
        for client in others:
            client.close()
    assert first.errors() == second.errors() == []


def _write_elsewhere(database_url, wait=0.3):
    """Whether another connection can write to the database right now (within ``wait`` s)."""
    if database_url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=wait)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            connection.close()
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            idle = connection.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                "AND datname = current_database()"))  # fmt: skip
        return idle == 0
    finally:
        engine.dispose()


def test_a_live_post_waiting_for_a_frozen_redis_holds_no_database_transaction(
    config, make_app, faulty_redis, create_townhall, resident, database_url
):
    import threading

    from participation.extensions import socketio
    from tests.conftest import Auth

    config.REDIS_URL = config.RATELIMIT_STORAGE_URI = faulty_redis.url
    config.RATELIMIT_ENABLED = True
    app = make_app(config)
    townhall = create_townhall()
    client = app.test_client()
    Auth(client).login(resident)
    sio = socketio.test_client(app, namespace=NS, flask_test_client=client)
    answers = []
    try:
        assert sio.emit("join", {"townhall": townhall.slug}, namespace=NS, callback=True)["ok"]
        faulty_redis.pause()
        posting = threading.Thread(target=lambda: answers.append(sio.emit(
            "post", {"townhall": townhall.slug, "body": "Redis ค้าง", "client_id": "frozen"},
            namespace=NS, callback=True)))  # fmt: skip
        started = time.monotonic()
        posting.start()
        time.sleep(0.15)  # the post now waits for Redis (its live limit)
        others_can_write = _write_elsewhere(database_url)
        posting.join(timeout=5)
        took = time.monotonic() - started
    finally:
        faulty_redis.resume()
        posting.join(timeout=5)
        sio.disconnect(namespace=NS)

    assert others_can_write
    assert answers
    assert answers[0]["ok"]
    assert took < 2
