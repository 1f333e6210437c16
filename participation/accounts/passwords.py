"""Password hashing (Argon2id) and the rules a new password must meet."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.core.rules import RuleError

MIN_LENGTH = 10
MAX_LENGTH = 128


@cache
def _hasher_with(time_cost, memory_cost):
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    # Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong
    # password and the response time does not reveal which addresses are registered.
    return hasher, hasher.hash("not-a-real-password-only-for-timing")


def _hasher():
    """Return Argon2id with the configured cost (lower only in the test suite)."""
    config = current_app.config
    return _hasher_with(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"])


# The most common passwords in published breach lists, and local favourites.
COMMON_PASSWORDS = frozenset(
    """
    123456789 1234567890 12345678910 0123456789 1122334455 1qaz2wsx3edc qwertyuiop
    qwerty123456 password123 password1234 passw0rd123 iloveyou123 abc1234567 asdfghjkl1
    aaaaaaaaaa 1111111111 0000000000 9876543210 zxcvbnm123 welcome123 letmein123 admin12345
    administrator changeme123 football123 sunshine123 princess123 starwars123 dragon1234
    thailand123 bangkok123 chiangmai123 khonkaen123 ruamkid123 ruamkid1234 password12
    """.split()
)


def hash_password(password):
    return _hasher()[0].hash(password)


def verify_password(password_hash, password):
    """Return True when ``password`` matches; pass ``None`` to spend the same time and fail."""
    hasher, dummy_hash = _hasher()
    try:
        return hasher.verify(password_hash or dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher()[0].check_needs_rehash(password_hash)


def check_password_strength(password, email="", display_name=""):
    """Raise :class:`RuleError` when ``password`` is too weak to protect an account."""
    if len(password) < MIN_LENGTH:
        raise RuleError(
            _l("Use at least %(count)s characters for your password.", count=MIN_LENGTH),
            "password",
        )
    if len(password) > MAX_LENGTH:
        raise RuleError(
            _l("Use at most %(count)s characters for your password.", count=MAX_LENGTH),
            "password",
        )
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if (
        lowered in COMMON_PASSWORDS
        or len(set(password)) < 4
        or (len(local_part) >= 4 and local_part in lowered)
        or (len(display_name) >= 4 and display_name.lower() in lowered)
    ):
        raise RuleError(
            _l(
                "This password is too easy to guess. Try a few words that only you would put "
                "together."
            ),
            "password",
        )
