"""A suspended person can read, cannot write anywhere, and is told why and until when."""

import sqlalchemy as sa

from participation.accounts.models import User
from participation.proposals.models import Contribution
from tests.conftest import Auth
from tests.townhall.test_live import call, events, joined


def _suspend(client, user_id, days="7", reason="โพสต์ข้อความหยาบคายซ้ำหลายครั้ง"):
    return client.post(f"/moderation/users/{user_id}/suspend",
                       data={"days": days, "reason": reason})  # fmt: skip


def test_a_suspended_resident_is_signed_out_reads_and_cannot_write(
    app, client, auth, admin, resident, create_process, in_db, thai
):
    process = create_process("reframe")
    theirs = app.test_client()
    Auth(theirs).login(resident)
    auth.login(admin)

    assert _suspend(client, resident.id).status_code == 302

    assert "/login" in theirs.get("/notifications/").headers.get("Location", "")  # signed out
    Auth(theirs).login(resident)  # may sign in again, to read
    page = theirs.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert "โพสต์ข้อความหยาบคายซ้ำหลายครั้ง" in page  # told why
    posted = theirs.post(f"/processes/{process.slug}/issues/new",
                         data={"title": "ปัญหาใหม่", "body": "รายละเอียด"})  # fmt: skip
    assert posted.status_code == 403
    assert thai("Your account is suspended") in posted.get_data(as_text=True)
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 0
        assert session.get(User, resident.id).is_suspended


def test_suspension_bad_input_changes_nothing(client, auth, admin, resident, in_db, thai):
    auth.login(admin)

    no_reason = _suspend(client, resident.id, reason="  ")
    bad_length = _suspend(client, resident.id, days="365")

    assert no_reason.status_code == 422
    assert thai("Please give the reason the person will see.") in no_reason.get_data(as_text=True)
    assert bad_length.status_code == 422
    with in_db() as session:
        assert not session.get(User, resident.id).is_suspended


def test_facilitators_cannot_suspend_an_administrator(
    client, auth, facilitator, admin, create_process, in_db
):
    auth.login(facilitator)
    assert _suspend(client, admin.id).status_code == 403
    with in_db() as session:
        assert not session.get(User, admin.id).is_suspended


def test_lifting_a_suspension_lets_them_write_again(
    app, client, auth, admin, resident, create_process, in_db
):
    process = create_process("reframe")
    auth.login(admin)
    _suspend(client, resident.id)
    client.post(f"/moderation/users/{resident.id}/unsuspend")
    theirs = app.test_client()
    Auth(theirs).login(resident)

    posted = theirs.post(f"/processes/{process.slug}/issues/new",
                         data={"title": "ปัญหาใหม่", "body": "รายละเอียด"})  # fmt: skip

    assert posted.status_code == 302


def test_a_suspended_resident_is_cut_from_a_live_town_hall(
    client, auth, admin, resident, create_townhall, socket_for
):
    townhall = create_townhall()
    sio = socket_for(resident)
    joined(sio, townhall)
    auth.login(admin)

    _suspend(client, resident.id)

    assert not sio.is_connected("/townhall")
    again = socket_for(None)  # they may follow as a visitor
    joined(again, townhall)


def test_a_hidden_town_hall_question_leaves_every_screen(
    app, client, auth, resident, create_user, create_townhall, socket_for
):
    townhall = create_townhall()
    asker, watcher = socket_for(resident), socket_for(create_user())
    joined(asker, townhall)
    joined(watcher, townhall)
    question = call(asker, "ask", townhall=townhall.slug, body="คำถามที่ไม่สุภาพ",
                    client_id="q1")["question"]  # fmt: skip
    reporter = app.test_client()
    Auth(reporter).login(create_user())
    reporter.post(f"/report/question/{question['id']}", data={"reason": "offensive"})
    auth.login(townhall.facilitator)

    client.post(f"/moderation/question/{question['id']}/hide", data={"reason": "ไม่สุภาพ"})

    hidden = [e["data"] for e in events(watcher) if e["type"] == "hidden"]
    assert hidden == [{"kind": "question", "id": question["id"], "reason": "ไม่สุภาพ"}]
