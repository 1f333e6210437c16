"""Crash safety: the server is killed (SIGKILL, master and worker) in the middle of a stream of
writes; after a restart every write it had acknowledged is there and the database is sound.

Acknowledged means: a support answered 200, a comment answered with its redirect, a town-hall
question or message answered ``ok`` over Socket.IO. Runs on SQLite (WAL, synchronous=NORMAL:
commits survive a process crash) and on PostgreSQL."""

import threading
import time
import uuid

import pytest
import socketio
import sqlalchemy as sa

from tests.live import Browser, SocketServer

pytestmark = pytest.mark.slow
NS = "/townhall"
# Unlimited for the stream; the limits themselves have their own tests.
UNLIMITED = {"TOWNHALL_POST_LIMIT": "100000/minute", "RATELIMIT_ENABLED": "false"}


class Stream(threading.Thread):
    """Send writes one after another until the server goes away; keep what was acknowledged."""

    def __init__(self, send):
        super().__init__(daemon=True)
        self.send = send
        self.acknowledged = []
        self.failure = None

    def run(self):
        deadline = time.monotonic() + 60
        number = 0
        while time.monotonic() < deadline:
            try:
                acknowledged = self.send(number)
            except Exception as error:  # noqa: BLE001 - the server was killed mid-request
                self.failure = error
                return
            if acknowledged is None:  # refused or cut off: not acknowledged, and the end
                return
            self.acknowledged.append(acknowledged)
            number += 1


def _supports(browser, process, proposal_ids):
    token = browser.token(f"/processes/{process.slug}/proposals/{proposal_ids[0]}")

    def send(number):
        item_id = proposal_ids[number % len(proposal_ids)]
        if number >= len(proposal_ids):
            return None
        status, _body = browser.request(
            "POST", f"/processes/{process.slug}/proposals/{item_id}/support",
            {"csrf_token": token, "support": "1"}, accept="application/json",
        )  # fmt: skip
        return item_id if status == 200 else None

    return send


def _comments(browser, process, proposal_id):
    token = browser.token(f"/processes/{process.slug}/proposals/{proposal_id}")

    def send(number):
        body = f"ความคิดเห็นที่ {number} ก่อนเซิร์ฟเวอร์ล่ม"
        status, _body = browser.request(
            "POST", f"/contributions/{proposal_id}/comments",
            {"csrf_token": token, "body": body},
        )  # fmt: skip
        return body if status == 302 else None

    return send


def _townhall_posts(client, townhall):
    def send(number):
        event = "ask" if number % 2 else "post"
        client_id = f"crash-{number}-{uuid.uuid4().hex[:8]}"
        answer = client.call(event, {"townhall": townhall.slug, "body": f"โพสต์ที่ {number}",
                                     "client_id": client_id}, namespace=NS, timeout=2)  # fmt: skip
        return (event, client_id) if answer.get("ok") else None

    return send


def _wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writes did not get going"
        time.sleep(0.02)


def test_every_acknowledged_write_survives_a_sigkill(
    app, database_url, tmp_path, create_process, create_contribution, create_townhall,
    create_user, resident, token_for, in_db,
):  # fmt: skip
    from participation.comments.models import Comment
    from participation.townhall.models import Message, Question
    from participation.votes.models import Support

    process = create_process("reimagine", max_supports=None)
    proposals = [create_contribution(process, resident, title=f"ข้อเสนอ {n}") for n in range(150)]
    supporter, commenter, talker = create_user(), create_user(), create_user()
    townhall = create_townhall()
    server = SocketServer(database_url, tmp_path, name="crash", extra_env=UNLIMITED)
    supporting, commenting = Browser(server.url), Browser(server.url)
    supporting.login(supporter.email, supporter.password)
    commenting.login(commenter.email, commenter.password)
    live = socketio.Client(reconnection=False)
    live.connect(server.url, namespaces=[NS], transports=["websocket"],
                 auth={"token": token_for(talker)}, wait_timeout=10)  # fmt: skip
    assert live.call("join", {"townhall": townhall.slug}, namespace=NS, timeout=10)["ok"]
    streams = [
        Stream(_supports(supporting, process, proposals)),
        Stream(_comments(commenting, process, proposals[0])),
        Stream(_townhall_posts(live, townhall)),
    ]
    try:
        for stream in streams:
            stream.start()
        _wait_for(lambda: all(len(stream.acknowledged) >= 25 for stream in streams))
        server.crash()
        for stream in streams:
            stream.join(timeout=30)
    finally:
        live.disconnect()
        # The client drops its websocket without closing it when the server dies.
        if getattr(live.eio, "ws", None) is not None:
            live.eio.ws.shutdown()
    supported, commented, posted = (stream.acknowledged for stream in streams)
    assert not any(stream.is_alive() for stream in streams)
    assert all(stream.failure is not None for stream in streams), "a write was refused"
    assert len(supported) < len(proposals), "the crash came after the stream had ended"

    server.start()
    try:
        with in_db() as session:
            stored_supports = set(
                session.scalars(
                    sa.select(Support.proposal_id).where(Support.user_id == supporter.id)
                )
            )
            stored_comments = set(
                session.scalars(sa.select(Comment.body).where(Comment.author_id == commenter.id))
            )
            stored_posts = {
                ("post", cid)
                for cid in session.scalars(
                    sa.select(Message.client_id).where(Message.author_id == talker.id)
                )
            } | {
                ("ask", cid)
                for cid in session.scalars(
                    sa.select(Question.client_id).where(Question.author_id == talker.id)
                )
            }
            # Counters and event sequences were written with their rows: they must agree.
            inconsistent = session.execute(sa.text(
                "SELECT 'supports', c.id FROM contributions c WHERE c.support_count != "
                "(SELECT count(*) FROM supports s WHERE s.proposal_id = c.id) "
                "UNION ALL SELECT 'comments', c.id FROM contributions c WHERE c.comment_count != "
                "(SELECT count(*) FROM comments m WHERE m.contribution_id = c.id) "
                "UNION ALL SELECT 'events', t.id FROM townhalls t WHERE t.last_seq != "
                "(SELECT coalesce(max(e.seq), 0) FROM townhall_events e "
                "WHERE e.townhall_id = t.id)"
            )).all()  # fmt: skip
            if session.get_bind().dialect.name == "sqlite":
                integrity = session.execute(sa.text("PRAGMA integrity_check")).scalars().all()
                foreign_keys = session.execute(sa.text("PRAGMA foreign_key_check")).all()
            else:
                integrity, foreign_keys = ["ok"], []

        assert set(supported) <= stored_supports
        assert set(commented) <= stored_comments
        assert set(posted) <= stored_posts
        assert inconsistent == []
        assert integrity == ["ok"]
        assert foreign_keys == []
        # The restarted server carries on where it stopped.
        after = Browser(server.url)
        after.login(commenter.email, commenter.password)
        assert _comments(after, process, proposals[0])(len(commented) + 1000) is not None
    finally:
        server.stop()
    assert server.errors() == []
