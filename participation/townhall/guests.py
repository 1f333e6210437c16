"""Joining a town hall in a tap: short join codes, and guests who take part by name only.

A join code is six characters from an alphabet without look-alikes, unique among the town
halls that have not ended, read case-insensitively, and cleared when the town hall ends.

A guest's identity is a signed cookie (itsdangerous, apart from the Flask session) naming the
guest and the town hall; it counts in that town hall only, and only while the town hall allows
guests. Behind every guest is a ``User`` marked ``is_guest`` so that limits, moderation, mutes
and hiding treat guests exactly like residents; the guest never signs in anywhere else.
"""

import secrets

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from participation.accounts.operations import after_registration
from participation.core.models import utcnow
from participation.core.rules import RuleError
from participation.core.sanitize import plain_text
from participation.extensions import db
from participation.townhall.models import (
    GUEST_NAME_MAX,
    JOIN_CODE_LENGTH,
    Guest,
    Message,
    Mute,
    PollResponse,
    Question,
    QuestionUpvote,
    State,
    TownHall,
    free_join_code,
)

COOKIE_PREFIX = "ruamkid_guest_"
_SALT = "townhall-guest"


class GuestError(RuleError):
    pass


# --- join codes -------------------------------------------------------------------------------


def normalize_code(code):
    """The code as stored: upper case, spaces and dashes people type left out."""
    if not isinstance(code, str):
        return ""
    return "".join(code.split()).replace("-", "").upper()[: JOIN_CODE_LENGTH * 2]


def new_join_code():
    """A code no town hall that has not ended uses (ended ones have none)."""
    return free_join_code(
        lambda code: (
            db.session.scalar(sa.select(TownHall.id).where(TownHall.join_code == code)) is not None
        )
    )


def give_join_code(townhall):
    """Give a town hall that has not ended a code, if it has none yet."""
    if townhall.join_code is None and townhall.state != State.ENDED:
        townhall.join_code = new_join_code()
    return townhall.join_code


def townhall_for_code(code):
    """The published town hall with this code (any case), or None once it has ended."""
    code = normalize_code(code)
    if len(code) != JOIN_CODE_LENGTH:
        return None
    townhall = db.session.scalar(sa.select(TownHall).where(TownHall.join_code == code))
    if townhall is None or not townhall.is_published or townhall.state == State.ENDED:
        return None
    return townhall


def pretty_code(code):
    """The code as shown: two groups of three, easier to read out and to type."""
    return f"{code[:3]} {code[3:]}" if code else ""


# --- guests -----------------------------------------------------------------------------------


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def cookie_name(townhall):
    return f"{COOKIE_PREFIX}{townhall.id}"


def cookie_value(guest):
    return _serializer().dumps({"g": guest.id, "t": guest.townhall_id})


def guest_in(townhall, cookies=None):
    """The guest this request's cookie names in ``townhall``, or None.

    A cookie signed for another town hall, copied to this town hall's name, or naming a guest
    of another town hall counts for nothing; so does any guest while guests are not allowed."""
    if townhall is None or not townhall.allow_guests:
        return None
    cookies = request.cookies if cookies is None else cookies
    value = cookies.get(cookie_name(townhall))
    if not value:
        return None
    try:
        data = _serializer().loads(value)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != townhall.id:
        return None
    if not isinstance(data.get("g"), int):
        return None
    guest = db.session.get(Guest, data["g"])
    if guest is None or guest.townhall_id != townhall.id:
        return None
    return guest


def clean_guest_name(name):
    name = plain_text(name or "").strip()
    if not name:
        raise GuestError(_l("Please give a name to show with your questions."), field="name")
    if len(name) > GUEST_NAME_MAX:
        raise GuestError(
            _l("Please use at most %(max)s characters.", max=GUEST_NAME_MAX), field="name"
        )
    return name


def join_as_guest(townhall, name):
    """Make a guest of ``townhall`` named ``name`` (rules checked first); flushes, no commit."""
    from participation.accounts.models import User

    if not townhall.allow_guests:
        raise GuestError(_l("This town hall does not take guests. Please sign in to take part."))
    if townhall.state == State.ENDED:
        raise GuestError(_l("This town hall has ended."))
    name = clean_guest_name(name)
    user = User(
        # Nobody can sign in as a guest: an address on a reserved domain (RFC 2606) nobody
        # receives mail for, and a password hash no password matches.
        email=f"guest-{secrets.token_hex(12)}@guest.invalid",
        display_name=name,
        password_hash="!guest",  # noqa: S106 - not a password: no Argon2 hash matches it
        preferred_language="th",
        privacy_consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        privacy_consent_dt=utcnow(),
        is_guest=True,
    )
    db.session.add(user)
    db.session.flush()
    guest = Guest(townhall_id=townhall.id, user_id=user.id, display_name=name)
    db.session.add(guest)
    db.session.flush()
    return guest


def claim_guest_posts(account, cookies=None):
    """Give a new account what its holder wrote as a guest (every guest cookie it carries):
    questions, messages, upvotes and poll answers. The guests are then removed."""
    cookies = request.cookies if cookies is None else cookies
    claimed = 0
    for name, value in cookies.items():
        if not name.startswith(COOKIE_PREFIX):
            continue
        try:
            data = _serializer().loads(value)
            guest = db.session.get(Guest, int(data["g"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            continue
        if guest is None or guest.townhall_id != data.get("t"):
            continue
        old = guest.user_id
        for model, column in (
            (Question, Question.author_id),
            (Message, Message.author_id),
            (QuestionUpvote, QuestionUpvote.user_id),
            (PollResponse, PollResponse.user_id),
        ):
            db.session.execute(
                sa.update(model).where(column == old).values({column.key: account.id})
            )
        # A guest muted in this town hall stays muted as the new account.
        db.session.execute(sa.update(Mute).where(Mute.user_id == old).values(user_id=account.id))
        user = guest.user
        db.session.delete(guest)
        db.session.flush()
        db.session.delete(user)
        claimed += 1
    db.session.flush()
    return claimed


def _claim_on_registration(account):
    if has_request_context():
        claim_guest_posts(account)


after_registration.append(_claim_on_registration)
