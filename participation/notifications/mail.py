"""The e-mail channel: everyone with an account has an address, so e-mail reaches everyone.

Each message has a plain-text and an HTML part in the recipient's language, and a one-click
unsubscribe link (RFC 8058: ``List-Unsubscribe`` with a signed address, and
``List-Unsubscribe-Post``) that turns off e-mail for the kinds of news in that message,
without signing in (notifications/views.py, ``unsubscribe``).

A message the SMTP server refuses for good (5xx) marks its deliveries failed with the reason;
a passing failure (4xx, no connection, timeout) leaves them pending, counts the try, and
raises :class:`DeliveryRetry` so the job is tried again with growing waits; after
``JOBS_RETRIES`` tries they are marked failed. The notification on the site is never touched.

Digests: people whose digests read the same (language, frequency, events) share one rendering
per job run (:class:`_SharedDigest`); only the greeting's name, the address and the person's
own unsubscribe link are filled in per message. A job's messages share one SMTP connection.
"""

import base64
import functools
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, render_template, url_for
from flask_babel import force_locale, ngettext
from markupsafe import escape

from participation.accounts.models import User
from participation.core.mail import (
    PermanentMailError,
    TemporaryMailError,
    mail_connection,
    send_mail,
)
from participation.core.models import utcnow
from participation.extensions import db
from participation.notifications import digest
from participation.notifications.channels import Sender, register
from participation.notifications.dispatch import DeliveryRetry
from participation.notifications.models import (
    Channel,
    Delivery,
    Frequency,
    Notification,
    NotificationKind,
)

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "ruamkid.notifications.unsubscribe"


# --- Unsubscribe links --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _unsubscribe_key(secret_key):
    """This link's own key, derived from SECRET_KEY with its salt: no other signed value of
    the site (sessions, reset links) is ever accepted here."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, UNSUBSCRIBE_SALT.encode(), hashlib.sha256).digest()


def _signature(payload):
    digest_ = hmac.new(
        _unsubscribe_key(current_app.config["SECRET_KEY"]), payload.encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest_[:18]).decode()  # 144 bits, 24 characters


def unsubscribe_token(user_id, kinds):
    """A signed token naming a person and the kinds of e-mail a link turns off:
    ``<id>.<kind>-<kind>.<signature>`` (HMAC-SHA256).

    No expiry: a link in an e-mail from last year must still work (RFC 8058 asks that the
    address keep working). Nobody can make one for someone else without SECRET_KEY. A plain
    HMAC rather than ``itsdangerous``: a digest run signs 100,000 links, and this takes a
    twentieth of the time.
    """
    names = "-".join(sorted({str(NotificationKind(kind)) for kind in kinds}))
    payload = f"{int(user_id)}.{names}"
    return f"{payload}.{_signature(payload)}"


def read_unsubscribe_token(token):
    """``(user_id, [kinds])`` from a token, or None when it is not one we signed."""
    payload, _dot, signature = str(token).rpartition(".")
    if not payload or not hmac.compare_digest(signature.encode(), _signature(payload).encode()):
        return None
    user_id, _dot, names = payload.partition(".")
    try:
        return int(user_id), [NotificationKind(kind) for kind in names.split("-")]
    except ValueError:
        return None


# --- Rendering ----------------------------------------------------------------------------------


def _unsubscribe_url(user_id, kinds):
    """The absolute one-click unsubscribe address (in :func:`digest.links`)."""
    token = unsubscribe_token(user_id, kinds)
    return digest.absolute_url(url_for("notifications.unsubscribe", token=token))


def _render(name, user, kinds, subject, unsubscribe_url=None, **context):
    """``(subject, text, html, headers)`` of message ``name`` for ``user``, in their language."""
    with force_locale(user.preferred_language or "th"), digest.links():
        unsubscribe = unsubscribe_url or _unsubscribe_url(user.id, kinds)
        values = {
            "user": user,
            "lang": user.preferred_language or "th",
            "settings_url": digest.absolute_url(url_for("notification_settings.edit")),
            "unsubscribe_url": unsubscribe,
            "site_url": digest.absolute_url("/"),
            **context,
        }
        subject = subject() if callable(subject) else subject
        text = render_template(f"notifications/email/{name}.txt", subject=subject, **values)
        html = render_template(f"notifications/email/{name}.html", subject=subject, **values)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return subject, text, html, headers


def render_now(user, note):
    """The message for one notification sent at once."""

    def subject():
        return digest.sentence(note)

    with force_locale(user.preferred_language or "th"), digest.links():
        url = digest.item_url(note)
    return _render("now", user, [note.kind], subject, note=note, url=url)


def render_digest(user, frequency, groups, kinds):
    """The digest message for ``user``: ``groups`` from :func:`digest.group`."""
    return _digest_message(user, frequency, groups, kinds)


def _digest_message(user, frequency, groups, kinds, unsubscribe_url=None):
    count = sum(group.total for group in groups)

    def subject():
        if frequency == Frequency.WEEKLY:
            return ngettext(
                "Your week on Ruamkid: %(num)d piece of news",
                "Your week on Ruamkid: %(num)d pieces of news",
                count,
            )
        return ngettext(
            "Your day on Ruamkid: %(num)d piece of news",
            "Your day on Ruamkid: %(num)d pieces of news",
            count,
        )

    return _render(
        "digest",
        user,
        kinds,
        subject,
        unsubscribe_url=unsubscribe_url,
        groups=groups,
        frequency=str(frequency),
        count=count,
        today=utcnow(),
    )


# --- Sending ------------------------------------------------------------------------------------


@functools.cache
def _record_statement(columns):
    """The UPDATE setting ``columns`` (bound by name), made once: a digest run records
    100,000 outcomes, and SQLAlchemy then reuses its compiled form."""
    return (
        sa.update(Delivery)
        .where(Delivery.id.in_(sa.bindparam("ids", expanding=True)))
        .where(Delivery.state == "pending")
        .values({column: sa.bindparam(column) for column in columns})
    )


def _record(deliveries, **values):
    """Write the outcome of one message on its deliveries and commit it at once, so a crash
    later in the batch never sends it twice. A plain UPDATE of the rows still pending (the
    person may have turned the kind off meanwhile, removing them), and the loaded objects are
    kept as they are (no reload of the whole batch after each commit)."""
    session = db.session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.execute(
            _record_statement(tuple(sorted(values))),
            {"ids": [delivery.id for delivery in deliveries], **values},
            execution_options={"synchronize_session": False},
        )
        session.commit()
    finally:
        session.expire_on_commit = keep


def _send(user, deliveries, rendered, sent=None):
    """Send one message for ``deliveries``; True when it is done for good (sent or failed).
    With a list ``sent``, a sent message's deliveries are added to it for the caller to record
    (:class:`_SentLater`) instead of being recorded at once."""
    subject, text, html, headers = rendered
    try:
        send_mail(user.email, subject, text, html=html, headers=headers)
    except PermanentMailError as error:
        logger.warning("E-mail to user %s refused for good: %s", user.id, error)
        _record(deliveries, state="failed", result=f"refused: {error}"[:1000])
        return True
    except TemporaryMailError as error:
        tries = current_app.config["JOBS_RETRIES"] + 1
        attempts = max(delivery.attempts for delivery in deliveries) + 1
        for delivery in deliveries:  # what the row says after the UPDATE below, not a change
            if isinstance(delivery, Delivery):
                sa.orm.attributes.set_committed_value(delivery, "attempts", attempts)
            else:
                delivery.attempts = attempts
        if attempts >= tries:
            result = f"gave up after {tries} tries: {error}"[:1000]
            _record(deliveries, state="failed", result=result, attempts=attempts)
            return True
        _record(deliveries, attempts=attempts, result=f"will try again: {error}"[:1000])
        return False
    if sent is not None:
        sent.extend(deliveries)
    else:
        _record(deliveries, state="sent", sent_dt=utcnow(), result="sent")
    return True


class _SentLater(list):
    """The deliveries of sent digests, recorded sent every :data:`RECORD_EVERY` messages and
    at the end of the batch, whatever happens: one UPDATE and commit per message was most of a
    digest's cost. A crash of the process between two records sends those few digests again
    on the next try (never more than ``RECORD_EVERY``); a refusal or a passing failure is
    still recorded at once."""

    def __init__(self):
        super().__init__()
        self.messages = 0

    def count(self):
        self.messages += 1
        if self.messages % RECORD_EVERY == 0:
            self.record()

    def record(self):
        if self:
            _record(self, state="sent", sent_dt=utcnow(), result="sent")
            self.clear()


def _pending(delivery_ids):
    return db.session.scalars(
        sa.select(Delivery)
        .where(
            Delivery.id.in_(list(delivery_ids)),
            Delivery.channel == Channel.EMAIL,
            Delivery.state == "pending",
        )
        .options(
            sa.orm.joinedload(Delivery.notification).options(
                sa.orm.joinedload(Notification.actor),
                sa.orm.joinedload(Notification.contribution),
                sa.orm.joinedload(Notification.process),
                sa.orm.joinedload(Notification.townhall),
                sa.orm.joinedload(Notification.summary),
            )
        )
        .order_by(Delivery.id)
    ).all()


def _users(user_ids):
    return {
        user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))
    }


def _send_now(delivery_ids):
    deliveries = _pending(delivery_ids)
    users = _users({delivery.user_id for delivery in deliveries})
    waiting = 0
    with mail_connection():
        for delivery in deliveries:
            user = users.get(delivery.user_id)
            if user is None:
                continue
            if not _send(user, [delivery], render_now(user, delivery.notification)):
                waiting += 1
    if waiting:
        raise DeliveryRetry(f"{waiting} e-mails met a passing failure; trying again later")


CHUNK = 10_000  # ids per IN (...) query
SHARED_MAX = 2_000  # different digests kept for a run (text and HTML, some kB each)
RECORD_EVERY = 100  # digests sent between two records of their deliveries (see _SentLater)

# What makes two notifications the same event (the LINE sender's key, line/sender.py), plus the
# moment, which the e-mail digest shows ("Latest: ..."). Not the id: 10,000 people told of one
# comment have 10,000 notifications of one event.
EVENT_COLUMNS = ("kind", "actor_id", "detail", "process_id", "contribution_id", "comment_id",
                 "summary_id", "townhall_id", "created_dt")  # fmt: skip


def _chunks(ids):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@dataclass
class _Waiting:
    """A pending delivery as the digest sender needs it (no ORM object per delivery)."""

    id: int
    attempts: int


@dataclass
class _StandIn:
    """Who a shared digest is rendered for: placeholders where each person's own words go."""

    id: int
    display_name: str
    preferred_language: str


class _SharedDigest:
    """One rendering of a digest for everyone whose digest reads the same (same language,
    frequency and events); :meth:`message` fills in what is each person's own: the greeting
    with their name and their own unsubscribe link (text, HTML and header)."""

    def __init__(self, language, frequency, notes):
        self.kinds = sorted({str(note.kind) for note in notes})
        self.name_token = "RuamkidName" + secrets.token_hex(8)
        self.link_token = "RuamkidLink" + secrets.token_hex(8)
        self.pattern = re.compile(f"{self.name_token}|{self.link_token}")
        self.link_template = None
        stand_in = _StandIn(id=0, display_name=self.name_token, preferred_language=language)
        with force_locale(language):
            groups = digest.group(notes)
        self.subject, self.text, self.html, _headers = _digest_message(
            stand_in, frequency, groups, self.kinds, unsubscribe_url=self.link_token
        )

    def message(self, user):
        """``(subject, text, html, headers)`` for ``user`` (in :func:`digest.links`)."""
        if self.link_template is None:  # the address once: url_for per message cost 0.1 ms
            self.link_template = _unsubscribe_url(0, self.kinds).replace(
                unsubscribe_token(0, self.kinds), "{token}"
            )
        unsubscribe = self.link_template.replace("{token}", unsubscribe_token(user.id, self.kinds))
        name = user.display_name
        plain = {self.name_token: name, self.link_token: unsubscribe}
        marked = {self.name_token: str(escape(name)), self.link_token: str(escape(unsubscribe))}
        text = self.pattern.sub(lambda match: plain[match.group()], self.text)
        html = self.pattern.sub(lambda match: marked[match.group()], self.html)
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        }
        return self.subject, text, html, headers


def _pending_rows(delivery_ids):
    """The pending e-mail deliveries among ``delivery_ids``, oldest first, as
    ``(id, user_id, notification_id, attempts, *event key)`` rows: notifications of the same
    event (one comment told to many people) share a key, so their digests can share one
    rendering."""
    rows = []
    for some in _chunks(delivery_ids):
        rows += db.session.execute(
            sa.select(Delivery.id, Delivery.user_id, Delivery.notification_id, Delivery.attempts,
                      *(getattr(Notification, column) for column in EVENT_COLUMNS))
            .join(Notification, Notification.id == Delivery.notification_id)
            .where(Delivery.id.in_(some), Delivery.channel == Channel.EMAIL,
                   Delivery.state == "pending")
        ).all()  # fmt: skip
    return sorted(rows, key=lambda row: row.id)


def _send_digest(people, frequency):
    rows = _pending_rows([i for ids in people.values() for i in ids])
    users = {}
    for some in _chunks({row.user_id for row in rows}):
        users.update(_users(some))
    by_person = {}
    for row in rows:
        by_person.setdefault(row.user_id, []).append(row)
    shared = _shared()
    # What each person's digest reads: (language, frequency, events). Only the notifications
    # of digests not yet rendered in this run are loaded (one of each event).
    reads, missing = {}, {}
    for user_id, own in by_person.items():
        user = users.get(user_id)
        if user is None:
            continue  # nothing pending is left for someone: no empty digest
        events = tuple(tuple(row[4:]) for row in own)
        key = reads[user_id] = (user.preferred_language or "th", str(frequency), events)
        if key not in shared:
            for row, event in zip(own, events, strict=True):
                missing.setdefault(event, row.notification_id)
    notes = {}  # event key -> one notification of that event
    by_id = {notification_id: event for event, notification_id in missing.items()}
    for some in _chunks(sorted(by_id)):
        for note in digest.load(notification_ids=some):
            notes[by_id[note.id]] = note
    # One context for the batch (building links is per message otherwise), one SMTP
    # connection for all its messages.
    sent = _SentLater()
    with digest.links(), mail_connection():
        try:
            waiting = _send_all(by_person, users, reads, notes, frequency, shared, sent)
        finally:
            sent.record()
    if waiting:
        raise DeliveryRetry(f"{waiting} digests met a passing failure; trying again later")


def _shared():
    """``{(language, frequency, events): _SharedDigest}`` for this job run (its app context):
    a run hands 1,000 people at a time, and the same digests come back in every batch."""
    shared = g.setdefault("ruamkid_email_digests", {})
    if len(shared) > SHARED_MAX:
        shared.clear()
    return shared


def _send_all(by_person, users, reads, notes, frequency, shared, sent):
    waiting = 0
    for user_id, key in reads.items():
        user = users[user_id]
        content = shared.get(key)
        if content is None:
            language, _frequency, events = key
            content = shared[key] = _SharedDigest(
                language, frequency, [notes[event] for event in events]
            )
        deliveries = [_Waiting(row.id, row.attempts) for row in by_person[user_id]]
        if not _send(user, deliveries, content.message(user), sent=sent):
            waiting += 1
        sent.count()
    return waiting


def _reachable():
    return sa.select(User.id).where(User.is_guest.is_(False))  # a guest has no real address


def describe_kinds(kinds):
    """The kinds' titles, for the unsubscribe page (in the current locale)."""
    return [str(NotificationKind(kind).title) for kind in kinds]


register(
    Sender(
        channel=Channel.EMAIL, reachable=_reachable, send_now=_send_now, send_digest=_send_digest
    )
)
