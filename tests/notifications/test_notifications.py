"""Following and the bell: people hear about replies, responses, status changes and progress."""

import sqlalchemy as sa

from participation.notifications.models import Notification


def _notes(in_db, user):
    with in_db() as session:
        return [
            (n.kind, n.contribution_id)
            for n in session.scalars(
                sa.select(Notification).where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        ]  # fmt: skip


def test_supporters_followers_and_author_hear_the_council_response_and_progress(
    client, auth, resident, create_user, council, create_process, create_contribution, move_to,
    in_db,
):  # fmt: skip
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    supporter, follower, bystander = create_user(), create_user(), create_user()
    auth.login(supporter)
    client.post(f"/processes/{process.slug}/proposals/{item_id}/support")
    auth.logout()
    auth.login(follower)
    client.post(f"/processes/{process.slug}/proposals/{item_id}/follow")
    auth.logout()
    move_to(process, "remake")
    auth.login(council)
    url = f"/processes/{process.slug}/proposals/{item_id}"
    client.post(f"{url}/response", data={"status": "evaluating", "body": "กำลังพิจารณา"})
    client.post(f"{url}/response", data={"status": "accepted", "body": "รับไว้ดำเนินการ"})
    client.post(f"{url}/updates", data={"update_date": "2026-11-20", "progress": 10,
                                        "body": "เริ่มสำรวจ"})  # fmt: skip

    expected = [("response", item_id), ("status", item_id), ("update", item_id)]
    assert _notes(in_db, resident) == expected
    assert _notes(in_db, supporter) == expected
    assert _notes(in_db, follower) == expected
    assert _notes(in_db, bystander) == []
    assert _notes(in_db, council) == []


def test_bell_shows_the_unread_count_and_marking_read_clears_it(
    client, auth, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    other = create_user()
    auth.login(resident)
    client.post(f"/contributions/{item_id}/comments", data={"body": "ของฉัน"})
    auth.logout()
    auth.login(other)
    with in_db() as session:
        from participation.comments.models import Comment

        parent = session.scalar(sa.select(Comment.id))
    client.post(f"/contributions/{item_id}/comments", data={"body": "ตอบ", "parent_id": parent})
    auth.logout()
    auth.login(resident)

    page = client.get("/").get_data(as_text=True)
    assert "data-bell-number>1<" in page
    assert "data-bell-count>" in page  # shown
    client.post("/notifications/read")
    assert "data-bell-count hidden>" in client.get("/").get_data(as_text=True)


def test_following_a_process_brings_news_of_its_phase(
    client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)
    client.post(f"/processes/{process.slug}/follow")
    auth.logout()
    auth.login(process.facilitator)
    client.post(f"/processes/{process.slug}/advance")

    with in_db() as session:
        kinds = session.scalars(
            sa.select(Notification.kind).where(Notification.user_id == resident.id)
        ).all()
        assert kinds == ["phase"]


def test_notifications_page_is_private(client, auth, resident, create_user):
    assert client.get("/notifications/").status_code == 302
    auth.login(resident)
    assert client.get("/notifications/").status_code == 200


def test_following_twice_keeps_one_follow(client, auth, resident, create_process, in_db):
    from participation.notifications.models import Follow

    process = create_process("reframe")
    auth.login(resident)
    client.post(f"/processes/{process.slug}/follow")
    client.post(f"/processes/{process.slug}/follow")

    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 1
