"""Who may do what, and when: phases, closed conversations, town halls, permissions, moderation."""

import pytest
import sqlalchemy as sa

STATEMENTS = ["ควรปิดถนนหน้าโรงเรียนช่วงเช้าให้เด็กเดิน", "ควรติดไฟส่องสว่างในซอยเล็กก่อน"]
JSON = {"Accept": "application/json"}


def vote(client, conversation, body=STATEMENTS[0], choice="agree"):
    return client.post(
        f"/opinions/{conversation.id}/vote",
        data={"statement_id": conversation.statement_ids[body], "choice": choice},
        headers=JSON,
    )


def vote_count(in_db):
    from participation.opinions.models import OpinionVote

    with in_db() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(OpinionVote))


@pytest.mark.parametrize("phase", ["reframe", "reimagine"])
def test_residents_vote_in_reframe_and_reimagine(
    client, auth, resident, create_conversation, phase
):
    conversation = create_conversation(STATEMENTS, phase=phase)
    auth.login(resident)
    assert vote(client, conversation).json["ok"] is True


def test_nobody_votes_or_adds_statements_once_the_process_reaches_remake(
    client, auth, resident, create_conversation, move_to, in_db, thai
):
    conversation = create_conversation(STATEMENTS)
    move_to(conversation.place, "remake")
    auth.login(resident)
    message = thai("Statements can be voted on only in the Reframe and Reimagine phases.")
    response = vote(client, conversation)
    assert response.status_code == 422
    assert response.json["message"] == message
    response = client.post(
        f"/opinions/{conversation.id}/statements", data={"body": "ข้อความใหม่"}, headers=JSON
    )
    assert response.json["message"] == message
    assert vote_count(in_db) == 0
    page = client.get(f"/opinions/{conversation.id}").text
    assert message in page
    assert 'name="statement_id"' not in page


def test_a_conversation_cannot_be_opened_in_remake(client, auth, create_process):
    process = create_process("remake")
    auth.login(process.facilitator)
    response = client.post(
        f"/opinions/new/processes/{process.slug}",
        data={"question": "คำถาม", "seeds": "ข้อหนึ่ง"},
    )
    assert response.status_code == 422


def test_a_closed_conversation_takes_no_votes_and_keeps_its_map(
    client, auth, resident, create_conversation, in_db, thai
):
    conversation = create_conversation(STATEMENTS)
    auth.login(conversation.facilitator)
    response = client.post(f"/opinions/{conversation.id}/close")
    assert response.status_code == 302
    auth.logout()
    auth.login(resident)
    response = vote(client, conversation)
    assert response.status_code == 422
    assert response.json["message"] == thai("This conversation is closed.")
    assert vote_count(in_db) == 0
    assert client.get(f"/opinions/{conversation.id}/map").status_code == 200
    auth.logout()
    auth.login(conversation.facilitator)
    client.post(f"/opinions/{conversation.id}/reopen")
    auth.logout()
    auth.login(resident)
    assert vote(client, conversation).json["ok"] is True


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("scheduled", "The conversation opens when the town hall goes live."),
        ("ended", "The town hall has ended, so the conversation is closed."),
    ],
)
def test_a_town_hall_conversation_takes_votes_only_while_live(
    client, auth, resident, create_townhall, create_conversation, app, thai, state, message
):
    from participation.extensions import db
    from participation.townhall.models import TownHall

    townhall = create_townhall("live")
    conversation = create_conversation(STATEMENTS, place=townhall)
    auth.login(resident)
    assert vote(client, conversation).json["ok"] is True
    with app.app_context():
        db.session.get(TownHall, townhall.id).state = state
        db.session.commit()
    response = vote(client, conversation, body=STATEMENTS[1])
    assert response.status_code == 422
    assert response.json["message"] == thai(message)


def test_visitors_must_sign_in_to_vote(client, create_conversation, in_db):
    conversation = create_conversation(STATEMENTS)
    response = client.post(
        f"/opinions/{conversation.id}/vote",
        data={"statement_id": conversation.statement_ids[STATEMENTS[0]], "choice": "agree"},
    )
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert vote_count(in_db) == 0
    # They still read the map.
    assert client.get(f"/opinions/{conversation.id}").status_code == 200


def test_a_suspended_resident_cannot_vote(client, auth, resident, create_conversation, app, in_db):
    from datetime import timedelta

    from participation.accounts.models import User
    from participation.core.models import utcnow
    from participation.extensions import db

    conversation = create_conversation(STATEMENTS)
    with app.app_context():
        user = db.session.get(User, resident.id)
        user.suspended_dt = utcnow()
        user.suspended_until = utcnow() + timedelta(days=1)
        user.suspension_reason = "สแปม"
        db.session.commit()
    auth.login(resident)
    response = vote(client, conversation)
    assert response.status_code == 403
    assert vote_count(in_db) == 0


def test_only_the_facilitators_open_close_and_list_statements(
    client, auth, resident, create_user, create_process, create_conversation
):
    conversation = create_conversation(STATEMENTS)
    process = conversation.place
    other = create_user(roles=["facilitator"])
    for person in (resident, other):
        auth.login(person)
        assert client.get(f"/opinions/new/processes/{process.slug}").status_code == 403
        assert client.post(f"/opinions/{conversation.id}/close").status_code == 403
        assert client.get(f"/opinions/{conversation.id}/statements").status_code == 403
        auth.logout()
    auth.login(process.facilitator)
    response = client.post(
        f"/opinions/new/processes/{process.slug}",
        data={"question": "ควรทำอะไรก่อน", "seeds": "ซ่อมถนน\n\nติดไฟ\n", "allow_statements": "y"},
    )
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/opinions/{new_id}/statements").text
    assert "ซ่อมถนน" in page
    assert "ติดไฟ" in page
    assert client.get(f"/processes/{process.slug}").text.count("/opinions/") >= 2


def test_a_facilitator_may_open_a_conversation_closed_to_residents_statements(
    client, auth, create_process, in_db
):
    from participation.opinions.models import Conversation

    process = create_process("reimagine")
    auth.login(process.facilitator)
    opened = {}
    for box in ("y", None):
        data = {"question": f"ควรทำอะไรก่อน {box}", "seeds": "ซ่อมถนน"}
        if box:
            data["allow_statements"] = box
        response = client.post(f"/opinions/new/processes/{process.slug}", data=data)
        assert response.status_code == 302
        opened[box] = int(response.headers["Location"].rsplit("/", 1)[1])
    with in_db() as session:
        assert session.get(Conversation, opened["y"]).allow_statements is True
        assert session.get(Conversation, opened[None]).allow_statements is False


def test_a_draft_process_hides_its_conversation(
    client, auth, resident, create_process, create_conversation, app
):
    from participation.extensions import db
    from participation.processes.models import Process

    conversation = create_conversation(STATEMENTS)
    with app.app_context():
        db.session.get(Process, conversation.place.id).is_published = False
        db.session.commit()
    auth.login(resident)
    assert client.get(f"/opinions/{conversation.id}").status_code == 404
    assert client.get(f"/opinions/{conversation.id}/map.json").status_code == 404
    assert vote(client, conversation).status_code == 404


def test_when_residents_may_not_add_statements_only_facilitators_do(
    client, auth, resident, create_conversation, app, thai
):
    from participation.extensions import db
    from participation.opinions.models import Conversation

    conversation = create_conversation(STATEMENTS)
    with app.app_context():
        db.session.get(Conversation, conversation.id).allow_statements = False
        db.session.commit()
    auth.login(resident)
    response = client.post(
        f"/opinions/{conversation.id}/statements", data={"body": "ข้อเสนอของฉัน"}, headers=JSON
    )
    assert response.json["message"] == thai(
        "The facilitators have closed this conversation to new statements."
    )
    auth.logout()
    auth.login(conversation.facilitator)
    response = client.post(
        f"/opinions/{conversation.id}/statements", data={"body": "ข้อความจากผู้ดำเนินเวที"}, headers=JSON
    )
    assert response.json["ok"] is True


def test_residents_report_a_statement_and_the_facilitator_hides_it_from_the_map(
    client, auth, create_user, electorate, app, thai, mail
):
    from participation.extensions import db
    from participation.moderation.models import Report
    from participation.opinions.models import OpinionResult, Statement
    from tests.opinions.conftest import COMMON

    conversation = electorate.conversation
    target = electorate.ids[COMMON[0]]
    app.config["MODERATION_HIDE_AFTER_REPORTS"] = 10
    reporter = create_user()
    auth.login(reporter)
    response = client.post(f"/report/statement/{target}", data={"reason": "off_topic"})
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalar(sa.select(Report))
        assert (report.target_type, report.process_id) == ("statement", conversation.place.id)
    auth.logout()
    auth.login(conversation.facilitator)
    queue = client.get("/moderation").text
    assert COMMON[0] in queue
    response = client.post(f"/moderation/statement/{target}/hide", data={"reason": "ไม่เกี่ยวกับหัวข้อ"})
    assert response.status_code == 302
    page = client.get(f"/opinions/{conversation.id}").text  # the map is recomputed without it
    with app.app_context():
        assert db.session.get(Statement, target).is_hidden
        result = db.session.get(OpinionResult, conversation.id)
        assert str(target) not in result.data["statements"]
        assert target not in [row["id"] for row in result.data["common_ground"]]
    assert COMMON[0] not in page
    listing = client.get(f"/opinions/{conversation.id}/statements").text
    assert "ไม่เกี่ยวกับหัวข้อ" in listing


@pytest.fixture
def limited(config, make_app):
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_OPINION_VOTE = "2 per minute"
    config.RATELIMIT_STATEMENT = "1 per minute"
    return make_app(config)


def test_votes_and_statements_are_rate_limited_per_person(
    limited, resident, create_user, create_conversation, in_db
):
    from tests.conftest import Auth

    conversation = create_conversation([*STATEMENTS, "ข้อความที่สาม"])
    fast, other = limited.test_client(), limited.test_client()
    Auth(fast).login(resident)
    Auth(other).login(create_user())
    codes = [
        fast.post(f"/opinions/{conversation.id}/vote",
                  data={"statement_id": statement_id, "choice": "agree"}).status_code
        for statement_id in conversation.statement_ids.values()
    ]  # fmt: skip
    assert codes == [302, 302, 429]
    assert vote_count(in_db) == 2
    assert vote(other, conversation).status_code == 200  # another person is not affected
    first = fast.post(f"/opinions/{conversation.id}/statements", data={"body": "ข้อใหม่ 1"})
    second = fast.post(f"/opinions/{conversation.id}/statements", data={"body": "ข้อใหม่ 2"})
    assert (first.status_code, second.status_code) == (302, 429)


def test_a_statement_is_reported_through_the_api_too(app, create_user, electorate):
    from participation.accounts.operations import create_access_token
    from participation.extensions import db
    from participation.moderation.models import Report
    from tests.opinions.conftest import COMMON

    reporter = create_user()
    with app.app_context():
        from participation.accounts.models import User

        _row, token = create_access_token(db.session.get(User, reporter.id), "ทดสอบ", write=True)
        db.session.commit()
    response = app.test_client().post(
        "/api/v1/reports",
        json={"target_type": "statement", "target_id": electorate.ids[COMMON[1]],
              "reason": "off_topic"},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code in (200, 201), response.get_json()
    with app.app_context():
        assert db.session.scalar(sa.select(Report.target_type)) == "statement"
