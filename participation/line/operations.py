"""Linking LINE accounts, LINE's webhook events, and the monthly message quota.

Linking: a signed-in resident starts LINE Login (:func:`start_login`); the callback
(:func:`finish_login`) checks the ``state`` and ``nonce`` kept in their session and the ID token,
and :func:`link` stores the LINE user id for *that* resident. An account is never found or linked
by e-mail address: LINE Login signs in only an account its owner linked before.
"""

import json
import logging
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, session
from flask_babel import lazy_gettext as _l

from participation.audit.operations import record_action
from participation.core.i18n import to_bangkok
from participation.core.models import utcnow
from participation.core.rules import RuleError
from participation.extensions import db
from participation.line import (
    action_log,  # noqa: F401  (registers the action log's words)
    client,
)
from participation.line.models import LineAccount, LineUsage, LineWebhookEvent
from participation.notifications.operations import insert_if_absent
from participation.notifications.settings import line_configured

logger = logging.getLogger(__name__)

SESSION_KEY = "line_login"
#: Minutes a LINE Login attempt may take, from leaving for LINE to coming back.
ATTEMPT_MINUTES = 10
#: Seconds a webhook event may be old (LINE sends at once; an older body is a replay).
WEBHOOK_MAX_AGE_SECONDS = 300
#: Share of the monthly quota from which "at once" messages wait for the digest.
QUOTA_NEAR = 0.9


class LoginRefusedError(Exception):
    """The LINE Login answer is not this person's attempt or could not be verified."""

    def __init__(self, message, reason):
        super().__init__(reason)
        self.message = message
        self.reason = reason


class WebhookRefusedError(Exception):
    """A webhook request that is not LINE's, not fresh or not readable: answered 400."""


# --- LINE Login ---------------------------------------------------------------------------------


def start_login(purpose, redirect_uri, user=None, next_url=None):
    """Remember a new attempt (``link`` for ``user``, or ``login``) in the session; return
    LINE's authorisation address."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session[SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "purpose": purpose,
        "user_id": getattr(user, "id", None),
        "next": next_url or "",
        "started": int(time.time()),
    }
    return client.authorize_url(redirect_uri, state, nonce)


MISMATCH = _l(
    "This answer from LINE does not belong to a LINE sign-in started here, or it came too "
    "late. Nothing was changed. Please start again."
)
UNVERIFIED = _l(
    "We could not verify the answer from LINE. Nothing was changed. Please start again."
)
CANCELLED = _l("You did not allow Ruamkid to use your LINE account. Nothing was changed.")
UNREACHABLE = _l("LINE did not answer. Nothing was changed. Please try again in a moment.")


def finish_login(args, redirect_uri):
    """Check LINE's answer (``code``, ``state``) against this session's attempt; return the
    attempt and the verified ID token's claims. The attempt is used up either way."""
    attempt = session.pop(SESSION_KEY, None)
    state = args.get("state") or ""
    if (
        not isinstance(attempt, dict)
        or not secrets.compare_digest(state.encode(), str(attempt.get("state", "")).encode())
        or time.time() - attempt.get("started", 0) > ATTEMPT_MINUTES * 60
    ):
        raise LoginRefusedError(MISMATCH, "state")
    if args.get("error"):
        raise LoginRefusedError(CANCELLED, "cancelled")
    code = args.get("code") or ""
    if not code:
        raise LoginRefusedError(UNVERIFIED, "code")
    try:
        token = client.exchange_code(code, redirect_uri)
        claims = client.verify_id_token(token, attempt["nonce"])
    except client.LoginError as error:
        logger.warning("LINE Login refused: %s", error)
        message = {"exchange": UNREACHABLE, "nonce": MISMATCH}.get(error.reason, UNVERIFIED)
        raise LoginRefusedError(message, error.reason) from None
    return attempt, claims


def account_of(user):
    return db.session.scalar(sa.select(LineAccount).where(LineAccount.user_id == user.id))


def account_for_line_user(line_user_id):
    return db.session.scalar(sa.select(LineAccount).where(LineAccount.line_user_id == line_user_id))


def link(user, line_user_id, display_name=None, is_following=False):
    """Link ``user``'s account to this LINE user (replacing an earlier link of theirs);
    ``is_following``: they have the Official Account as a friend (:func:`client.is_friend`)."""
    other = account_for_line_user(line_user_id)
    if other is not None and other.user_id != user.id:
        raise RuleError(_l("This LINE account is already linked to another Ruamkid account. "
                           "Unlink it there first."))  # fmt: skip
    account = account_of(user) or LineAccount(user_id=user.id)
    account.line_user_id = line_user_id
    account.display_name = (display_name or "")[:100] or None
    account.linked_dt = utcnow()
    account.is_following = bool(is_following)
    account.following_changed_dt = utcnow()
    db.session.add(account)
    db.session.flush()
    record_action(user, "line.link", user)
    return account


def unlink(user):
    """Forget ``user``'s LINE account; nothing more is sent there. True when there was one."""
    account = account_of(user)
    if account is None:
        return False
    db.session.delete(account)
    record_action(user, "line.unlink", user)
    db.session.flush()
    return True


# --- The webhook --------------------------------------------------------------------------------


def _events(body):
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRefusedError("not JSON") from None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise WebhookRefusedError("no events")
    now_ms = time.time() * 1000
    for event in events:
        if not isinstance(event, dict):
            raise WebhookRefusedError("an event is not an object")
        event_id, stamp = event.get("webhookEventId"), event.get("timestamp")
        if not isinstance(event_id, str) or not 0 < len(event_id) <= 64:
            raise WebhookRefusedError("an event without webhookEventId")
        if not isinstance(stamp, int) or isinstance(stamp, bool):
            raise WebhookRefusedError("an event without timestamp")
        if now_ms - stamp > WEBHOOK_MAX_AGE_SECONDS * 1000 or stamp - now_ms > 60_000:
            raise WebhookRefusedError("an event that is not fresh (a replay?)")
    return events


def handle_webhook(body, signature):
    """Check and handle one webhook request (the raw ``body`` and ``X-Line-Signature``).

    Everything is checked before anything is stored; raises :class:`WebhookRefusedError`. Returns
    how many events were new."""
    if not client.signature_is_valid(body, signature):
        raise WebhookRefusedError("bad signature")
    handled = 0
    for event in _events(body):
        if not insert_if_absent(
            LineWebhookEvent, event_id=event["webhookEventId"], received_dt=utcnow()
        ):
            continue  # delivered before
        handled += 1
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        line_user_id = source.get("userId")
        if event.get("type") in ("follow", "unfollow") and isinstance(line_user_id, str):
            set_following(line_user_id, event["type"] == "follow")
    return handled


def set_following(line_user_id, following):
    """A linked resident added (``follow``) or blocked (``unfollow``) the Official Account.
    Someone not linked is not stored."""
    account = account_for_line_user(line_user_id)
    if account is not None and account.is_following != following:
        account.is_following = following
        account.following_changed_dt = utcnow()


def forget_old_webhook_events():
    db.session.execute(
        sa.delete(LineWebhookEvent).where(
            LineWebhookEvent.received_dt < utcnow() - timedelta(days=1)
        )
    )


# --- The quota ----------------------------------------------------------------------------------


def this_month():
    return to_bangkok(utcnow()).strftime("%Y-%m")


def used_this_month():
    return db.session.scalar(
        sa.select(LineUsage.sent_count).where(LineUsage.month == this_month())
    ) or 0  # fmt: skip


def quota():
    return current_app.config["LINE_MONTHLY_QUOTA"]


def near_quota(more=0):
    """True when ``more`` messages would bring this month to 90% of the quota or beyond."""
    return used_this_month() + more >= QUOTA_NEAR * quota()


def record_sent(count):
    """Count ``count`` messages (recipients) sent this month; warn once when near the quota."""
    month = this_month()
    insert_if_absent(LineUsage, month=month, sent_count=0)
    db.session.execute(
        sa.update(LineUsage)
        .where(LineUsage.month == month)
        .values(sent_count=LineUsage.sent_count + count),
        execution_options={"synchronize_session": False},
    )
    warn_if_near()


def warn_if_near(more=0):
    """Log a warning for the administrators, once a month, when the quota is near (or will be
    with ``more`` messages)."""
    if not near_quota(more):
        return
    month = this_month()
    insert_if_absent(LineUsage, month=month, sent_count=0)
    warned = db.session.execute(
        sa.update(LineUsage)
        .where(LineUsage.month == month, LineUsage.warned_dt.is_(None))
        .values(warned_dt=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if warned.rowcount:
        logger.warning(
            "LINE: %s of the %s messages of %s are used; messages due at once now wait for "
            "the daily digest. Raise LINE_MONTHLY_QUOTA after changing the plan "
            "(docs/notifications.md, LINE).", used_this_month(), quota(), month,
        )  # fmt: skip


def quota_notice():
    """``{"used", "quota", "month"}`` when this month is near the quota, or messages already
    waited for the digest because of it (for the admin pages); else None."""
    if not line_configured():
        return None
    warned = db.session.scalar(
        sa.select(LineUsage.warned_dt).where(LineUsage.month == this_month())
    )
    if warned is None and not near_quota():
        return None
    return {"used": used_this_month(), "quota": quota(), "month": this_month()}
