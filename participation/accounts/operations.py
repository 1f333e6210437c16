"""What can happen to an account: register, sign in, sessions, passwords, roles."""

import hashlib
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.accounts import action_log  # noqa: F401  (registers the action log's words)
from participation.accounts.models import (
    DISPLAY_NAME_MAX,
    AccessToken,
    PasswordResetToken,
    User,
    UserRole,
    UserSession,
)
from participation.accounts.passwords import (
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from participation.audit.operations import record_action
from participation.config import SUPPORTED_LOCALES
from participation.core.mail import send_mail
from participation.core.models import utcnow
from participation.core.permissions import GRANTABLE_ROLES, Role
from participation.core.rules import Checks, RuleError
from participation.core.sanitize import plain_text
from participation.core.transactions import HOLDS_WRITER_LOCK, reading, writing
from participation.extensions import db
from participation.jobs import job

logger = logging.getLogger(__name__)

# How often a session's last-seen time is written, at most: once in five minutes, not per request.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email, check_deliverability=False):
    """Return the address in the form we store (lower case), or raise :class:`RuleError`."""
    try:
        result = validate_email(
            (email or "").strip(), check_deliverability=check_deliverability, test_environment=True
        )
    except EmailNotValidError:
        raise RuleError(_l("Please enter a valid e-mail address."), "email") from None
    return result.normalized.lower()


def find_user_by_email(email):
    try:
        email = normalise_email(email)
    except RuleError:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def _clean_display_name(name):
    name = plain_text(name)
    if not name:
        raise RuleError(_l("Please enter the name others will see."), "display_name")
    if len(name) > DISPLAY_NAME_MAX:
        raise RuleError(
            _l("Use at most %(count)s characters for your name.", count=DISPLAY_NAME_MAX),
            "display_name",
        )
    return name


def _check_language(language):
    if language not in SUPPORTED_LOCALES:
        raise RuleError(_l("Please choose Thai or English."), "preferred_language")
    return language


def registration_problems(email, display_name, password, preferred_language, consent):
    """Check a registration without writing; return ``(checks, cleaned values)``."""
    checks = Checks()
    email = checks.run(normalise_email, email)
    display_name = checks.run(_clean_display_name, display_name)
    checks.run(_check_language, preferred_language)
    checks.run(check_password_strength, password or "", email or "", display_name or "")
    if not consent:
        checks.add(_l("Please read and accept the privacy notice to create an account."), "consent")
    if email and db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        checks.add(
            _l("An account with this e-mail already exists. Sign in, or reset your password."),
            "email",
        )
    return checks, email, display_name


# Called with each new account, in the registering request (features register here: a town
# hall guest's posts become the new account's, participation/townhall/guests.py).
after_registration = []


def register_user(email, display_name, password, preferred_language, consent):
    """Create a resident's account; every rule is checked (all problems reported together)
    before anything is written."""
    checks, email, display_name = registration_problems(
        email, display_name, password, preferred_language, consent
    )
    checks.done()
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        preferred_language=preferred_language,
        privacy_consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        privacy_consent_dt=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    for hook in after_registration:
        hook(user)
    return user


def authenticate(email, password):
    """Return the user for these credentials, or None, taking the same time either way.

    The password check (Argon2: slow by design) runs outside any transaction: a sign-in is a
    writing request, and on SQLite it would otherwise hold the write lock while it hashes, so
    a crowd signing in at once (a town hall starting) waits out the busy timeout.
    """
    with reading():
        user = find_user_by_email(email)
        password_hash = user.password_hash if user and not user.is_guest else None
        db.session.rollback()  # only read so far: ends the read before the slow part
    if not verify_password(password_hash, password or ""):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# --- sessions ---------------------------------------------------------------------------


def start_session(user, remember=False, user_agent=""):
    """Open a new server-side session for ``user`` and return its token for the cookie."""
    config = current_app.config
    now = utcnow()
    lifetime = (
        timedelta(days=config["REMEMBER_DAYS"])
        if remember
        else timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_dt=now,
            last_seen_dt=now,
            expires_dt=now + lifetime,
            is_remembered=remember,
            user_agent=(user_agent or "")[:200],
        )
    )
    user.last_login_dt = now
    user.session_token = token
    db.session.flush()
    return token


def load_session_user(token):
    """Return the user of a live session token, or None when it is unknown, ended or expired."""
    if not token:
        return None
    # One query per request: the session, its user and their roles (a handful of rows).
    row = (
        db.session.execute(
            sa.select(UserSession)
            .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_dt.is_(None))
            .options(sa.orm.joinedload(UserSession.user).joinedload(User.role_rows))
        )
        .unique()
        .scalar_one_or_none()
    )
    if row is None:
        return None
    now = utcnow()
    config = current_app.config
    idle = (
        timedelta(days=config["REMEMBER_DAYS"])
        if row.is_remembered
        else timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    )
    if now >= row.expires_dt or now - row.last_seen_dt > idle:
        return None
    # A read writes at most once per LAST_SEEN_RESOLUTION per session (a tenth of the idle
    # limit when that is shorter), so the idle limit is kept to within that.
    if now - row.last_seen_dt > min(LAST_SEEN_RESOLUTION, idle / 10):
        _touch_session(row.id, now)
    user = row.user
    user.session_token = token
    return user


def _touch_session(session_id, now):
    """Record activity: best effort, on a connection of its own, so a reading request never
    has to write. A writing request on SQLite already holds the write lock (BEGIN IMMEDIATE):
    another connection would wait the whole busy timeout for it, holding up every other
    writer, so it is recorded in the request's transaction (lost if that one rolls back; the
    next request tries again)."""
    statement = sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_dt=now)
    own = db.session.connection()
    if own.info.get(HOLDS_WRITER_LOCK):
        own.execute(statement)
        return
    try:
        with writing(), db.engine.begin() as connection:
            connection.execute(statement)
    except sa.exc.OperationalError:
        # A busy database must not sign anyone out; the next request tries again.
        logger.warning("Could not record session activity (database busy)")


def end_session(token):
    """End one session (sign out)."""
    if token:
        db.session.execute(
            sa.update(UserSession)
            .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_dt.is_(None))
            .values(revoked_dt=utcnow())
        )


def end_all_sessions(user, keep_token=None):
    """End every session of ``user`` except, optionally, the one holding ``keep_token``."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_dt.is_(None)
    )
    if keep_token:
        query = query.where(UserSession.token_hash != _token_hash(keep_token))
    db.session.execute(query.values(revoked_dt=utcnow()))


# --- passwords ----------------------------------------------------------------------------


def change_password(user, current_password, new_password):
    """Change the password and sign out every other session of the user."""
    if not verify_password(user.password_hash, current_password or ""):
        raise RuleError(_l("Your current password is not correct."), "current_password")
    check_password_strength(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user, keep_token=user.session_token)


def new_reset_token():
    """A fresh secret for a reset link (only its hash is stored)."""
    return secrets.token_urlsafe(32)


@job("accounts.send_password_reset")
def send_password_reset(email, token, url):
    """A job: store ``token`` for the account at ``email`` and e-mail it ``url``; nothing for an
    address without an account.

    Run by the job worker (participation/jobs), so the answer takes the same path and time
    whether or not the address has an account; the mail goes out after the commit, outside any
    transaction. A mail server that is down makes the job fail and be tried again.
    """
    with writing():
        user = find_user_by_email(email)
        if user is None:
            db.session.rollback()
            logger.info("Password reset asked for an unknown address")
            return False
        now = utcnow()
        minutes = current_app.config["PASSWORD_RESET_MINUTES"]
        db.session.add(
            PasswordResetToken(
                user_id=user.id,
                token_hash=_token_hash(token),
                created_dt=now,
                expires_dt=now + timedelta(minutes=minutes),
            )
        )
        address, name, language = user.email, user.display_name, user.preferred_language
        db.session.commit()
    with force_locale(language):
        send_mail(
            address,
            _("Reset your Ruamkid password"),
            # Without the pages' context (no request, no reader here): the mail's own values.
            current_app.jinja_env.get_template("accounts/email/reset_password.txt").render(
                name=name, url=url, minutes=minutes
            ),
        )
    return True


def find_reset_token(token):
    """Return the usable reset token row for ``token``, or None if unknown, used or expired."""
    if not token:
        return None
    row = db.session.scalar(
        sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if row is None or row.used_dt is not None or utcnow() >= row.expires_dt:
        return None
    return row


def reset_password(token, new_password):
    """Set a new password from an e-mailed link; the link then stops working."""
    row = find_reset_token(token)
    if row is None:
        raise RuleError(
            _l("This link has expired or was already used. Please ask for a new one."), "token"
        )
    user = row.user
    check_password_strength(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    now = utcnow()
    # Every outstanding link of the user dies with this one.
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_dt.is_(None))
        .values(used_dt=now)
    )
    end_all_sessions(user)
    return user


# --- profile -----------------------------------------------------------------------------


def update_profile(user, display_name, preferred_language, show_supports=None):
    user.display_name = _clean_display_name(display_name)
    user.preferred_language = _check_language(preferred_language)
    if show_supports is not None and bool(show_supports) != user.show_supports:
        user.show_supports = bool(show_supports)
        _touch_supported(user)


def _touch_supported(user):
    """Pages shared by anonymous readers show supporters' names: move their watermark."""
    from participation.proposals.models import Contribution
    from participation.votes.models import Support

    supported = sa.select(Support.proposal_id).where(Support.user_id == user.id)
    db.session.execute(
        sa.update(Contribution).where(Contribution.id.in_(supported)).values(modified_dt=utcnow())
    )


# --- roles -------------------------------------------------------------------------------


def _grantable(role):
    try:
        role = Role(role)
    except ValueError:
        role = None
    if role not in GRANTABLE_ROLES:
        raise RuleError(_l("That role does not exist."), "role")
    return role


def grant_role(user, role, actor=None):
    """Give ``user`` a role; granting one they hold already changes nothing."""
    role = _grantable(role)
    if role in user.roles:
        return False
    user.role_rows.append(UserRole(role=role.value, granted_by_id=getattr(actor, "id", None)))
    record_action(actor, "role.grant", user, details={"role": role.value})
    db.session.flush()
    return True


def revoke_role(user, role, actor=None):
    """Take a role away; the last administrator cannot lose the role."""
    role = _grantable(role)
    if role not in user.roles:
        return False
    if role == Role.ADMIN:
        admins = db.session.scalar(
            sa.select(sa.func.count()).select_from(UserRole).where(UserRole.role == Role.ADMIN)
        )
        if admins <= 1:
            raise RuleError(_l("Ruamkid needs at least one administrator."), "role")
    for row in list(user.role_rows):
        if row.role == role:
            user.role_rows.remove(row)
    record_action(actor, "role.revoke", user, details={"role": role.value})
    db.session.flush()
    return True


def set_roles(user, roles, actor=None):
    """Give ``user`` exactly ``roles`` (besides resident); returns True when anything changed.

    Every role is checked before any changes; the grants and removals are logged one by one.
    """
    wanted = {_grantable(role) for role in roles}
    held = {Role(role) for role in user.roles} - {Role.RESIDENT}
    changed = False
    for role in sorted(wanted - held):
        changed = grant_role(user, role, actor) or changed
    for role in sorted(held - wanted):
        changed = revoke_role(user, role, actor) or changed
    return changed


# --- personal access tokens ------------------------------------------------------------------

TOKEN_PREFIX = "rk_"  # noqa: S105 - a public prefix, not a secret


def create_access_token(user, name, write=False):
    """Create a token; the plain value is returned once and never stored."""
    name = plain_text(name)[:80]
    if not name:
        raise RuleError(_l("Please name the token, e.g. after the script that uses it."), "name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = AccessToken(
        user_id=user.id, name=name, token_hash=_token_hash(token),
        scopes="read write" if write else "read",
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    record_action(user, "token.create", row, details={"name": name, "scopes": row.scopes})
    return row, token


def user_for_token(token):
    """Return (user, token row) for a live token, or (None, None)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None, None
    row = (  # one query: the token, its user and their roles
        db.session.execute(
            sa.select(AccessToken)
            .where(AccessToken.token_hash == _token_hash(token), AccessToken.revoked_dt.is_(None))
            .options(sa.orm.joinedload(AccessToken.user).joinedload(User.role_rows))
        )
        .unique()
        .scalar_one_or_none()
    )
    if row is None:
        return None, None
    return row.user, row


def touch_access_token(row, in_request_transaction=False):
    """Record when a token was last used, at most once in LAST_SEEN_RESOLUTION.

    Reads record it on a connection of their own (best effort, like sessions); writes in the
    request's transaction, which already holds the database's write lock.
    Returns True when it wrote on a connection of its own: the caller's read transaction then
    started before that write, and SQLite would refuse it a write later; end it first.
    """
    now = utcnow()
    if row.last_used_dt is not None and now - row.last_used_dt < LAST_SEEN_RESOLUTION:
        return False
    if in_request_transaction:
        row.last_used_dt = now
        return False
    try:
        with writing(), db.engine.begin() as connection:
            connection.execute(
                sa.update(AccessToken).where(AccessToken.id == row.id).values(last_used_dt=now)
            )
    except sa.exc.OperationalError:
        logger.warning("Could not record token use (database busy)")
        return False
    return True


def access_tokens_of(user):
    """A person's tokens, the live ones first, newest first."""
    return db.session.scalars(
        sa.select(AccessToken)
        .where(AccessToken.user_id == user.id)
        .order_by(AccessToken.revoked_dt.is_not(None), AccessToken.id.desc())
    ).all()


def find_access_token(user, token_id):
    """One of ``user``'s own tokens, or None."""
    row = db.session.get(AccessToken, token_id)
    return row if row is not None and row.user_id == user.id else None


def revoke_access_token(row, actor=None):
    """Revoke a token; it stops working at once. Revoking twice changes nothing."""
    if row.revoked_dt is not None:
        return False
    row.revoked_dt = utcnow()
    record_action(actor or row.user, "token.revoke", row, details={"name": row.name})
    db.session.flush()
    return True
