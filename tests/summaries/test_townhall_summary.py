"""The summary of a town hall: who came, what was asked and answered, polls, moderation."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa


@pytest.fixture
def ended_townhall(app, create_user, create_townhall):
    """Three questions (one answered; 'Q-popular' has 3 upvotes, 'Q-quiet' 1), one hidden
    question, two messages and a reply, one hidden message, one mute, a poll 2 to 1, and
    attendance samples peaking at 40 present, 55 seen."""
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.townhall import operations as ops
    from participation.townhall.models import Attendance, TownHall

    people = [create_user(name=f"ผู้ร่วมเวที {n}") for n in range(1, 6)]
    council = create_user(roles=["council"])
    made = create_townhall()
    with app.app_context():
        hall = db.session.get(TownHall, made.id)
        u = [db.session.get(User, p.id) for p in people]
        host = db.session.get(User, made.facilitator.id)
        answered, _e = ops.ask_question(hall, u[0], "ไฟส่องสว่างจะติดเมื่อไร", "q1")
        popular, _e = ops.ask_question(hall, u[1], "Q-popular ใครดูแลทางม้าลาย", "q2")
        quiet, _e = ops.ask_question(hall, u[2], "Q-quiet งบประมาณมาจากไหน", "q3")
        spam, _e = ops.ask_question(hall, u[3], "โฆษณาขายของ", "q4")
        for person in u[2:5]:
            ops.upvote_question(popular, hall, person)
        ops.upvote_question(quiet, hall, u[0])
        ops.set_question_state(answered, hall, host, "answered")
        ops.hide_item(hall, host, "question", spam, "โฆษณา")
        first, _e = ops.post_message(hall, u[0], "ขอบคุณที่จัดเวที", "m1")
        ops.post_message(hall, u[1], "ยินดีค่ะ", "m2", parent_id=first.id)
        rude, _e = ops.post_message(hall, u[4], "ข้อความไม่สุภาพ", "m3")
        ops.hide_item(hall, host, "message", rude, "ไม่สุภาพ")
        ops.mute_user(hall, host, u[4].id)
        poll, _e = ops.open_poll(hall, host, "เริ่มที่ซอยไหนก่อน", ["ซอย 3", "ซอย 5"])
        for person, option in ((u[0], 0), (u[1], 0), (u[2], 1)):
            ops.answer_poll(poll, hall, person, [poll.options[option].id])
        ops.close_poll(poll, hall, host)
        for seconds, present, seen in ((0, 10, 10), (600, 40, 45), (630, 38, 47), (1800, 20, 55)):
            moment = hall.starts_dt.replace(second=0, microsecond=0) + timedelta(seconds=seconds)
            db.session.add(
                Attendance(townhall_id=hall.id, present=present, seen=seen, sampled_dt=moment)
            )
        ops.end_townhall(hall, host)
        db.session.commit()
        ids = {"popular": popular.id, "quiet": quiet.id}
        db.session.remove()
    return made, people, council, ids


def test_town_hall_figures(app, ended_townhall):
    from participation.extensions import db
    from participation.summaries.compute import townhall_summary
    from participation.townhall.models import TownHall

    made, _people, _council, ids = ended_townhall
    with app.app_context():
        data = townhall_summary(db.session.get(TownHall, made.id))
    assert data["attendance"]["peak"] == 40
    assert data["attendance"]["total"] == 55
    assert [row["present"] for row in data["attendance"]["timeline"]] == [10, 40, 20]  # per minute
    questions = data["questions"]
    assert (questions["asked"], questions["answered"], questions["unanswered"]) == (3, 1, 2)
    assert [q["id"] for q in questions["top_unanswered"]] == [ids["popular"], ids["quiet"]]
    assert questions["top_unanswered"][0]["upvotes"] == 3
    poll = data["polls"][0]
    assert [(o["label"], o["votes"]) for o in poll["options"]] == [("ซอย 3", 2), ("ซอย 5", 1)]
    assert data["discussion"] == {"messages": 2, "people": 2, "replies": 1}
    assert data["moderation"] == {"hidden_questions": 1, "hidden_messages": 1, "mutes": 1,
                                  "total": 3}  # fmt: skip
    assert data["participants"] == 5


def test_the_council_publishes_a_town_hall_summary_in_thai_and_english(
    client, auth, ended_townhall, tmp_path, in_db
):
    from participation.notifications.models import Notification
    from tests.summaries.test_exports import pdf_text, same_text

    made, people, council, _ids = ended_townhall
    base = f"/summaries/townhalls/{made.slug}"
    assert client.get(base).status_code == 404
    auth.login(council)
    client.post(f"{base}/review")
    client.post(f"{base}/statement", data={"statement_th": "สภาเทศบาลจะตอบคำถามที่ค้างภายในเดือนนี้"})
    assert client.post(f"{base}/publish").status_code == 302
    auth.logout()
    html = client.get(base).get_data(as_text=True)
    assert "คำถามที่สภาเทศบาลยังต้องตอบประชาชน" in html
    assert "Q-popular" in html
    assert "จำนวนผู้ร่วมพร้อมกันสูงสุด" in html
    assert f"/summaries/townhalls/{made.slug}" in client.get(f"/townhalls/{made.slug}").get_data(
        as_text=True
    )
    text = same_text(pdf_text(client.get(f"{base}.pdf").data, tmp_path))
    assert same_text("เวทีประชาคม 1") in text
    assert same_text("สภาเทศบาลจะตอบคำถามที่ค้างภายในเดือนนี้") in text
    questions = client.get(f"{base}/data/questions.json").get_json()
    assert {q["body"] for q in questions} >= {"Q-popular ใครดูแลทางม้าลาย"}
    assert "โฆษณาขายของ" not in {q["body"] for q in questions}
    client.post("/language", data={"language": "en", "next": "/"})
    english = client.get(base).get_data(as_text=True)
    assert "What the council still owes residents" in english
    with in_db() as session:
        told = set(session.scalars(sa.select(Notification.user_id)
                                   .where(Notification.kind == "summary")))  # fmt: skip
    assert told == {person.id for person in people}


def test_attendance_is_sampled_while_people_are_present(app, create_townhall, monkeypatch):
    from participation.extensions import db
    from participation.townhall.events import record_attendance
    from participation.townhall.models import Attendance
    from participation.townhall.presence import Presence, presence

    made = create_townhall()
    monkeypatch.setattr(presence, "_seen", {})  # other tests' town halls had the same ids
    presence.join(made.id, "sid-1", "u1")
    presence.join(made.id, "sid-2", "u1")  # the same person on a second device
    presence.join(made.id, "sid-3")
    record_attendance(app, made.id, 3)
    with app.app_context():
        sample = db.session.scalars(sa.select(Attendance)).one()
        assert (sample.present, sample.seen) == (3, 2)
    for sid in ("sid-1", "sid-2", "sid-3"):
        presence.leave(made.id, sid)
    local = Presence()
    assert local.claim_sample(1, 60) is True
    assert local.claim_sample(1, 60) is False  # once per interval per town hall


def test_residents_read_their_summary_notices_in_a_bounded_number_of_queries(
    app, client, auth, create_user, create_townhall
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.summaries import operations
    from participation.townhall import operations as ops
    from participation.townhall.models import TownHall
    from tests.proposals.test_listing import _count_queries

    resident = create_user()
    council = create_user(roles=["council"])

    def publish_a_town_hall_summary():
        made = create_townhall()
        with app.app_context():
            hall = db.session.get(TownHall, made.id)
            ops.ask_question(hall, db.session.get(User, resident.id), "ไฟจะติดเมื่อไร", "q1")
            ops.end_townhall(hall, db.session.get(User, made.facilitator.id))
            summary, member = operations.summary_of(hall), db.session.get(User, council.id)
            operations.mark_reviewed(summary, member)
            operations.save_statement(summary, member, "แถลงการณ์", "")
            operations.publish(summary, member)
            db.session.commit()

    auth.login(resident)
    publish_a_town_hall_summary()
    client.get("/notifications/")  # the server process reads the names kept whole once
    one = len(_count_queries(app, client, "/notifications/"))
    for _ in range(3):
        publish_a_town_hall_summary()
    html = client.get("/notifications/").get_data(as_text=True)
    assert len(re.findall(r'href="/notifications/\d+"', html)) == 4
    assert len(_count_queries(app, client, "/notifications/")) == one
