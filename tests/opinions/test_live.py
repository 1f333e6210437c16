"""The map follows votes live, computed off the request path, throttled and coalesced."""

import time

import pytest
import sqlalchemy as sa

from tests.conftest import Auth

STATEMENTS = [f"ข้อความทดสอบที่ {n}" for n in range(1, 9)]


@pytest.fixture
def follow(app):
    """A /opinions Socket.IO connection (as a person, or a visitor)."""
    from participation.extensions import socketio

    opened = []

    def connect(person=None):
        client = app.test_client()
        if person is not None:
            Auth(client).login(person)
        sio = socketio.test_client(app, namespace="/opinions", flask_test_client=client)
        opened.append(sio)
        return sio

    yield connect
    for sio in opened:
        if sio.is_connected("/opinions"):
            sio.disconnect(namespace="/opinions")


def maps(sio):
    return [m["args"][0] for m in sio.get_received("/opinions") if m["name"] == "map"]


def test_the_room_hears_of_each_new_map(client, auth, create_user, create_conversation, follow):
    conversation = create_conversation(STATEMENTS)
    watcher = follow()
    answer = watcher.emit(
        "join", {"conversation": conversation.id}, namespace="/opinions", callback=True
    )
    assert answer == {"ok": True, "conversation": conversation.id, "version": None}
    voters = [create_user() for _ in range(3)]
    for person in voters:
        auth.login(person)
        for body in STATEMENTS:
            client.post(
                f"/opinions/{conversation.id}/vote",
                data={"statement_id": conversation.statement_ids[body], "choice": "agree"},
            )
        auth.logout()
    news = maps(watcher)
    assert len(news) == 3 * len(STATEMENTS)  # inline in tests: one map per vote
    assert news[-1] == {
        "conversation": conversation.id,
        "version": 24,
        "participants": 3,
        "mapped": 3,
        "groups": 0,
    }
    assert [n["version"] for n in news] == sorted(n["version"] for n in news)
    # A page fetches its fragment: the voter sees themself on the map.
    auth.login(voters[0])
    fragment = client.get(f"/opinions/{conversation.id}/map").text
    assert 'data-version="24"' in fragment
    assert client.get(f"/opinions/{conversation.id}/map.json").json["me"]["x"] is not None


def test_nobody_follows_a_conversation_they_may_not_see(create_conversation, follow, app):
    from participation.extensions import db
    from participation.processes.models import Process

    conversation = create_conversation(STATEMENTS)
    with app.app_context():
        db.session.get(Process, conversation.place.id).is_published = False
        db.session.commit()
    watcher = follow()
    for payload in (
        {"conversation": conversation.id},
        {"conversation": "x"},
        None,
        {"conversation": 2**40},
    ):
        answer = watcher.emit("join", payload, namespace="/opinions", callback=True)
        assert answer["ok"] is False
        assert answer["error"] == "not_found"
    answer = watcher.emit(
        "leave", {"conversation": conversation.id}, namespace="/opinions", callback=True
    )
    assert answer["error"] == "not_joined"


def test_a_page_stops_following_only_a_conversation_it_joined(create_conversation, follow):
    conversation = create_conversation(STATEMENTS)
    watcher = follow()
    for payload in ({"conversation": [conversation.id]}, {"conversation": {"id": 1}}, "x"):
        answer = watcher.emit("leave", payload, namespace="/opinions", callback=True)
        assert answer["error"] == "not_joined"
    watcher.emit("join", {"conversation": conversation.id}, namespace="/opinions", callback=True)
    leave = {"conversation": conversation.id}
    assert watcher.emit("leave", leave, namespace="/opinions", callback=True) == {"ok": True}
    again = watcher.emit("leave", leave, namespace="/opinions", callback=True)
    assert again["error"] == "not_joined"


def test_a_vote_only_marks_the_map_stale_in_background_mode(
    client, auth, resident, create_conversation, app, monkeypatch
):
    """Off the request path: the vote's request never computes; one task per conversation
    takes up every vote that arrived meanwhile."""
    from participation.opinions import recompute
    from participation.opinions.models import Conversation, OpinionResult

    started = []
    monkeypatch.setattr(
        recompute.socketio,
        "start_background_task",
        lambda function, *args: started.append((function, args)),
    )
    monkeypatch.setattr(recompute.scheduler, "_pending", set())
    app.config["OPINIONS_RECOMPUTE"] = "background"
    conversation = create_conversation(STATEMENTS)
    auth.login(resident)
    for body in STATEMENTS[:3]:
        response = client.post(
            f"/opinions/{conversation.id}/vote",
            data={"statement_id": conversation.statement_ids[body], "choice": "disagree"},
        )
        assert response.status_code == 302
    assert len(started) == 1  # coalesced: one pending recompute for three votes
    from participation.extensions import db

    with app.app_context():
        assert db.session.get(OpinionResult, conversation.id) is None
        assert db.session.get(Conversation, conversation.id).change_count == 3
    function, args = started[0]
    function(*args)  # the background task runs: waits for its turn, computes once
    with app.app_context():
        result = db.session.get(OpinionResult, conversation.id)
        assert result.change_count == 3
        assert result.data["statements"][str(conversation.statement_ids[STATEMENTS[0]])] == {
            "agree": 0,
            "disagree": 1,
            "pass": 0,
            "consensus": 0.0,
            "separation": 0.0,
        }
    assert recompute.scheduler.pending() == set()


def test_hiding_or_restoring_a_statement_brings_a_new_map(
    client, auth, create_conversation, app, monkeypatch
):
    """Pages following the map (a projector) lose a hidden statement without waiting for a vote."""
    from participation.opinions import recompute

    started = []
    monkeypatch.setattr(
        recompute.socketio,
        "start_background_task",
        lambda function, *args: started.append(args),
    )
    monkeypatch.setattr(recompute.scheduler, "_pending", set())
    app.config["OPINIONS_RECOMPUTE"] = "background"
    conversation = create_conversation(STATEMENTS)
    target = conversation.statement_ids[STATEMENTS[0]]
    auth.login(conversation.facilitator)
    response = client.post(f"/moderation/statement/{target}/hide", data={"reason": "นอกเรื่อง"})
    assert response.status_code == 302
    assert [args[1] for args in started] == [conversation.id]
    recompute.scheduler._pending.clear()
    response = client.post(f"/moderation/statement/{target}/restore", data={"reason": ""})
    assert response.status_code == 302
    assert [args[1] for args in started] == [conversation.id, conversation.id]


def test_maps_are_computed_at_most_once_per_interval(app, create_conversation, resident):
    from participation.extensions import db
    from participation.opinions import operations as ops
    from participation.opinions import recompute
    from participation.opinions.models import Conversation

    conversation = create_conversation(STATEMENTS)
    with app.app_context():
        assert recompute.seconds_until_due(conversation.id, 5) == 0
        ops.recompute(db.session.get(Conversation, conversation.id))
        db.session.commit()
        wait = recompute.seconds_until_due(conversation.id, 5)
        assert 4 < wait <= 5


def test_only_one_process_computes_a_map_at_a_time(app, create_conversation):
    from participation.extensions import db
    from participation.opinions import recompute

    conversation = create_conversation(STATEMENTS)
    with app.app_context():
        assert recompute._claim(conversation.id) is True
        assert recompute._claim(conversation.id) is False  # another process would skip
        assert recompute.recompute_now(conversation.id) is None
        recompute._release(conversation.id)
        db.session.commit()
        assert recompute.recompute_now(conversation.id) is not None
        assert recompute.recompute_now(conversation.id) is None  # up to date: nothing to do


def test_the_recompute_command_catches_up_on_stale_maps(app, runner, create_conversation):
    from participation.extensions import db
    from participation.opinions.models import OpinionResult

    conversation = create_conversation(STATEMENTS)
    result = runner.invoke(args=["opinions", "recompute"])
    assert result.exit_code == 0, result.output
    assert f"conversation {conversation.id}:" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OpinionResult)) == 1
    again = runner.invoke(args=["opinions", "recompute"])
    assert again.output == ""


def test_a_map_of_a_large_conversation_is_computed_within_the_budget(app, create_conversation):
    """A smaller cousin of bench/opinion_bench.py: 2,000 people x 200 statements, 20% voted."""
    import numpy as np

    from participation.extensions import db
    from participation.opinions import operations as ops
    from participation.opinions.models import Conversation, OpinionVote, Statement

    conversation = create_conversation(["ข้อแรก"])
    rng = np.random.default_rng(3)
    with app.app_context():
        from participation.accounts.models import User
        from participation.core.models import utcnow

        users = [
            {
                "email": f"bulk{n}@example.org",
                "display_name": f"คน {n}",
                "password_hash": "x",
                "preferred_language": "th",
                "privacy_consent_version": 1,
                "privacy_consent_dt": utcnow(),
            }
            for n in range(2000)
        ]
        db.session.execute(sa.insert(User), users)
        user_ids = db.session.scalars(sa.select(User.id).where(User.email.like("bulk%"))).all()
        db.session.execute(
            sa.insert(Statement),
            [{"conversation_id": conversation.id, "body": f"ข้อความ {n}"} for n in range(199)],
        )
        statement_ids = db.session.scalars(
            sa.select(Statement.id).where(Statement.conversation_id == conversation.id)
        ).all()
        cells = np.argwhere(rng.random((len(user_ids), len(statement_ids))) < 0.2)
        db.session.execute(
            sa.insert(OpinionVote),
            [
                {
                    "conversation_id": conversation.id,
                    "user_id": user_ids[i],
                    "statement_id": statement_ids[j],
                    "value": int(rng.integers(-1, 2)),
                }
                for i, j in cells.tolist()
            ],
        )
        db.session.commit()
        started = time.perf_counter()
        result = ops.recompute(db.session.get(Conversation, conversation.id))
        elapsed = time.perf_counter() - started
        assert result.data["participants"] == 2000
        assert len(result.data["points"]) <= 2000
        assert elapsed < 5  # seconds, on a busy two-core machine


def test_under_gevent_the_numpy_work_runs_in_a_native_thread(monkeypatch):
    import threading

    import numpy as np

    from participation.extensions import socketio
    from participation.opinions import compute, operations

    ran_in = []

    def work(votes, state):
        ran_in.append(threading.get_ident())
        return compute.opinion_map(votes, state)

    monkeypatch.setattr(socketio, "async_mode", "gevent", raising=False)
    votes = compute.Votes.from_dense(np.array([[1.0] * 8, [-1.0] * 8, [1.0] * 4 + [-1.0] * 4]))
    found = operations.compute_in_worker(work, votes, {})
    assert found["participants"] == 3
    assert ran_in != [threading.get_ident()]


def test_votes_are_stored_while_a_map_is_being_computed(
    app, create_conversation, create_user, monkeypatch
):
    """The recompute holds no write lock while it crunches: a vote goes through meanwhile."""
    import threading

    from participation.opinions import compute, recompute
    from tests.conftest import Auth

    conversation = create_conversation(STATEMENTS)
    voter = create_user()
    answers = []
    real_map = compute.opinion_map

    def vote_meanwhile():
        client = app.test_client()
        Auth(client).login(voter)
        response = client.post(
            f"/opinions/{conversation.id}/vote",
            data={"statement_id": conversation.statement_ids[STATEMENTS[0]], "choice": "agree"},
            headers={"Accept": "application/json"},
        )
        answers.append((response.status_code, time.perf_counter()))

    def slow_map(votes, state):
        started = time.perf_counter()
        other = threading.Thread(target=vote_meanwhile)
        other.start()
        other.join(timeout=10)
        answers.append(("computed", started))
        return real_map(votes, state)

    monkeypatch.setattr(compute, "opinion_map", slow_map)
    app.config["OPINIONS_RECOMPUTE"] = "external"  # the vote itself computes nothing here
    with app.app_context():
        result = recompute.recompute_now(conversation.id)
    assert result is not None
    (status, voted_at), (_mark, started) = answers
    assert status == 200
    assert voted_at - started < 3  # not held up by the busy timeout


def test_watching_for_stale_maps_outlives_a_database_outage(app, create_conversation,
                                                            monkeypatch):  # fmt: skip
    import sqlite3

    from participation.opinions import recompute

    conversation = create_conversation(STATEMENTS)
    real = recompute.stale_conversations
    looks = []

    def flaky():
        looks.append(len(looks))
        if len(looks) <= 2:
            raise sa.exc.OperationalError(
                "SELECT", None, sqlite3.OperationalError("unable to open")
            )
        return real()

    class Enough(Exception):  # noqa: N818 - stops the endless loop
        pass

    def sleep(_seconds):
        if len(looks) >= 4:
            raise Enough

    monkeypatch.setattr(recompute, "stale_conversations", flaky)
    echoed = []
    with app.app_context(), pytest.raises(Enough):
        recompute.watch(1, echo=echoed.append, sleep=sleep)

    assert len(looks) == 4
    assert [line.split(":")[0] for line in echoed] == [f"conversation {conversation.id}"]
