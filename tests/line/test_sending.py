"""Notifications reach linked residents through the Messaging API (a fake LINE on loopback):
in their language, with a link back, as few calls as multicast allows, never to someone who
blocked the Official Account; near the monthly quota they wait for the digest."""

import contextlib
import logging
import math
import secrets
from unittest import mock

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.models import utcnow
from participation.extensions import db
from participation.line import operations, sender
from participation.line.models import LineAccount, LineUsage
from participation.notifications import dispatch
from participation.notifications.models import Delivery, NotificationKind
from participation.notifications.operations import notify
from participation.proposals.models import Contribution
from tests.jobs.test_queue import drain
from tests.line.fake_line import new_line_user_id

TITLE = "ซ่อมถนนชำรุดหน้าโรงเรียน"


def linked_residents(app, count, language="th", following=True):
    """``count`` residents who linked LINE (and follow the Official Account), made in bulk."""
    now = utcnow()
    tag = secrets.token_hex(4)
    with app.app_context():
        ids = db.session.scalars(
            sa.insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {"email": f"line-{tag}-{n}@example.org", "display_name": f"ผู้ใช้ LINE {n}",
                 "password_hash": "-", "preferred_language": language,
                 "privacy_consent_version": 1, "privacy_consent_dt": now}
                for n in range(count)
            ],
        ).all()  # fmt: skip
        db.session.execute(
            sa.insert(LineAccount),
            [{"user_id": i, "line_user_id": new_line_user_id(), "is_following": following,
              "linked_dt": now} for i in ids],
        )  # fmt: skip
        db.session.commit()
    return ids


@pytest.fixture
def proposal(create_process, create_contribution, resident):
    process = create_process("reimagine")
    return process, create_contribution(process, resident, title=TITLE)


def tell(app, kind, user_ids, item_id, actor_id, *, dispatch_now=False):
    """Notify ``user_ids`` of ``kind`` on the proposal; return their new LINE deliveries.

    The dispatcher's "at once" job is held back unless ``dispatch_now``, so that a test can hand
    the deliveries to the LINE sender itself (and change things in between)."""
    held = contextlib.nullcontext() if dispatch_now else mock.patch.object(dispatch, "queue_now")
    with app.app_context(), held:
        before = db.session.scalar(sa.select(sa.func.max(Delivery.id))) or 0
        item = db.session.get(Contribution, item_id)
        notify(kind, [("people", list(user_ids))], item, db.session.get(User, actor_id))
        db.session.commit()
        rows = db.session.execute(
            sa.select(Delivery.id, Delivery.user_id)
            .where(Delivery.id > before, Delivery.channel == "line")
            .order_by(Delivery.id)
        ).all()
    return rows


def send_now(app, delivery_ids):
    with app.app_context():
        sender.send_now(delivery_ids)
        db.session.commit()


def deliveries(app, ids):
    with app.app_context():
        return db.session.execute(
            sa.select(Delivery.state, Delivery.frequency, Delivery.result)
            .where(Delivery.id.in_(ids)).order_by(Delivery.id)
        ).all()  # fmt: skip


def test_the_line_channel_is_registered_and_reaches_those_who_follow(app, line):
    from participation.notifications import channels

    with app.app_context():
        registered = channels.sender_for("line")
        assert registered is sender.SENDER
        assert registered in channels.active()


def test_an_answer_reaches_each_resident_in_their_language_in_multicasts_of_500(
    app, line, proposal, council
):
    process, item_id = proposal
    thai = linked_residents(app, 501)
    english = linked_residents(app, 2, language="en")

    rows = tell(app, NotificationKind.RESPONSE, thai + english, item_id, council.id)
    send_now(app, [row.id for row in rows])

    assert len(rows) == 503  # "at once" is LINE's default for answers to one's own words
    calls = line.messages()
    assert len(calls) == math.ceil(501 / 500) + math.ceil(2 / 500) == 3
    assert sorted(len(c.body["to"]) if isinstance(c.body["to"], list) else 1
                  for c in calls) == [1, 2, 500]  # fmt: skip
    paths = sorted(call.path for call in calls)
    assert paths == ["/v2/bot/message/multicast"] * 2 + ["/v2/bot/message/push"]
    link = f"https://ruamkid.example.go.th/processes/{process.slug}/proposals/{item_id}"
    texts = {call.body["messages"][0]["text"] for call in calls}
    assert texts == {
        f'สภาเทศบาลตอบ "{TITLE}" แล้ว\n{link}',
        f'The council responded to "{TITLE}"\n{link}',
    }
    assert all(call.headers["Authorization"] == f"Bearer {line.access_token}" for call in calls)
    assert {state for state, _f, _r in deliveries(app, [r.id for r in rows])} == {"sent"}
    with app.app_context():
        assert operations.used_this_month() == 503


def test_a_council_answer_reaches_a_linked_resident_on_line_at_once(app, line, proposal, council):
    _process, item_id = proposal
    resident = linked_residents(app, 1)

    rows = tell(app, NotificationKind.RESPONSE, resident, item_id, council.id, dispatch_now=True)

    [call] = line.messages()
    assert call.path == "/v2/bot/message/push"
    assert TITLE in call.body["messages"][0]["text"]
    assert {state for state, _f, _r in deliveries(app, [r.id for r in rows])} == {"sent"}


def test_a_resident_who_blocked_the_official_account_is_sent_nothing(
    app, client, line, proposal, council
):
    from tests.line.test_webhook import body_of, event, post

    _process, item_id = proposal
    blocked = linked_residents(app, 1, following=False)
    follower = linked_residents(app, 1)

    rows = tell(app, NotificationKind.RESPONSE, blocked + follower, item_id, council.id)
    assert [row.user_id for row in rows] == follower  # no LINE delivery for the blocked one

    # The follower blocks the account before the message goes out.
    with app.app_context():
        line_id = db.session.scalar(
            sa.select(LineAccount.line_user_id).where(LineAccount.user_id == follower[0])
        )
    assert post(client, line, body_of(event("unfollow", line_id))).status_code == 200
    send_now(app, [row.id for row in rows])

    assert line.messages() == []
    [(state, _frequency, result)] = deliveries(app, [row.id for row in rows])
    assert state == "failed"
    assert "blocked" in result


def test_near_the_monthly_quota_at_once_messages_wait_for_the_digest_and_admins_are_warned(
    app, client, auth, admin, line, proposal, council, caplog
):
    app.config["LINE_MONTHLY_QUOTA"] = 10
    _process, item_id = proposal
    people = linked_residents(app, 1)
    with app.app_context():
        db.session.add(LineUsage(month=operations.this_month(), sent_count=8))
        db.session.commit()

    with caplog.at_level(logging.WARNING, logger="participation.line.operations"):
        first = tell(app, NotificationKind.RESPONSE, people, item_id, council.id)
        send_now(app, [row.id for row in first])
        second = tell(app, NotificationKind.REPLY, people, item_id, council.id)
        send_now(app, [row.id for row in second])

    assert line.messages() == []
    assert [(s, f) for s, f, _r in deliveries(app, [r.id for r in first + second])] == [
        ("pending", "daily"), ("pending", "daily")
    ]  # fmt: skip
    warnings = [r for r in caplog.records if "LINE_MONTHLY_QUOTA" in r.getMessage()]
    assert len(warnings) == 1  # once a month
    auth.login(admin)
    page = client.get("/admin/jobs").text
    assert "เดือนนี้ใช้ข้อความไปแล้ว 8 จาก 10 ข้อความ" in page


def test_when_the_quota_is_used_up_nothing_more_is_sent(app, line, proposal, council):
    app.config["LINE_MONTHLY_QUOTA"] = 10
    _process, item_id = proposal
    people = linked_residents(app, 2)
    rows = tell(app, NotificationKind.COMMENT, people, item_id, council.id)
    with app.app_context():
        db.session.add(LineUsage(month=operations.this_month(), sent_count=9))
        db.session.commit()
        sender.send_digest({p: [r.id for r in rows if r.user_id == p] for p in people}, "daily")
        db.session.commit()

    assert line.messages() == []
    assert {s for s, _f, _r in deliveries(app, [r.id for r in rows])} == {"failed"}


def test_a_digest_groups_by_item_and_people_with_the_same_digest_get_one_multicast(
    app, line, proposal, create_user
):
    process, item_id = proposal
    same = linked_residents(app, 2)
    other = linked_residents(app, 1)
    commenter = create_user(name="วิชัย")
    rows = []
    for _ in range(3):
        rows += tell(app, NotificationKind.COMMENT, same, item_id, commenter.id)
    rows += tell(app, NotificationKind.COMMENT, other, item_id, commenter.id)
    people = {}
    for row in rows:
        people.setdefault(row.user_id, []).append(row.id)

    with app.app_context():
        sender.send_digest(people, "daily")
        db.session.commit()

    calls = line.messages()
    assert len(calls) == 2
    multicast = next(call for call in calls if call.path.endswith("/multicast"))
    assert len(multicast.body["to"]) == 2
    text = multicast.body["messages"][0]["text"]
    assert text.startswith("สรุปรายวันจากร่วมคิด")
    assert f"ความคิดเห็นใหม่ 3 รายการ ใน “{TITLE}”" in text
    assert f"https://ruamkid.example.go.th/processes/{process.slug}/proposals/{item_id}" in text
    push = next(call for call in calls if call.path.endswith("/push"))
    assert f"ความคิดเห็นใหม่ 1 รายการ ใน “{TITLE}”" in push.body["messages"][0]["text"]
    assert {s for s, _f, _r in deliveries(app, [r.id for r in rows])} == {"sent"}


@pytest.fixture
def queued(config):
    config.JOBS_IMMEDIATE = False
    config.JOBS_RETRY_DELAY_SECONDS = 0
    config.JOBS_RETRIES = 2
    return config


@pytest.mark.parametrize("status", [500, 429])
def test_a_busy_line_is_tried_again_by_the_job_system_with_the_same_retry_key(
    queued, app, line, proposal, council, status
):
    from participation.jobs.models import Job

    _process, item_id = proposal
    people = linked_residents(app, 1)
    rows = tell(app, NotificationKind.RESPONSE, people, item_id, council.id)
    line.fail_next(status)

    send_now(app, [row.id for row in rows])
    assert drain(app) == 2  # the failed try, and the one that worked

    posts = [call for call in line.calls if call.path.startswith("/v2/bot/message/")]
    assert len(posts) == 2
    assert posts[0].headers["X-Line-Retry-Key"] == posts[1].headers["X-Line-Retry-Key"]
    assert [s for s, _f, _r in deliveries(app, [r.id for r in rows])] == ["sent"]
    with app.app_context():
        job = db.session.scalars(sa.select(Job).where(Job.name == "line.send")).one()
        assert (job.state, job.attempts) == ("done", 2)


def test_a_message_line_refuses_is_recorded_failed_and_not_tried_again(
    queued, app, line, proposal, council
):
    _process, item_id = proposal
    people = linked_residents(app, 1)
    rows = tell(app, NotificationKind.RESPONSE, people, item_id, council.id)
    line.fail_next(400)

    send_now(app, [row.id for row in rows])
    assert drain(app) == 1

    [(state, _frequency, result)] = deliveries(app, [r.id for r in rows])
    assert state == "failed"
    assert "400" in result
    assert line.messages() == []


def test_housekeeping_gives_up_old_unsent_messages_and_forgets_old_webhook_events(
    app, line, proposal, council
):
    from datetime import timedelta

    from participation.line.models import LineWebhookEvent

    _process, item_id = proposal
    people = linked_residents(app, 2)
    old, fresh = tell(app, NotificationKind.RESPONSE, people, item_id, council.id)
    with app.app_context():
        day_ago = utcnow() - timedelta(hours=25)
        db.session.execute(sa.update(Delivery).where(Delivery.id == old.id)
                           .values(created_dt=day_ago))  # fmt: skip
        db.session.add_all([LineWebhookEvent(event_id="OLD", received_dt=day_ago),
                            LineWebhookEvent(event_id="NEW", received_dt=utcnow())])  # fmt: skip
        db.session.commit()
        sender.housekeeping()
        db.session.commit()
        assert db.session.scalars(sa.select(LineWebhookEvent.event_id)).all() == ["NEW"]
    [(old_state, _f, result), (fresh_state, _f2, _r)] = deliveries(app, [old.id, fresh.id])
    assert (old_state, fresh_state) == ("failed", "pending")
    assert "within a day" in result
