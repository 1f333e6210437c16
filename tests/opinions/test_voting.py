"""Residents answer statements one at a time, add their own, and bad input stores nothing."""

import pytest
import sqlalchemy as sa

STATEMENTS = [
    "ควรปิดถนนหน้าโรงเรียนช่วงเช้าให้เด็กเดิน",
    "ควรติดไฟส่องสว่างในซอยเล็กก่อน",
    "ควรขยายถนนหน้าโรงเรียนให้รถวิ่งได้สองเลน",
]
JSON = {"Accept": "application/json"}


def counts(in_db):
    from participation.opinions.models import OpinionVote, Statement

    with in_db() as session:
        votes = session.scalar(sa.select(sa.func.count()).select_from(OpinionVote))
        statements = session.scalar(sa.select(sa.func.count()).select_from(Statement))
        tallies = session.execute(
            sa.select(
                Statement.id, Statement.agree_count, Statement.disagree_count, Statement.pass_count
            ).order_by(Statement.id)
        ).all()
    return votes, statements, [tuple(row) for row in tallies]


def shown_statement(page):
    """The id of the statement the page asks about."""
    marker = 'name="statement_id" value="'
    start = page.index(marker) + len(marker)
    return int(page[start : page.index('"', start)])


def test_a_resident_answers_one_statement_at_a_time_until_all_are_done(
    client, auth, resident, create_conversation, in_db, thai
):
    conversation = create_conversation(STATEMENTS)
    auth.login(resident)
    seen = []
    for choice in ("agree", "disagree", "pass"):
        page = client.get(f"/opinions/{conversation.id}").text
        statement_id = shown_statement(page)
        assert statement_id not in seen
        seen.append(statement_id)
        response = client.post(
            f"/opinions/{conversation.id}/vote",
            data={"statement_id": statement_id, "choice": choice},
        )
        assert response.status_code == 302
    assert sorted(seen) == sorted(conversation.statement_ids.values())
    page = client.get(f"/opinions/{conversation.id}").text
    assert 'name="statement_id"' not in page
    assert (
        thai("You have voted on every statement. Thank you! New statements will appear here.")
        in page
    )
    votes, _statements, tallies = counts(in_db)
    assert votes == 3
    assert sorted(t[1:] for t in tallies) == [(0, 0, 1), (0, 1, 0), (1, 0, 0)]


def test_a_double_vote_gets_a_clear_error_and_stores_nothing(
    client, auth, resident, create_conversation, in_db, thai
):
    conversation = create_conversation(STATEMENTS)
    statement_id = conversation.statement_ids[STATEMENTS[0]]
    auth.login(resident)
    first = client.post(
        f"/opinions/{conversation.id}/vote",
        data={"statement_id": statement_id, "choice": "agree"},
        headers=JSON,
    )
    assert (first.json["ok"], first.json["choice"]) == (True, "agree")
    before = counts(in_db)
    again = client.post(
        f"/opinions/{conversation.id}/vote",
        data={"statement_id": statement_id, "choice": "disagree"},
        headers=JSON,
    )
    assert again.status_code == 422
    assert again.json["message"] == thai("You have already voted on this statement.")
    assert counts(in_db) == before
    # Without JavaScript: the same message, shown on the page.
    page = client.post(
        f"/opinions/{conversation.id}/vote",
        follow_redirects=True,
        data={"statement_id": statement_id, "choice": "pass"},
    ).text
    assert thai("You have already voted on this statement.") in page
    assert counts(in_db) == before


def test_a_vote_on_a_hidden_statement_is_refused(
    client, auth, resident, create_conversation, in_db, thai, app
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.moderation.operations import hide
    from participation.opinions.models import Statement

    conversation = create_conversation(STATEMENTS)
    statement_id = conversation.statement_ids[STATEMENTS[1]]
    with app.app_context():
        hide(
            db.session.get(User, conversation.facilitator.id),
            db.session.get(Statement, statement_id),
            "ข้อความซ้ำกับข้ออื่น",
        )
        db.session.commit()
    before = counts(in_db)
    auth.login(resident)
    response = client.post(
        f"/opinions/{conversation.id}/vote",
        data={"statement_id": statement_id, "choice": "agree"},
        headers=JSON,
    )
    assert response.status_code == 422
    assert response.json["message"] == thai(
        "A moderator hid this statement, so it can no longer be voted on."
    )
    assert counts(in_db) == before
    # The page never offers it.
    for _attempt in range(3):
        page = client.get(f"/opinions/{conversation.id}").text
        if 'name="statement_id"' not in page:
            break
        assert shown_statement(page) != statement_id
        client.post(
            f"/opinions/{conversation.id}/vote",
            data={"statement_id": shown_statement(page), "choice": "pass"},
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"statement_id": "999999", "choice": "agree"}, "That statement does not exist."),
        ({"statement_id": "abc", "choice": "agree"}, "That statement does not exist."),
        ({"choice": "agree"}, "That statement does not exist."),
        ({"statement_id": "FIRST", "choice": "maybe"}, "Please choose agree, disagree or pass."),
        ({"statement_id": "FIRST"}, "Please choose agree, disagree or pass."),
    ],
)
def test_a_malformed_vote_gets_a_clear_error_and_stores_nothing(
    client, auth, resident, create_conversation, in_db, thai, data, message
):
    conversation = create_conversation(STATEMENTS)
    data = {
        key: (str(conversation.statement_ids[STATEMENTS[0]]) if value == "FIRST" else value)
        for key, value in data.items()
    }
    before = counts(in_db)
    auth.login(resident)
    response = client.post(f"/opinions/{conversation.id}/vote", data=data, headers=JSON)
    assert response.status_code == 422
    assert response.json == {"ok": False, "message": thai(message)}
    assert counts(in_db) == before


def test_a_statement_of_another_conversation_cannot_be_voted_on_here(
    client, auth, resident, create_conversation, in_db, thai
):
    here = create_conversation(STATEMENTS)
    elsewhere = create_conversation(["ควรมีตลาดนัดทุกวันเสาร์"])
    before = counts(in_db)
    auth.login(resident)
    response = client.post(
        f"/opinions/{here.id}/vote",
        headers=JSON,
        data={"statement_id": elsewhere.statement_ids["ควรมีตลาดนัดทุกวันเสาร์"], "choice": "agree"},
    )
    assert response.status_code == 422
    assert response.json["message"] == thai("That statement does not exist.")
    assert counts(in_db) == before


def test_a_resident_adds_a_statement_others_then_see(
    client, auth, resident, create_user, create_conversation, in_db
):
    conversation = create_conversation(STATEMENTS[:1])
    auth.login(resident)
    response = client.post(
        f"/opinions/{conversation.id}/statements",
        data={"body": "  ควรมีอาสาสมัคร ช่วยเด็กข้ามถนน  "},
        headers=JSON,
    )
    assert response.status_code == 200
    assert response.json["ok"] is True
    auth.logout()
    other = create_user(name="เพื่อนบ้าน")
    auth.login(other)
    client.post(
        f"/opinions/{conversation.id}/vote",
        data={"statement_id": conversation.statement_ids[STATEMENTS[0]], "choice": "agree"},
    )
    page = client.get(f"/opinions/{conversation.id}").text
    assert "ควรมีอาสาสมัคร ช่วยเด็กข้ามถนน" in page
    assert resident.name not in page  # statements are shown without their author


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("ก" * 201, "A statement can have at most %(count)s characters; yours has %(length)s."),
        ("   ", "Please write a statement."),
        (STATEMENTS[0], "This statement is already in the conversation."),
    ],
)
def test_a_bad_statement_gets_a_clear_error_and_stores_nothing(
    client, auth, resident, create_conversation, in_db, thai, body, message
):
    conversation = create_conversation(STATEMENTS)
    before = counts(in_db)
    auth.login(resident)
    response = client.post(
        f"/opinions/{conversation.id}/statements", data={"body": body}, headers=JSON
    )
    assert response.status_code == 422
    assert response.json["message"] == thai(message, count=200, length=201)
    assert counts(in_db) == before


def test_the_database_refuses_a_statement_too_long_or_a_second_vote(
    app, resident, create_conversation
):
    """The rules hold in the database too, whatever writes to it."""
    from participation.extensions import db
    from participation.opinions.models import OpinionVote, Statement

    conversation = create_conversation(STATEMENTS)
    statement_id = conversation.statement_ids[STATEMENTS[0]]
    with app.app_context():
        db.session.add(Statement(conversation_id=conversation.id, body="ก" * 201))
        # A check constraint on SQLite; PostgreSQL's varchar(200) refuses it first.
        with pytest.raises((sa.exc.IntegrityError, sa.exc.DataError)):
            db.session.flush()
        db.session.rollback()
        for value in (1, -1):
            db.session.add(
                OpinionVote(
                    conversation_id=conversation.id,
                    statement_id=statement_id,
                    user_id=resident.id,
                    value=value,
                )
            )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(
            OpinionVote(
                conversation_id=conversation.id,
                statement_id=statement_id,
                user_id=resident.id,
                value=2,
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_new_account_cannot_fill_a_statement_with_links(
    client, auth, resident, create_conversation, in_db, thai
):
    conversation = create_conversation(STATEMENTS)
    before = counts(in_db)
    auth.login(resident)
    response = client.post(
        f"/opinions/{conversation.id}/statements",
        headers=JSON,
        data={"body": "ดูที่ https://a.example และ https://b.example"},
    )
    assert response.status_code == 422
    assert counts(in_db) == before


def test_the_spam_trap_refuses_a_statement(client, auth, resident, create_conversation, in_db):
    conversation = create_conversation(STATEMENTS)
    before = counts(in_db)
    auth.login(resident)
    response = client.post(
        f"/opinions/{conversation.id}/statements",
        headers=JSON,
        data={"body": "ข้อความปกติ", "website": "http://spam.example"},
    )
    assert response.status_code == 400
    assert counts(in_db) == before
