"""LINE's webhook: only LINE's signed, fresh, well-formed bodies are handled, each event once;
follow and unfollow decide whether a linked resident can be sent anything."""

import json
import secrets
import time

import sqlalchemy as sa

from participation.line.models import LineAccount, LineWebhookEvent
from tests.line.fake_line import new_line_user_id


def event(kind, line_user_id, age_seconds=0, event_id=None):
    """A follow/unfollow event as LINE sends it."""
    body = {
        "type": kind,
        "mode": "active",
        "timestamp": int((time.time() - age_seconds) * 1000),
        "source": {"type": "user", "userId": line_user_id},
        "webhookEventId": event_id or secrets.token_hex(13).upper(),
        "deliveryContext": {"isRedelivery": False},
    }
    if kind == "follow":
        body["replyToken"] = secrets.token_hex(16)
        body["follow"] = {"isUnblocked": False}
    return body


def body_of(*events):
    return json.dumps({"destination": "U" + "0" * 32, "events": list(events)}).encode()


def post(client, line, body, signature=None):
    return client.post(
        "/line/webhook",
        data=body,
        content_type="application/json; charset=utf-8",
        headers={"X-Line-Signature": line.sign(body) if signature is None else signature},
    )


def linked(app, person, following=False):
    from participation.extensions import db

    line_id = new_line_user_id()
    with app.app_context():
        db.session.add(LineAccount(user_id=person.id, line_user_id=line_id,
                                   is_following=following))  # fmt: skip
        db.session.commit()
    return line_id


def state(in_db):
    with in_db() as session:
        return (
            session.scalars(sa.select(LineAccount.is_following)).all(),
            session.scalar(sa.select(sa.func.count()).select_from(LineWebhookEvent)),
        )


def test_follow_and_unfollow_change_whether_a_resident_can_be_reached(
    app, client, resident, line, in_db
):
    line_id = linked(app, resident)

    assert post(client, line, body_of(event("follow", line_id))).status_code == 200
    assert state(in_db) == ([True], 1)

    assert post(client, line, body_of(event("unfollow", line_id))).status_code == 200
    assert state(in_db) == ([False], 2)


def test_lines_verify_button_with_no_events_is_answered(client, line, in_db):
    assert post(client, line, body_of()).status_code == 200


def test_a_wrong_or_missing_signature_is_refused_and_nothing_is_stored(
    app, client, resident, line, in_db
):
    line_id = linked(app, resident)
    body = body_of(event("follow", line_id))
    other_secret = line.sign(body_of(event("follow", line_id)))

    assert post(client, line, body, signature=other_secret).status_code == 400
    assert post(client, line, body, signature="").status_code == 400
    response = client.post("/line/webhook", data=body, content_type="application/json")
    assert response.status_code == 400
    # A body changed after LINE signed it.
    assert post(client, line, body.replace(b"follow", b"unfollow"),
                signature=line.sign(body)).status_code == 400  # fmt: skip
    assert state(in_db) == ([False], 0)


def test_an_old_body_played_back_is_refused_and_nothing_is_stored(
    app, client, resident, line, in_db
):
    line_id = linked(app, resident)
    body = body_of(event("follow", line_id, age_seconds=600))

    assert post(client, line, body).status_code == 400
    assert state(in_db) == ([False], 0)


def test_an_event_delivered_twice_is_handled_once(app, client, resident, line, in_db):
    line_id = linked(app, resident)
    follow = event("follow", line_id)
    post(client, line, body_of(follow))
    post(client, line, body_of(event("unfollow", line_id)))

    # The first follow again (LINE redelivering it, or someone playing it back in time).
    assert post(client, line, body_of(follow)).status_code == 200

    assert state(in_db) == ([False], 2)


def test_malformed_json_is_refused_and_nothing_is_stored(app, client, resident, line, in_db):
    linked(app, resident)
    for body in (b"{not json", b"[]", b'{"events": "follow"}', b'{"events": [{"type": "follow"}]}',
                 b'{"events": [1]}', "\udcff".encode("utf-8", "surrogatepass")):  # fmt: skip
        assert post(client, line, body).status_code == 400, body
    assert state(in_db) == ([False], 0)


def test_a_follow_from_someone_who_never_linked_stores_nothing_about_them(client, line, in_db):
    assert post(client, line, body_of(event("follow", new_line_user_id()))).status_code == 200
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(LineAccount)) == 0


def test_the_webhook_needs_no_csrf_token_but_is_rate_limited(config, make_app, resident, line):
    config.WTF_CSRF_ENABLED = True
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_LINE_WEBHOOK = "3 per minute"
    app = make_app(config)
    client = app.test_client()
    body = body_of()
    answers = [post(client, line, body).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
