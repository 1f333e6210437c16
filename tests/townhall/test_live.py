"""The live town hall over Socket.IO: questions, discussion, polls, facilitator controls."""

import pytest
import sqlalchemy as sa

from participation.townhall.models import Event, Message, PollResponse, Question

NS = "/townhall"


def call(sio, event, **payload):
    return sio.emit(event, payload, namespace=NS, callback=True)


def joined(sio, townhall, **extra):
    answer = call(sio, "join", townhall=townhall.slug, **extra)
    assert answer["ok"], answer
    return answer


def events(sio):
    """The town hall events received, whether one by one or several in one message."""
    received = []
    for item in sio.get_received(NS):
        if item["name"] == "event":
            received.append(item["args"][0])
        elif item["name"] == "events":
            received.extend(item["args"][0])
    return received


def _count(in_db, model):
    with in_db() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_resident_asks_and_everyone_in_the_room_sees_it(socket_for, create_townhall, resident,
                                                      create_user):  # fmt: skip
    townhall = create_townhall()
    asker, watcher = socket_for(resident), socket_for(create_user())
    joined(asker, townhall)
    joined(watcher, townhall)

    answer = call(asker, "ask", townhall=townhall.slug, body="ไฟถนนซอย 3 จะซ่อมเมื่อไร",
                  client_id="q-1")  # fmt: skip

    assert answer["ok"]
    question = answer["question"]
    assert question["body"] == "ไฟถนนซอย 3 จะซ่อมเมื่อไร"
    assert question["author"]["name"] == resident.name
    received = events(watcher)
    assert [(e["type"], e["data"]["id"], e["seq"]) for e in received] == [
        ("question", question["id"], question["seq"])
    ]


def test_join_gives_a_snapshot_of_the_town_hall(socket_for, create_townhall, resident):
    townhall = create_townhall()
    first = socket_for(resident)
    joined(first, townhall)
    call(first, "ask", townhall=townhall.slug, body="คำถามแรก", client_id="a")
    call(first, "post", townhall=townhall.slug, body="สวัสดีทุกคน", client_id="b")

    later = socket_for(None)
    snapshot = joined(later, townhall)["snapshot"]

    assert [q["body"] for q in snapshot["questions"]] == ["คำถามแรก"]
    assert [m["body"] for m in snapshot["messages"]] == ["สวัสดีทุกคน"]
    assert snapshot["last_seq"] == 2
    assert snapshot["settings"]["state"] == "live"


def test_a_retried_post_is_stored_once(socket_for, create_townhall, resident, in_db):
    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)

    first = call(sio, "ask", townhall=townhall.slug, body="ถามครั้งเดียว", client_id="retry-1")
    again = call(sio, "ask", townhall=townhall.slug, body="ถามครั้งเดียว", client_id="retry-1")
    post = call(sio, "post", townhall=townhall.slug, body="ข้อความ", client_id="retry-2")
    post_again = call(sio, "post", townhall=townhall.slug, body="ข้อความ", client_id="retry-2")

    assert first["question"]["id"] == again["question"]["id"]
    assert post["message"]["id"] == post_again["message"]["id"]
    assert _count(in_db, Question) == 1
    assert _count(in_db, Message) == 1
    assert _count(in_db, Event) == 2


def test_reconnecting_client_receives_everything_it_missed_in_order(
    socket_for, create_townhall, resident, create_user
):
    townhall = create_townhall()
    talker = socket_for(resident)
    joined(talker, townhall)
    call(talker, "ask", townhall=townhall.slug, body="หนึ่ง", client_id="1")
    seen = call(talker, "post", townhall=townhall.slug, body="สอง", client_id="2")["message"]
    call(talker, "post", townhall=townhall.slug, body="สาม", client_id="3")
    call(talker, "ask", townhall=townhall.slug, body="สี่", client_id="4")

    returning = socket_for(create_user())
    answer = joined(returning, townhall, last_seq=seen["seq"])

    assert [(e["seq"], e["data"]["body"]) for e in answer["events"]] == [(3, "สาม"), (4, "สี่")]
    assert answer["last_seq"] == 4
    assert "snapshot" not in answer


def test_upvote_once_per_resident(socket_for, create_townhall, resident, create_user, in_db):
    townhall = create_townhall()
    asker, voter = socket_for(resident), socket_for(create_user())
    joined(asker, townhall)
    joined(voter, townhall)
    question = call(asker, "ask", townhall=townhall.slug, body="ถาม", client_id="q")["question"]

    first = call(voter, "upvote", townhall=townhall.slug, question_id=question["id"])
    second = call(voter, "upvote", townhall=townhall.slug, question_id=question["id"])
    own = call(asker, "upvote", townhall=townhall.slug, question_id=question["id"])

    assert (first["upvotes"], first["already"]) == (1, False)
    assert (second["upvotes"], second["already"]) == (1, True)
    assert own["ok"] is False
    votes = [e for e in events(asker) if e["type"] == "question.upvotes"]
    assert [e["data"]["upvotes"] for e in votes] == [1]


def test_facilitator_marks_a_question_answering_then_answered(
    socket_for, create_townhall, resident, in_db
):
    townhall = create_townhall()
    asker, host = socket_for(resident), socket_for(townhall.facilitator)
    joined(asker, townhall)
    joined(host, townhall)
    question = call(asker, "ask", townhall=townhall.slug, body="ถาม", client_id="q")["question"]

    call(host, "question_state", townhall=townhall.slug, question_id=question["id"],
         state="answering")  # fmt: skip
    call(host, "question_state", townhall=townhall.slug, question_id=question["id"],
         state="answered")  # fmt: skip

    changes = [e["data"] for e in events(asker) if e["type"] == "question.state"]
    assert [(c["state"], c["current_question_id"]) for c in changes] == [
        ("answering", question["id"]),
        ("answered", None),
    ]
    with in_db() as session:
        assert session.get(Question, question["id"]).state == "answered"


def test_poll_results_update_live_and_each_resident_answers_once(
    socket_for, create_townhall, resident, create_user, in_db
):
    townhall = create_townhall()
    host, voter, other = (
        socket_for(townhall.facilitator),
        socket_for(resident),
        socket_for(create_user()),
    )
    for sio in (host, voter, other):
        joined(sio, townhall)
    poll = call(host, "open_poll", townhall=townhall.slug, question="ควรเริ่มที่ซอยไหน",
                options=["ซอย 3", "ซอย 5"])["poll"]  # fmt: skip
    first_option, second_option = (o["id"] for o in poll["options"])

    call(
        voter, "answer_poll", townhall=townhall.slug, poll_id=poll["id"], option_ids=[first_option]
    )
    twice = call(voter, "answer_poll", townhall=townhall.slug, poll_id=poll["id"],
                 option_ids=[second_option])  # fmt: skip
    call(
        other, "answer_poll", townhall=townhall.slug, poll_id=poll["id"], option_ids=[first_option]
    )

    assert twice == {"ok": False, "error": "already", "message": twice["message"]}
    results = [e["data"] for e in events(host) if e["type"] == "poll.results"]
    assert [[o["votes"] for o in r["options"]] for r in results] == [[1, 0], [2, 0]]
    assert _count(in_db, PollResponse) == 2


def test_hidden_poll_results_stay_hidden_until_the_poll_closes(
    socket_for, create_townhall, resident
):
    townhall = create_townhall()
    host, voter = socket_for(townhall.facilitator), socket_for(resident)
    joined(host, townhall)
    joined(voter, townhall)
    poll = call(host, "open_poll", townhall=townhall.slug, question="เลือก", options=["ก", "ข"],
                hide_results=True)["poll"]  # fmt: skip
    call(voter, "answer_poll", townhall=townhall.slug, poll_id=poll["id"],
         option_ids=[poll["options"][0]["id"]])  # fmt: skip
    call(host, "close_poll", townhall=townhall.slug, poll_id=poll["id"])

    results = [e["data"] for e in events(voter) if e["type"] == "poll.results"]
    assert "votes" not in results[0]["options"][0]
    assert results[0]["voters"] == 1
    assert results[1]["state"] == "closed"
    assert [o["votes"] for o in results[1]["options"]] == [1, 0]


def test_hidden_message_disappears_and_is_not_replayed(
    socket_for, create_townhall, resident, create_user
):
    townhall = create_townhall()
    talker, host = socket_for(resident), socket_for(townhall.facilitator)
    joined(talker, townhall)
    joined(host, townhall)
    message = call(talker, "post", townhall=townhall.slug, body="ข้อความหยาบคาย",
                   client_id="m")["message"]  # fmt: skip

    call(host, "hide", townhall=townhall.slug, kind="message", id=message["id"],
         reason="ใช้คำไม่สุภาพ")  # fmt: skip

    hidden = [e["data"] for e in events(talker) if e["type"] == "hidden"]
    assert hidden == [{"kind": "message", "id": message["id"], "reason": "ใช้คำไม่สุภาพ"}]
    late = socket_for(create_user())
    assert joined(late, townhall)["snapshot"]["messages"] == []
    replay = joined(socket_for(create_user()), townhall, last_seq=0)["events"]
    assert replay[0]["data"]["body"] == ""
    assert replay[0]["data"]["hidden"] is True
    # Its author and the facilitators still see it, marked hidden with the reason.
    for person in (resident, townhall.facilitator):
        [seen] = joined(socket_for(person), townhall)["snapshot"]["messages"]
        assert (seen["body"], seen["hidden"], seen["hidden_reason"]) == (
            "ข้อความหยาบคาย", True, "ใช้คำไม่สุภาพ")  # fmt: skip


def test_locked_discussion_and_slow_mode(socket_for, create_townhall, resident, in_db, thai):
    townhall = create_townhall()
    talker, host = socket_for(resident), socket_for(townhall.facilitator)
    joined(talker, townhall)
    joined(host, townhall)

    call(host, "settings", townhall=townhall.slug, discussion_locked=True)
    locked = call(talker, "post", townhall=townhall.slug, body="x", client_id="1")
    call(host, "settings", townhall=townhall.slug, discussion_locked=False, slow_mode_seconds=60)
    first = call(talker, "post", townhall=townhall.slug, body="หนึ่ง", client_id="2")
    second = call(talker, "post", townhall=townhall.slug, body="สอง", client_id="3")

    assert locked["error"] == "locked"
    assert locked["message"] == thai("The facilitator has paused the discussion.")
    assert first["ok"]
    assert second["error"] == "slow_mode"
    assert 0 < second["retry_after"] <= 60
    assert _count(in_db, Message) == 1


def test_muted_resident_can_watch_but_not_write(socket_for, create_townhall, resident, in_db):
    townhall = create_townhall()
    talker, host = socket_for(resident), socket_for(townhall.facilitator)
    joined(talker, townhall)
    joined(host, townhall)

    call(host, "mute", townhall=townhall.slug, user_id=resident.id)
    refused = call(talker, "ask", townhall=townhall.slug, body="ถาม", client_id="q")

    assert refused["error"] == "muted"
    assert any(e["type"] == "muted" for e in events(talker))
    assert _count(in_db, Question) == 0


@pytest.mark.parametrize(
    ("event_name", "payload"),
    [
        ("open", {}),
        ("end", {}),
        ("settings", {"discussion_locked": True}),
        ("mute", {"user_id": 1}),
        ("open_poll", {"question": "q", "options": ["a", "b"]}),
        ("pin", {"message_id": None}),
    ],
)
def test_residents_cannot_use_facilitator_controls(
    socket_for, create_townhall, resident, in_db, event_name, payload
):
    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)

    answer = call(sio, event_name, townhall=townhall.slug, **payload)

    assert answer["ok"] is False
    assert answer["error"] == "forbidden"
    assert _count(in_db, Event) == 0


def test_facilitator_of_another_town_hall_has_no_controls_here(socket_for, create_townhall, in_db):
    here, elsewhere = create_townhall(), create_townhall()
    sio = socket_for(elsewhere.facilitator)
    joined(sio, here)

    assert call(sio, "settings", townhall=here.slug, discussion_locked=True)["error"] == "forbidden"


def test_visitors_watch_but_never_write(socket_for, create_townhall, in_db):
    townhall = create_townhall()
    closed = create_townhall(allow_visitors=False)
    visitor = socket_for(None)

    assert joined(visitor, townhall)["snapshot"]["me"]["id"] is None
    assert call(visitor, "ask", townhall=townhall.slug, body="x", client_id="1")["error"] == (
        "sign_in"
    )
    assert call(visitor, "join", townhall=closed.slug)["error"] == "sign_in"
    assert _count(in_db, Question) == 0


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"townhall": "no-such-townhall", "body": "x", "client_id": "1"}, "not_found"),
        ({"townhall": 12345, "body": "x", "client_id": "1"}, "not_found"),
        ({"body": "x", "client_id": "1"}, "not_found"),
        ({"townhall": "{slug}", "body": "x" * 501, "client_id": "1"}, "too_long"),
        ({"townhall": "{slug}", "body": "   ", "client_id": "1"}, "empty"),
        ({"townhall": "{slug}", "body": ["not", "text"], "client_id": "1"}, "invalid"),
        ({"townhall": "{slug}", "body": "x"}, "invalid"),
        ({"townhall": "{slug}", "body": "x", "client_id": "c" * 65}, "invalid"),
    ],
)
def test_bad_questions_get_a_clear_error_and_nothing_is_stored(
    socket_for, create_townhall, resident, in_db, payload, code
):
    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)
    if payload.get("townhall") == "{slug}":
        payload = {**payload, "townhall": townhall.slug}

    answer = sio.emit("ask", payload, namespace=NS, callback=True)

    assert answer["ok"] is False
    assert answer["error"] == code
    assert answer["message"]
    assert _count(in_db, Question) == 0


def test_malformed_payloads_and_unjoined_rooms_are_refused(
    socket_for, create_townhall, resident, in_db
):
    townhall = create_townhall()
    sio = socket_for(resident)

    not_joined = call(sio, "ask", townhall=townhall.slug, body="x", client_id="1")
    not_an_object = sio.emit("ask", "just a string", namespace=NS, callback=True)
    joined(sio, townhall)
    bad_vote = call(sio, "upvote", townhall=townhall.slug, question_id="7")
    bad_poll = call(sio, "answer_poll", townhall=townhall.slug, poll_id=1, option_ids="all")

    assert not_joined["error"] == "not_joined"
    assert not_an_object["error"] == "invalid"
    assert bad_vote["error"] == "not_found"
    assert bad_poll["error"] == "not_found"
    assert _count(in_db, Event) == 0


def test_upvoting_a_hidden_question_is_refused(socket_for, create_townhall, resident,
                                               create_user):  # fmt: skip
    townhall = create_townhall()
    asker, host, voter = (
        socket_for(resident),
        socket_for(townhall.facilitator),
        socket_for(create_user()),
    )
    for sio in (asker, host, voter):
        joined(sio, townhall)
    question = call(asker, "ask", townhall=townhall.slug, body="ถาม", client_id="q")["question"]
    call(host, "hide", townhall=townhall.slug, kind="question", id=question["id"])

    assert call(voter, "upvote", townhall=townhall.slug, question_id=question["id"])["error"] == (
        "hidden"
    )


def test_writing_needs_a_live_town_hall(socket_for, create_townhall, resident):
    townhall = create_townhall(state="scheduled")
    sio = socket_for(resident)
    joined(sio, townhall)
    assert call(sio, "ask", townhall=townhall.slug, body="x", client_id="1")["error"] == "not_live"


def test_facilitator_opens_and_ends_the_session(socket_for, create_townhall, in_db):
    from participation.townhall.models import TownHall

    townhall = create_townhall(state="scheduled")
    host = socket_for(townhall.facilitator)
    joined(host, townhall)

    assert call(host, "open", townhall=townhall.slug)["ok"]
    assert call(host, "end", townhall=townhall.slug)["ok"]

    states = [e["data"]["state"] for e in events(host) if e["type"] == "settings"]
    assert states == ["live", "ended"]
    with in_db() as session:
        assert session.get(TownHall, townhall.id).state == "ended"


def test_bearer_token_signs_a_client_in_and_a_bad_one_is_refused(
    app, socket_for, create_townhall, resident
):
    from participation.accounts.models import User
    from participation.accounts.operations import create_access_token
    from participation.extensions import db

    townhall = create_townhall()
    with app.app_context():
        _row, token = create_access_token(db.session.get(User, resident.id), "bot", write=True)
        db.session.commit()

    sio = socket_for(None, auth={"token": token})
    joined(sio, townhall)
    assert call(sio, "ask", townhall=townhall.slug, body="จากสคริปต์", client_id="1")["ok"]

    refused = socket_for(None, auth={"token": "rk_not-a-real-token"})
    assert not refused.is_connected(NS)


def test_read_only_token_cannot_write(app, socket_for, create_townhall, resident):
    from participation.accounts.models import User
    from participation.accounts.operations import create_access_token
    from participation.extensions import db

    townhall = create_townhall()
    with app.app_context():
        _row, token = create_access_token(db.session.get(User, resident.id), "reader")
        db.session.commit()

    sio = socket_for(None, auth={"token": token})
    joined(sio, townhall)
    assert call(sio, "ask", townhall=townhall.slug, body="x", client_id="1")["error"] == "sign_in"


def test_signing_out_elsewhere_stops_a_connected_socket_from_acting(
    app, socket_for, create_townhall, resident, in_db
):
    from participation.accounts.models import UserSession
    from participation.core.models import utcnow

    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)
    with in_db() as session:
        for row in session.scalars(sa.select(UserSession)):
            row.revoked_dt = utcnow()
        session.commit()

    answer = call(sio, "ask", townhall=townhall.slug, body="ยังถามได้ไหม", client_id="1")

    assert answer["error"] == "sign_in"
    assert _count(in_db, Question) == 0


def test_a_revoked_token_stops_working_at_once(app, socket_for, create_townhall, resident,
                                               token_for, in_db):  # fmt: skip
    from participation.accounts.models import AccessToken
    from participation.core.models import utcnow

    townhall = create_townhall()
    sio = socket_for(None, auth={"token": token_for(resident)})
    joined(sio, townhall)
    with in_db() as session:
        session.scalar(sa.select(AccessToken)).revoked_dt = utcnow()
        session.commit()

    assert call(sio, "ask", townhall=townhall.slug, body="x", client_id="1")["error"] == "sign_in"


def test_ending_the_town_hall_closes_polls_and_reveals_their_results(
    socket_for, create_townhall, resident
):
    townhall = create_townhall()
    host, voter = socket_for(townhall.facilitator), socket_for(resident)
    joined(host, townhall)
    joined(voter, townhall)
    poll = call(host, "open_poll", townhall=townhall.slug, question="เลือก", options=["ก", "ข"],
                hide_results=True)["poll"]  # fmt: skip
    call(voter, "answer_poll", townhall=townhall.slug, poll_id=poll["id"],
         option_ids=[poll["options"][1]["id"]])  # fmt: skip

    call(host, "end", townhall=townhall.slug)

    final = [e["data"] for e in events(voter) if e["type"] == "poll.results"][-1]
    assert final["state"] == "closed"
    assert [o["votes"] for o in final["options"]] == [0, 1]


def test_huge_ids_are_refused_cleanly(socket_for, create_townhall, resident):
    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)
    assert call(sio, "upvote", townhall=townhall.slug, question_id=2**70)["error"] == "not_found"
    assert call(sio, "join", townhall=2**70)["error"] == "not_found"
    assert call(sio, "join", townhall=townhall.slug, last_seq=2**70)["error"] == "invalid"


def test_posting_too_fast_is_refused_with_a_wait(config, make_app, create_townhall, resident,
                                                 in_db):  # fmt: skip
    from participation.extensions import socketio
    from tests.conftest import Auth

    config.RATELIMIT_ENABLED = True
    config.TOWNHALL_POST_LIMIT = "2/minute"
    app = make_app(config)
    townhall = create_townhall()
    client = app.test_client()
    Auth(client).login(resident)
    sio = socketio.test_client(app, namespace=NS, flask_test_client=client)
    try:
        joined(sio, townhall)
        answers = [call(sio, "post", townhall=townhall.slug, body=f"ข้อความ {n}", client_id=str(n))
                   for n in range(3)]  # fmt: skip
    finally:
        sio.disconnect(namespace=NS)

    assert [a["ok"] for a in answers] == [True, True, False]
    assert answers[2]["error"] == "rate_limited"
    assert 0 < answers[2]["retry_after"] <= 60
    assert _count(in_db, Message) == 2


def test_a_program_filling_the_hidden_field_of_the_live_forms_is_refused(
    socket_for, create_townhall, resident, in_db
):
    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)

    answer = call(sio, "ask", townhall=townhall.slug, body="ขายยา", client_id="s",
                  website="http://spam.example")  # fmt: skip

    assert answer["error"] == "invalid"
    assert _count(in_db, Question) == 0


def test_a_post_that_waited_out_a_busy_database_gets_a_busy_answer(
    socket_for, create_townhall, resident, in_db, monkeypatch
):
    import sqlite3

    from participation.townhall import events as live

    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)

    def locked(_reference):
        raise sa.exc.OperationalError(
            "SELECT", None, sqlite3.OperationalError("database is locked")
        )

    monkeypatch.setattr(live, "_townhall", locked)
    answer = call(sio, "post", townhall=townhall.slug, body="ข้อความ", client_id="busy-1")

    assert (answer["ok"], answer["error"]) == (False, "busy")
    assert _count(in_db, Message) == 0


def test_socketio_long_polling_answers_carry_the_security_headers(client):
    response = client.get("/socket.io/?EIO=4&transport=polling")

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_client_numbered_ahead_of_the_town_hall_is_told_to_resync(
    socket_for, create_townhall, resident
):
    """E.g. the town hall's database was restored from a backup: the page's last_seq is from a
    future the server never had; it gets a fresh snapshot, not an empty "nothing missed"."""
    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)
    call(sio, "post", townhall=townhall.slug, body="ข้อความเดียว", client_id="one")

    answer = joined(socket_for(resident), townhall, last_seq=40)

    assert answer["resync"] is True
    assert answer["snapshot"]["last_seq"] == 1
    assert [m["body"] for m in answer["snapshot"]["messages"]] == ["ข้อความเดียว"]


def test_a_retried_post_is_not_counted_again_against_the_limit(
    config, make_app, create_townhall, resident, in_db
):
    from participation.extensions import socketio
    from tests.conftest import Auth

    config.RATELIMIT_ENABLED = True
    config.TOWNHALL_POST_LIMIT = "2/minute"
    app = make_app(config)
    townhall = create_townhall()
    client = app.test_client()
    Auth(client).login(resident)
    sio = socketio.test_client(app, namespace=NS, flask_test_client=client)
    try:
        joined(sio, townhall)
        answers = [call(sio, "post", townhall=townhall.slug, body=body, client_id=client_id)
                   for body, client_id in (("หนึ่ง", "a"), ("หนึ่ง", "a"), ("สอง", "b"))]  # fmt: skip
    finally:
        sio.disconnect(namespace=NS)

    assert [a["ok"] for a in answers] == [True, True, True]
    assert answers[0]["message"]["id"] == answers[1]["message"]["id"]
    assert _count(in_db, Message) == 2
