"""Residents report what breaks the rules; enough reports hide it until a moderator looks."""

import pytest
import sqlalchemy as sa

from participation.audit.models import ActionLog
from participation.moderation.models import Report
from participation.proposals.models import Contribution
from tests.conftest import Auth


def _report(client, target_type, target_id, **data):
    return client.post(f"/report/{target_type}/{target_id}",
                       data={"reason": "offensive", **data})  # fmt: skip


def _reports(in_db):
    with in_db() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Report))


def test_a_resident_reports_a_proposal_once(
    client, auth, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(create_user())

    first = _report(client, "contribution", item_id, details="ใช้คำหยาบ")
    again = _report(client, "contribution", item_id)

    assert first.status_code == 302
    assert again.status_code == 422
    assert thai("You have already reported this. Thank you.") in again.get_data(as_text=True)
    with in_db() as session:
        stored = session.scalars(sa.select(Report)).all()
        assert [(r.target_type, r.target_id, r.reason, r.details) for r in stored] == [
            ("contribution", item_id, "offensive", "ใช้คำหยาบ")
        ]
        assert stored[0].process_id == process.id


def test_three_residents_reports_hide_a_proposal_until_a_moderator_reviews_it(
    app, client, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident, title="ข้อเสนอที่ถูกรายงาน")
    url = f"/processes/{process.slug}/proposals"
    for _ in range(3):
        reporter = app.test_client()
        Auth(reporter).login(create_user())
        assert _report(reporter, "contribution", item_id).status_code == 302

    visitor = app.test_client().get(url).get_data(as_text=True)
    author = app.test_client()
    Auth(author).login(resident)
    facilitator = app.test_client()
    Auth(facilitator).login(process.facilitator)

    pending = thai("Hidden after reports from residents, until a moderator reviews it.")
    assert "ข้อเสนอที่ถูกรายงาน" not in visitor
    assert pending in visitor
    assert "ข้อเสนอที่ถูกรายงาน" in author.get(url).get_data(as_text=True)
    assert "ข้อเสนอที่ถูกรายงาน" in facilitator.get(url).get_data(as_text=True)
    page = app.test_client().get(f"{url}/{item_id}").get_data(as_text=True)
    assert "ถนนเป็นหลุมเป็นบ่อ" not in page  # the body is gone for everyone else
    with in_db() as session:
        item = session.get(Contribution, item_id)
        assert item.is_hidden
        assert item.hidden_by_id is None
        assert session.scalar(sa.select(ActionLog.action).where(ActionLog.is_public)) == (
            "moderation.auto_hide"
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Please choose a reason."),
        ({"reason": "boredom"}, "Please choose a reason."),
        ({"reason": "other", "details": "  "}, "Please say what is wrong."),
        ({"reason": "spam", "details": "ก" * 1001}, "Use at most %(count)s characters."),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(
    client, auth, resident, create_user, create_process, create_contribution, in_db, thai,
    data, message,
):  # fmt: skip
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(create_user())

    response = client.post(f"/report/contribution/{item_id}", data=data)

    assert response.status_code == 422
    assert thai(message, count=1000) in response.get_data(as_text=True)
    assert _reports(in_db) == 0


def test_nobody_reports_their_own_words_or_what_does_not_exist(
    client, auth, resident, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(resident)

    own = _report(client, "contribution", item_id)
    assert own.status_code == 422
    assert thai("You cannot report yourself or what you wrote.") in own.get_data(as_text=True)
    assert _report(client, "contribution", 999999).status_code == 404
    assert _report(client, "poll", item_id).status_code == 404
    assert _reports(in_db) == 0


def test_visitors_must_sign_in_to_report(client, resident, create_process, create_contribution):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    response = _report(client, "contribution", item_id)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_comment_reported_by_three_residents_vanishes_from_its_thread(
    app, client, auth, resident, create_user, create_process, create_contribution, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(resident)
    client.post(f"/contributions/{item_id}/comments", data={"body": "ความเห็นที่หยาบคาย"})
    from participation.comments.models import Comment
    from participation.extensions import db

    with app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id))
    for _ in range(3):
        reporter = app.test_client()
        Auth(reporter).login(create_user())
        _report(reporter, "comment", comment_id)

    page = app.test_client().get(f"/processes/{process.slug}/proposals/{item_id}")
    text = page.get_data(as_text=True)
    assert "ความเห็นที่หยาบคาย" not in text
    assert thai("Hidden after reports from residents, until a moderator reviews it.") in text


def test_nobody_reports_what_lives_where_they_cannot_see(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    draft = create_process("reimagine", published=False)
    item_id = create_contribution(draft, resident)
    auth.login(create_user())

    assert client.get(f"/report/contribution/{item_id}").status_code == 404
    assert _report(client, "contribution", item_id).status_code == 404
    assert _reports(in_db) == 0
