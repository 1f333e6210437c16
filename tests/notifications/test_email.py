"""Residents hear by e-mail, as their settings say, through a real SMTP server on loopback.

The SMTP server is aiosmtpd on a free port of this machine; it can be told to answer "try
again later" (451) a number of times, or to refuse an address for good (550).
"""

import asyncio
import base64
import re
import time
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from participation.accounts.models import User
from participation.core.i18n import BANGKOK
from participation.extensions import db
from participation.notifications import dispatch
from participation.notifications.models import Delivery, Notification, NotificationPreference
from participation.notifications.operations import notify
from participation.notifications.settings import save_choices
from participation.proposals.models import Contribution
from tests.jobs.test_queue import drain
from tests.services import free_port


class Capture:
    """An SMTP handler that keeps what it receives and fails when asked to."""

    def __init__(self):
        self.messages = []
        self.busy = 0  # answer 451 to this many recipients first
        self.refused = {}  # address -> its permanent refusal
        self.sessions = []  # each SMTP connection the server accepted mail on
        self.hang_up = False  # close the connection after each message

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if not any(known is session for known in self.sessions):
            self.sessions.append(session)
        if address in self.refused:
            return self.refused[address]
        if self.busy > 0:
            self.busy -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content, policy=default))
        if self.hang_up:  # just after the answer, as a server closing idle connections
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return "250 Message accepted"

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture
def smtp():
    handler = Capture()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def config(config, smtp):
    config.MAIL_BACKEND = "smtp"
    config.MAIL_SERVER, config.MAIL_PORT = "127.0.0.1", smtp.port
    config.MAIL_USE_TLS = False
    config.PUBLIC_URL = "https://ruamkid.example.go.th"
    return config


@pytest.fixture
def item(create_process, create_contribution, resident):
    process = create_process("reimagine")
    return create_contribution(process, resident, title="ซ่อมไฟถนนซอย 5")


def _choose(app, person, **choices):
    with app.app_context():
        user = db.session.get(User, person.id)
        save_choices(user, {(kind, "email"): frequency for kind, frequency in choices.items()})
        db.session.commit()


def _notify(app, kind, people, item_id, actor=None):
    with app.app_context():
        contribution = db.session.get(Contribution, item_id)
        actor_row = db.session.get(User, actor.id) if actor else None
        notify(kind, [("people", [p.id for p in people])], contribution, actor_row)
        db.session.commit()
        db.session.remove()


def _digest_moment(weekday, hour=7, minute=5):
    """The next ``weekday`` (0 Monday) at ``hour``:``minute`` in Bangkok, after today, in UTC."""
    local = datetime.now(BANGKOK).replace(hour=hour, minute=minute, second=0, microsecond=0)
    local += timedelta(days=(weekday - local.weekday()) % 7 or 7)
    return local.astimezone(BANGKOK).astimezone(datetime.now().astimezone().tzinfo)


def _run_digests(app, now):
    with app.app_context():
        started = dispatch.start_due_digests(now=now)
        db.session.commit()
        db.session.remove()
    return started


def _deliveries(app, person):
    with app.app_context():
        return db.session.execute(
            sa.select(Delivery.frequency, Delivery.state, Delivery.result, Delivery.attempts)
            .where(Delivery.user_id == person.id).order_by(Delivery.id)
        ).all()  # fmt: skip


def _text(message):
    return message.get_body(("plain",)).get_content()


def _html(message):
    return message.get_body(("html",)).get_content()


def test_each_kind_reaches_email_at_once_daily_weekly_or_never_as_chosen(
    app, smtp, item, create_user
):
    reader, council = create_user(language="en"), create_user()
    _choose(app, reader, reply="now", comment="daily", update="weekly", status="never")

    for kind in ("reply", "comment", "update", "status"):
        _notify(app, kind, [reader], item, actor=council)

    assert len(smtp.to(reader.email)) == 1  # the reply, at once
    assert "replied to your comment" in smtp.to(reader.email)[0]["Subject"]
    assert [row.frequency for row in _deliveries(app, reader)] == ["now", "daily", "weekly"]

    tuesday = _digest_moment(weekday=1)
    assert _run_digests(app, tuesday) == ["daily"]
    daily = smtp.to(reader.email)[1]
    assert "1 new comment on" in _text(daily)
    assert "progress update" not in _text(daily)

    monday = _digest_moment(weekday=0)
    monday += timedelta(days=7) if monday < tuesday else timedelta()
    assert set(_run_digests(app, monday)) == {"daily", "weekly"}
    weekly = smtp.to(reader.email)[2]
    assert "Your week on Ruamkid" in weekly["Subject"]
    assert "1 progress update on" in _text(weekly)
    assert len(smtp.to(reader.email)) == 3  # the daily digest had nothing left: not sent
    assert {row.state for row in _deliveries(app, reader)} == {"sent"}
    with app.app_context():  # "never" still reaches the site
        kinds = db.session.scalars(
            sa.select(Notification.kind).where(Notification.user_id == reader.id)
        ).all()
    assert sorted(kinds) == ["comment", "reply", "status", "update"]


def test_a_digest_groups_by_process_and_item_and_links_straight_to_each(
    app, smtp, create_process, create_contribution, create_user, resident
):
    reader = create_user(language="en")
    process = create_process("reimagine")
    lamp = create_contribution(process, resident, title="Street lamp on Soi 5")
    canal = create_contribution(process, resident, title="Clean the canal")
    for _time in range(3):
        _notify(app, "comment", [reader], lamp, actor=resident)
    _notify(app, "comment", [reader], canal, actor=resident)
    _notify(app, "update", [reader], canal, actor=resident)
    _choose(app, reader)

    _run_digests(app, _digest_moment(weekday=2))

    (message,) = smtp.to(reader.email)
    text = _text(message)
    assert "Your day on Ruamkid: 5 pieces of news" == message["Subject"]
    assert '3 new comments on "Street lamp on Soi 5"' in text
    assert '1 new comment on "Clean the canal"' in text
    assert '1 progress update on "Clean the canal"' in text
    assert text.count("== ") == 1  # one process, its items below it
    links = set(re.findall(r"https://ruamkid\.example\.go\.th/\S+/proposals/\d+", text))
    assert links == {
        f"https://ruamkid.example.go.th/processes/{process.slug}/proposals/{lamp}",
        f"https://ruamkid.example.go.th/processes/{process.slug}/proposals/{canal}",
    }
    assert f'href="https://ruamkid.example.go.th/processes/{process.slug}/proposals/{lamp}"' in (
        _html(message)
    )


def test_no_digest_is_sent_to_someone_with_nothing_new(app, smtp, item, create_user):
    quiet = create_user()
    assert _run_digests(app, _digest_moment(weekday=3)) == ["daily"]
    assert smtp.messages == []
    assert _deliveries(app, quiet) == []


def test_each_digest_starts_once_per_day_however_many_workers_ask(app, smtp, item, create_user):
    reader = create_user()
    _notify(app, "comment", [reader], item)
    thursday = _digest_moment(weekday=3)

    assert _run_digests(app, thursday) == ["daily"]
    assert _run_digests(app, thursday + timedelta(minutes=1)) == []  # another worker, later
    assert len(smtp.to(reader.email)) == 1


def test_a_thai_resident_reads_thai_with_buddhist_era_dates_and_an_english_one_english(
    app, smtp, item, create_user, thai
):
    somsri = create_user(language="th", name="สมศรี")
    alice = create_user(language="en", name="Alice")
    _choose(app, somsri, response="now")
    _choose(app, alice, response="now")

    _notify(app, "response", [somsri, alice], item)

    year = datetime.now(BANGKOK).year
    (thai_message,) = smtp.to(somsri.email)
    assert thai_message["Subject"] == thai('The council responded to "%(what)s"',
                                           what="ซ่อมไฟถนนซอย 5")  # fmt: skip
    assert thai("Hello %(name)s,", name="สมศรี") in _text(thai_message)
    assert str(year + 543) in _text(thai_message)
    html = _html(thai_message)
    assert '<html lang="th">' in html
    assert "Sarabun" in html
    assert thai_message.get_content_type() == "multipart/alternative"

    (english,) = smtp.to(alice.email)
    assert english["Subject"] == 'The council responded to "ซ่อมไฟถนนซอย 5"'
    assert "Hello Alice," in _text(english)
    assert str(year) in _text(english)
    assert str(year + 543) not in _text(english)


INVALID_LINK = (
    "This unsubscribe link is not valid: it may have been cut or changed. Nothing was changed. "
    "Open the link again from the e-mail, or sign in and choose in your notification settings."
)


def _unsubscribe_link(message):
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return re.fullmatch(r"<(https://\S+)>", message["List-Unsubscribe"]).group(1)


def _email_choice(app, person, kind):
    with app.app_context():
        return db.session.scalar(
            sa.select(NotificationPreference.frequency).where(
                NotificationPreference.user_id == person.id,
                NotificationPreference.kind == kind,
                NotificationPreference.channel == "email",
            )
        )


def test_one_click_unsubscribe_works_without_signing_in_and_stops_that_kind(
    app, client, smtp, item, create_user
):
    reader = create_user()
    _choose(app, reader, reply="now", response="now")
    _notify(app, "reply", [reader], item)
    link = _unsubscribe_link(smtp.to(reader.email)[0])
    path = link.removeprefix("https://ruamkid.example.go.th")

    # What a mail program sends (RFC 8058): a POST with no cookie and no CSRF token.
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})

    assert answer.status_code == 200
    assert _email_choice(app, reader, "reply") == "never"
    assert _email_choice(app, reader, "response") == "now"  # other kinds are untouched
    _notify(app, "reply", [reader], item)
    _notify(app, "response", [reader], item)
    assert [m["Subject"][:15] for m in smtp.to(reader.email)][1:] == [
        smtp.to(reader.email)[1]["Subject"][:15]
    ]
    assert len(smtp.to(reader.email)) == 2  # the response only


def test_the_unsubscribe_page_asks_first_and_changes_nothing_until_the_button(
    app, client, smtp, item, create_user, thai
):
    reader = create_user()
    _choose(app, reader, comment="now")
    _notify(app, "comment", [reader], item)
    path = _unsubscribe_link(smtp.to(reader.email)[0]).removeprefix("https://ruamkid.example.go.th")

    page = client.get(path)

    assert page.status_code == 200
    assert thai("Stop these e-mails") in page.text
    assert _email_choice(app, reader, "comment") == "now"
    assert client.post(path).status_code == 200
    assert _email_choice(app, reader, "comment") == "never"


def test_a_tampered_or_foreign_unsubscribe_link_fails_and_changes_nothing(
    app, client, smtp, item, create_user, thai
):
    import hashlib
    import hmac

    reader = create_user()
    _choose(app, reader, comment="now")
    _notify(app, "comment", [reader], item)
    path = _unsubscribe_link(smtp.to(reader.email)[0]).removeprefix("https://ruamkid.example.go.th")
    token = path.rsplit("/", 1)[1]
    tampered = path[: -len(token)] + token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    payload = f"{reader.id}.comment"  # signed with another site's key
    foreign_key = hmac.new(b"another site's key", b"ruamkid.notifications.unsubscribe",
                           hashlib.sha256).digest()  # fmt: skip
    signature = hmac.new(foreign_key, payload.encode(), hashlib.sha256).digest()[:18]
    forged = f"/notifications/unsubscribe/{payload}.{base64.urlsafe_b64encode(signature).decode()}"
    someone_else = token.replace(f"{reader.id}.", f"{reader.id + 1}.", 1)  # another person's
    other_kind = token.replace(".comment.", ".reply.", 1)

    for bad in (tampered, forged, path[: -len(token)] + someone_else,
                path[: -len(token)] + other_kind, "/notifications/unsubscribe/nonsense",
                "/notifications/unsubscribe/1.nokind." + token.rsplit(".", 1)[1]):  # fmt: skip
        for method in (client.get, client.post):
            answer = method(bad)
            assert answer.status_code == 400
            assert thai(INVALID_LINK) in answer.text
    assert _email_choice(app, reader, "comment") == "now"


@pytest.fixture
def queued(config):
    """The real job queue (not JOBS_IMMEDIATE), drained in this process."""
    config.JOBS_IMMEDIATE = False
    config.JOBS_RETRY_DELAY_SECONDS = 0
    config.JOBS_RETRIES = 3
    return config


def test_a_busy_mail_server_is_tried_again_until_the_mail_goes_out(
    queued, app, smtp, item, create_user
):
    reader = create_user()
    _choose(app, reader, reply="now")
    smtp.busy = 2

    _notify(app, "reply", [reader], item)
    assert smtp.messages == []  # queued, not sent by the request
    drain(app)

    assert len(smtp.to(reader.email)) == 1
    ((frequency, state, result, attempts),) = _deliveries(app, reader)
    assert (frequency, state, result, attempts) == ("now", "sent", "sent", 2)


def test_a_refused_address_is_recorded_failed_and_the_site_notification_stays(
    queued, app, smtp, item, create_user
):
    reader = create_user(email="gone@example.org")
    _choose(app, reader, reply="now")
    smtp.refused["gone@example.org"] = "550 5.1.1 No such user here"

    _notify(app, "reply", [reader], item)
    drain(app)

    ((_frequency, state, result, _attempts),) = _deliveries(app, reader)
    assert state == "failed"
    assert "550" in result
    assert "No such user" in result
    with app.app_context():
        note = db.session.scalars(
            sa.select(Notification).where(Notification.user_id == reader.id)
        ).one()
        assert (note.kind, note.read_dt) == ("reply", None)


def test_a_mail_server_that_never_answers_is_given_up_after_the_retries(
    queued, app, smtp, item, create_user
):
    reader = create_user()
    _choose(app, reader, reply="now")
    smtp.busy = 100

    _notify(app, "reply", [reader], item)
    drain(app)

    ((_frequency, state, result, attempts),) = _deliveries(app, reader)
    assert (state, attempts) == ("failed", 4)
    assert "451" in result
    assert smtp.messages == []


def test_deliveries_are_in_the_data_download_and_go_with_the_account(app, smtp, item, create_user):
    from participation.privacy.operations import personal_data

    reader = create_user()
    _notify(app, "comment", [reader], item)
    with app.app_context():
        user = db.session.get(User, reader.id)
        rows = personal_data(user)["tables"]["notification_deliveries"]["user_id"]
        assert [(row["channel"], row["frequency"], row["state"]) for row in rows] == [
            ("email", "daily", "pending")
        ]
        db.session.delete(user)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_records_older_than_the_retention_period_are_purged_once_a_day(
    app, smtp, item, create_user
):
    reader = create_user()
    _notify(app, "comment", [reader], item)
    _notify(app, "reply", [reader], item)
    with app.app_context():
        first = db.session.scalars(sa.select(Delivery).order_by(Delivery.id)).first()
        first.created_dt -= timedelta(days=app.config["NOTIFICATIONS_RETENTION_DAYS"] + 1)
        db.session.commit()
        assert dispatch.purge_old_deliveries() == 1
        assert dispatch.purge_old_deliveries() == 0  # once a day
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 1


def test_after_unsubscribing_nothing_waiting_for_the_digest_is_sent_either(
    app, client, smtp, item, create_user
):
    reader = create_user()
    _choose(app, reader, reply="now")  # comments stay in the daily digest (the default)
    _notify(app, "comment", [reader], item)
    _notify(app, "reply", [reader], item)
    path = _unsubscribe_link(smtp.to(reader.email)[0]).removeprefix("https://ruamkid.example.go.th")
    with app.app_context():  # a digest link would name "comment": make one as the digest does
        from participation.notifications.mail import unsubscribe_token

        path = path.rsplit("/", 1)[0] + "/" + unsubscribe_token(reader.id, ["comment"])

    assert client.post(path).status_code == 200

    assert _run_digests(app, _digest_moment(weekday=5)) == ["daily"]
    assert len(smtp.to(reader.email)) == 1  # only the reply, sent at once before
    assert [row.frequency for row in _deliveries(app, reader)] == ["now"]


def test_two_people_with_the_same_digest_each_get_their_own_name_address_and_unsubscribe_link(
    app, client, smtp, item, create_user
):
    somchai = create_user(name="Somchai & <Sons>")
    malee = create_user(name="มาลี ใจดี")
    _notify(app, "comment", [somchai, malee], item)
    _notify(app, "update", [somchai, malee], item)

    assert _run_digests(app, _digest_moment(weekday=2)) == ["daily"]

    (to_somchai,) = smtp.to(somchai.email)
    (to_malee,) = smtp.to(malee.email)
    assert to_somchai["Subject"] == to_malee["Subject"]
    assert "Somchai & <Sons>" in _text(to_somchai)
    assert "Somchai &amp; &lt;Sons&gt;" in _html(to_somchai)
    assert "มาลี ใจดี" in _text(to_malee)
    assert "มาลี ใจดี" in _html(to_malee)
    assert "Somchai" not in _text(to_malee) + _html(to_malee)
    links = {}
    for person, message in ((somchai, to_somchai), (malee, to_malee)):
        link = _unsubscribe_link(message)
        assert link in _text(message)
        assert f'href="{link}"' in _html(message)
        links[person.id] = link
    assert links[somchai.id] != links[malee.id]

    path = links[malee.id].removeprefix("https://ruamkid.example.go.th")
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _email_choice(app, malee, "comment") == "never"
    assert _email_choice(app, malee, "update") == "never"
    assert _email_choice(app, somchai, "comment") != "never"  # her link is hers alone


def test_a_digest_run_sends_all_its_messages_over_one_connection(app, smtp, item, create_user):
    people = [create_user() for _ in range(4)]
    smtp.refused[people[1].email] = "550 5.1.1 No such user here"
    _notify(app, "comment", people, item)

    _run_digests(app, _digest_moment(weekday=4))

    assert len(smtp.sessions) == 1
    assert [len(smtp.to(person.email)) for person in people] == [1, 0, 1, 1]
    assert _deliveries(app, people[1])[0].state == "failed"  # only the refused address
    assert {_deliveries(app, p)[0].state for p in (people[0], people[2], people[3])} == {"sent"}


def test_a_connection_the_server_dropped_is_opened_again_once(app, smtp):
    from participation.core.mail import mail_connection, send_mail

    smtp.hang_up = True
    with app.app_context(), mail_connection() as connection:
        for number in range(3):
            send_mail(f"person{number}@example.org", "ทดสอบ", "สวัสดี")
            time.sleep(0.2)  # the server hangs up meanwhile
    assert [len(smtp.to(f"person{number}@example.org")) for number in range(3)] == [1, 1, 1]
    assert connection.opened == 3 == len(smtp.sessions)
