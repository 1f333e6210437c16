"""Wrong passwords for one account make the next attempt wait, from whatever address they come.

The client-address limit (``RATELIMIT_LOGIN``) cannot stop guesses spread over many addresses.
This counts wrong passwords per account, keyed by the normalised e-mail whether or not an
account uses it (so the answers say nothing about which addresses have accounts). After
``SIGN_IN_FREE_ATTEMPTS`` wrong passwords every further attempt must wait, first
``SIGN_IN_FIRST_WAIT_SECONDS``, doubling with each wrong password up to
``SIGN_IN_MAX_WAIT_SECONDS``: a guesser gets a few hundred tries a day, and a resident whose
account is being guessed waits a few minutes at most after the guessing stops (or chooses a
new password, which clears the count). The sign-in page and ``POST /api/v1/tokens`` share it.

The counts live where the rate limits live (Redis, or the process's memory while Redis is
away: ``extensions.rate_limits_on_fallback``).
"""

import hashlib
import hmac
import logging
import time

from flask import current_app
from flask_babel import ngettext

from participation.accounts.operations import normalise_email
from participation.core.rules import RuleError
from participation.extensions import limiter

logger = logging.getLogger(__name__)

# How long a run of wrong passwords is remembered, counted from the first one.
FAILURES_REMEMBERED_SECONDS = 3600


def _enabled():
    return current_app.config["RATELIMIT_ENABLED"] and limiter.initialized


def _keys(email):
    """The storage keys of an account's count and of its current wait."""
    try:
        email = normalise_email(email)
    except RuleError:
        email = (email or "").strip().lower()
    # Keyed, so that the stored keys do not list the addresses people tried.
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(), email.encode(), hashlib.sha256
    ).hexdigest()[:32]
    prefix = f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}/sign-in-account/{digest}"
    return f"{prefix}/failures", f"{prefix}/wait"


def _storage():
    # The limiter's current storage: Redis, or its in-memory fallback while Redis is away.
    return limiter.limiter.storage


def seconds_to_wait(email):
    """Seconds before a password for ``email`` may be tried again; 0 when it may be now."""
    if not _enabled():
        return 0
    _failures, wait = _keys(email)
    try:
        storage = _storage()
        if storage.get(wait) <= 0:
            return 0
        return max(1, round(storage.get_expiry(wait) - time.time()))
    except Exception:  # noqa: BLE001 - the store failed between two checks: the address limit stays
        logger.warning("Sign-in counts unavailable; this attempt is not counted per account")
        return 0


def record_wrong_password(email):
    """Count a wrong password for ``email``; past the free attempts, start a wait."""
    if not _enabled():
        return
    config = current_app.config
    failures, wait = _keys(email)
    free = config["SIGN_IN_FREE_ATTEMPTS"]
    try:
        storage = _storage()
        remembered = max(FAILURES_REMEMBERED_SECONDS, 4 * config["SIGN_IN_MAX_WAIT_SECONDS"])
        count = storage.incr(failures, remembered)
        if count >= free:
            doublings = min(count - free, 20)
            seconds = min(
                config["SIGN_IN_FIRST_WAIT_SECONDS"] * 2**doublings,
                config["SIGN_IN_MAX_WAIT_SECONDS"],
            )
            storage.clear(wait)
            storage.incr(wait, seconds)
    except Exception:  # noqa: BLE001 - as in seconds_to_wait
        logger.warning("Sign-in counts unavailable; a wrong password is not counted per account")


def wait_message(seconds):
    """What the person reads while the account waits (the same for every address)."""
    if seconds < 60:
        return ngettext(
            "There have been too many wrong passwords for this account. For its safety, please "
            "wait %(num)s second and try again, or choose a new password with “Forgot your "
            "password?”.",
            "There have been too many wrong passwords for this account. For its safety, please "
            "wait %(num)s seconds and try again, or choose a new password with “Forgot your "
            "password?”.",
            seconds,
        )
    return ngettext(
        "There have been too many wrong passwords for this account. For its safety, please "
        "wait %(num)s minute and try again, or choose a new password with “Forgot your "
        "password?”.",
        "There have been too many wrong passwords for this account. For its safety, please "
        "wait %(num)s minutes and try again, or choose a new password with “Forgot your "
        "password?”.",
        -(-seconds // 60),
    )


def forget(email):
    """Clear the count of ``email``: its owner signed in, or chose a new password."""
    if not _enabled():
        return
    try:
        storage = _storage()
        for key in _keys(email):
            storage.clear(key)
    except Exception:  # noqa: BLE001 - as in seconds_to_wait
        logger.warning("Sign-in counts unavailable; an account's count is not cleared")
