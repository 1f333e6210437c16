"""Who is told what: authors and followers hear of comments, authors of moderation decisions;
opening a notification or its page marks it read; the bell changes live; big fan-outs queue."""

import html
import re

import sqlalchemy as sa

from participation.extensions import socketio
from participation.notifications.models import Notification
from tests.conftest import Auth


def _kinds(in_db, person):
    with in_db() as session:
        return session.scalars(
            sa.select(Notification.kind).where(Notification.user_id == person.id)
            .order_by(Notification.id)
        ).all()  # fmt: skip


def _comment(client, auth, person, item_id, body, parent=None):
    auth.login(person)
    data = {"body": body} | ({"parent_id": parent} if parent else {})
    response = client.post(f"/contributions/{item_id}/comments", data=data)
    auth.logout()
    assert response.status_code in (200, 302)


def _first_comment_id(in_db):
    from participation.comments.models import Comment

    with in_db() as session:
        return session.scalar(sa.select(Comment.id).order_by(Comment.id))


def test_the_author_and_followers_hear_of_a_new_comment_and_the_commenter_does_not(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    follower, commenter, bystander = create_user(), create_user(), create_user()
    auth.login(follower)
    client.post(f"/processes/{process.slug}/proposals/{item_id}/follow")
    auth.logout()

    _comment(client, auth, commenter, item_id, "เห็นด้วยครับ")

    assert _kinds(in_db, resident) == ["comment"]
    assert _kinds(in_db, follower) == ["comment"]
    assert _kinds(in_db, commenter) == []
    assert _kinds(in_db, bystander) == []


def test_a_reply_to_the_authors_own_comment_tells_them_once(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    _comment(client, auth, resident, item_id, "ของฉันเอง")
    other = create_user()

    _comment(client, auth, other, item_id, "ตอบ", parent=_first_comment_id(in_db))

    assert _kinds(in_db, resident) == ["reply"]


def test_the_author_hears_that_a_moderator_hid_and_restored_their_proposal(
    client, auth, resident, admin, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident, title="ขายของออนไลน์ราคาถูก")
    auth.login(admin)
    client.post(f"/moderation/contribution/{item_id}/hide", data={"reason": "โฆษณา"})
    client.post(f"/moderation/contribution/{item_id}/restore", data={"reason": "ตรวจแล้ว"})
    auth.logout()

    with in_db() as session:
        notes = session.execute(
            sa.select(Notification.kind, Notification.detail, Notification.actor_id)
            .where(Notification.user_id == resident.id).order_by(Notification.id)
        ).all()  # fmt: skip
    assert [tuple(n) for n in notes] == [
        ("moderation", "hidden", admin.id),
        ("moderation", "restored", admin.id),
    ]
    auth.login(resident)
    page = html.unescape(client.get("/notifications/").get_data(as_text=True))
    restored = thai('A moderator showed your post on "%(what)s" again', what="ขายของออนไลน์ราคาถูก")
    assert restored in page


def test_opening_a_notification_marks_it_read_and_leads_to_the_comment(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    _comment(client, auth, create_user(), item_id, "ความเห็นใหม่")
    auth.login(resident)
    listing = client.get("/notifications/").get_data(as_text=True)
    link = re.search(r'href="(/notifications/\d+)"', listing).group(1)

    opened = client.get(link)

    comment_id = _first_comment_id(in_db)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(
        f"/processes/{process.slug}/proposals/{item_id}#comment-{comment_id}"
    )
    with in_db() as session:
        assert session.scalar(sa.select(Notification.read_dt)) is not None
    assert "data-bell-count hidden>" in client.get("/").get_data(as_text=True)


def test_nobody_opens_someone_elses_notification(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    _comment(client, auth, create_user(), item_id, "ความเห็นใหม่")
    with in_db() as session:
        note_id = session.scalar(sa.select(Notification.id))
    auth.login(create_user())
    assert client.get(f"/notifications/{note_id}").status_code == 404
    with in_db() as session:
        assert session.scalar(sa.select(Notification.read_dt)) is None


def test_opening_the_proposal_itself_marks_its_notifications_read(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    other_id = create_contribution(process, resident, title="อีกเรื่องหนึ่งที่ต้องแก้ไข")
    commenter = create_user()
    _comment(client, auth, commenter, item_id, "หนึ่ง")
    _comment(client, auth, commenter, other_id, "สอง")
    auth.login(resident)

    client.get(f"/processes/{process.slug}/proposals/{item_id}")

    with in_db() as session:
        read = dict(session.execute(
            sa.select(Notification.contribution_id, Notification.read_dt.is_not(None))
        ).all())  # fmt: skip
    assert read == {item_id: True, other_id: False}


def test_the_bell_count_arrives_live_on_the_me_namespace(
    app, client, auth, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(resident)
    bell = socketio.test_client(app, namespace="/me", flask_test_client=client)
    assert bell.is_connected("/me")
    assert [m["args"][0] for m in bell.get_received("/me")] == [{"count": 0}]

    neighbour = app.test_client()  # someone else, on their own device
    _comment(neighbour, Auth(neighbour), create_user(), item_id, "ความเห็นใหม่")

    received = bell.get_received("/me")
    assert [(m["name"], m["args"][0]) for m in received] == [("unread", {"count": 1})]
    bell.disconnect(namespace="/me")


def test_visitors_cannot_listen_for_anyones_bell(app, client):
    bell = socketio.test_client(app, namespace="/me", flask_test_client=client)
    assert not bell.is_connected("/me")


def test_signed_in_pages_load_the_live_bell_unless_no_socket_server_answers(
    app, client, auth, resident
):
    auth.login(resident)
    assert "js/bell.js" in client.get("/").get_data(as_text=True)
    app.config["BELL_LIVE"] = False
    assert "js/bell.js" not in client.get("/").get_data(as_text=True)
    auth.logout()
    app.config["BELL_LIVE"] = True
    assert "js/bell.js" not in client.get("/").get_data(as_text=True)  # visitors have no bell
