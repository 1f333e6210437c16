"""Settings per kind of event and channel; pending deliveries for later senders; large fan-outs
run as jobs; the choices are in the data download and go with the account."""

import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from participation.notifications.models import Delivery, Notification, NotificationPreference


def _comment(app, person, item_id, body="เห็นด้วย"):
    from tests.conftest import Auth

    client = app.test_client()
    Auth(client).login(person)
    assert client.post(f"/contributions/{item_id}/comments", data={"body": body}).status_code in (
        200, 302
    )  # fmt: skip


def test_a_person_who_never_opened_the_settings_gets_the_bell_at_once_and_a_daily_email(
    app, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    _comment(app, create_user(), item_id)

    with in_db() as session:
        note = session.scalars(sa.select(Notification)).one()
        assert (note.user_id, note.read_dt) == (resident.id, None)
        deliveries = session.execute(
            sa.select(Delivery.user_id, Delivery.channel, Delivery.frequency, Delivery.state)
        ).all()
    assert [tuple(d) for d in deliveries] == [(resident.id, "email", "daily", "pending")]


def test_the_settings_page_offers_every_kind_and_the_site_and_email_but_not_line(
    client, auth, resident, thai
):
    auth.login(resident)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert thai("Replies to my comments") in page
    assert thai("Moderation decisions about what I wrote") in page
    assert 'name="comment-site"' in page
    assert 'name="comment-email"' in page
    assert "comment-line" not in page  # no LINE settings configured
    assert '<option value="daily" selected>' in page  # e-mail's default


def test_line_options_appear_once_the_municipality_configures_line(app, client, auth, resident):
    app.config.update(
        LINE_LOGIN_CHANNEL_ID="1650000000", LINE_LOGIN_CHANNEL_SECRET="login-secret",
        LINE_CHANNEL_SECRET="channel-secret", LINE_CHANNEL_ACCESS_TOKEN="token",
    )  # fmt: skip
    auth.login(resident)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'name="comment-line"' in page


def test_chosen_settings_decide_the_bell_and_the_email(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(resident)
    form = {"comment-site": "never", "comment-email": "weekly"}
    response = client.post("/account/notifications", data=form)
    assert response.status_code == 302
    with in_db() as session:
        stored = session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.channel,
                      NotificationPreference.frequency).order_by(NotificationPreference.channel)
        ).all()  # fmt: skip
    # Only choices away from the defaults are stored (the other kinds were sent as defaults).
    assert [tuple(row) for row in stored] == [
        ("comment", "email", "weekly"),
        ("comment", "site", "never"),
    ]

    _comment(app, create_user(), item_id)

    with in_db() as session:
        note = session.scalars(sa.select(Notification)).one()
        assert note.read_dt is not None  # kept for the e-mail's link, never rings the bell
        assert session.scalar(sa.select(Delivery.frequency)) == "weekly"
    assert "data-bell-count hidden>" in client.get("/").get_data(as_text=True)

    client.post("/account/notifications", data={"comment-site": "never", "comment-email": "never"})
    _comment(app, create_user(), item_id, "อีกความเห็น")
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("comment-site", "daily"), ("comment-email", "hourly"), ("comment-line", "now")],
)
def test_a_choice_not_offered_is_refused(client, auth, resident, in_db, field, value, thai):
    auth.login(resident)
    response = client.post("/account/notifications", data={field: value})
    assert response.status_code == 422
    assert thai("Please choose one of the options shown.") in response.get_data(as_text=True)
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0


def test_settings_and_pending_deliveries_are_in_the_download_and_go_with_the_account(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(resident)
    client.post("/account/notifications", data={"update-email": "now"})
    _comment(app, create_user(), item_id)

    archive = client.get("/account/data.zip")
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive.data)).read("ruamkid-my-data.json"))[
        "tables"
    ]
    assert data["notification_preferences"]["user_id"][0]["frequency"] == "now"
    assert data["notification_deliveries"]["user_id"][0]["channel"] == "email"

    client.post("/account/delete", data={"keep": "keep", "password": resident.password})
    with in_db() as session:
        for model in (NotificationPreference, Delivery, Notification):
            assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_saving_settings_is_rate_limited(app, config, make_app, resident):
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_POST = "2 per minute"
    limited = make_app(config)
    client = limited.test_client()
    client.post("/login", data={"email": resident.email, "password": resident.password})

    codes = [
        client.post("/account/notifications", data={"reply-email": "weekly"}).status_code
        for _ in range(3)
    ]

    assert codes == [302, 302, 429]
