"""The e-mail channel: everyone with an account has an address, so e-mail reaches everyone.

Each message has a plain-text and an HTML part in the recipient's language, and a one-click
unsubscribe link (RFC 8058: ``List-Unsubscribe`` with a signed address, and
``List-Unsubscribe-Post``) that turns off e-mail for the kinds of news in that message,
without signing in (notifications/views.py, ``unsubscribe``).

A message the SMTP server refuses for good (5xx) marks its deliveries failed with the reason;
a passing failure (4xx, no connection, timeout) leaves them pending, counts the try, and
raises :class:`DeliveryRetry` so the job is tried again with growing waits; after
``JOBS_RETRIES`` tries they are marked failed. The notification on the site is never touched.
"""

import logging

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale, ngettext
from itsdangerous import BadSignature, URLSafeSerializer

from participation.accounts.models import User
from participation.core.mail import PermanentMailError, TemporaryMailError, send_mail
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


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id, kinds):
    """A signed token naming a person and the kinds of e-mail a link turns off.

    No expiry: a link in an e-mail from last year must still work (RFC 8058 asks that the
    address keep working). Signed with SECRET_KEY and its own salt, so no other token of the
    site is accepted here, and nobody can make one for someone else.
    """
    return _serializer().dumps([int(user_id), sorted({str(NotificationKind(k)) for k in kinds})])


def read_unsubscribe_token(token):
    """``(user_id, [kinds])`` from a token, or None when it is not one we signed."""
    try:
        user_id, kinds = _serializer().loads(token)
        return int(user_id), [NotificationKind(kind) for kind in kinds]
    except (BadSignature, ValueError, TypeError):
        return None


# --- Rendering ----------------------------------------------------------------------------------


def _render(name, user, kinds, subject, **context):
    """``(subject, text, html, headers)`` of message ``name`` for ``user``, in their language."""
    with force_locale(user.preferred_language or "th"), digest.links():
        token = unsubscribe_token(user.id, kinds)
        unsubscribe = digest.absolute_url(url_for("notifications.unsubscribe", token=token))
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
        groups=groups,
        frequency=str(frequency),
        count=count,
        today=utcnow(),
    )


# --- Sending ------------------------------------------------------------------------------------


def _record(deliveries, **values):
    """Write the outcome of one message on its deliveries and commit it at once, so a crash
    later in the batch never sends it twice. A plain UPDATE of the rows still pending (the
    person may have turned the kind off meanwhile, removing them), and the loaded objects are
    kept as they are (no reload of the whole batch after each commit)."""
    session = db.session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        db.session.execute(
            sa.update(Delivery)
            .where(Delivery.id.in_([delivery.id for delivery in deliveries]))
            .where(Delivery.state == "pending")
            .values(**values),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
    finally:
        session.expire_on_commit = keep


def _send(user, deliveries, rendered):
    """Send one message for ``deliveries``; True when it is done for good (sent or failed)."""
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
            sa.orm.attributes.set_committed_value(delivery, "attempts", attempts)
        if attempts >= tries:
            result = f"gave up after {tries} tries: {error}"[:1000]
            _record(deliveries, state="failed", result=result, attempts=attempts)
            return True
        _record(deliveries, attempts=attempts, result=f"will try again: {error}"[:1000])
        return False
    _record(deliveries, state="sent", sent_dt=utcnow(), result="sent")
    return True


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
    for delivery in deliveries:
        user = users.get(delivery.user_id)
        if user is None:
            continue
        if not _send(user, [delivery], render_now(user, delivery.notification)):
            waiting += 1
    if waiting:
        raise DeliveryRetry(f"{waiting} e-mails met a passing failure; trying again later")


def _send_digest(people, frequency):
    users = _users(list(people))
    by_person = {}
    for delivery in _pending([i for ids in people.values() for i in ids]):
        by_person.setdefault(delivery.user_id, []).append(delivery)
    waiting = 0
    with digest.links():  # one context for the batch: building links is per message otherwise
        for user_id, deliveries in by_person.items():
            user = users.get(user_id)
            if user is None:
                continue  # nothing pending is left for someone: no empty digest
            notes = [delivery.notification for delivery in deliveries]
            with force_locale(user.preferred_language or "th"):
                groups = digest.group(notes)
            kinds = {note.kind for note in notes}
            if not _send(user, deliveries, render_digest(user, frequency, groups, kinds)):
                waiting += 1
    if waiting:
        raise DeliveryRetry(f"{waiting} digests met a passing failure; trying again later")


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
