"""Flask extensions, created unbound and bound in :func:`participation.create_app`."""

import sqlalchemy as sa
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

# Constraint names are fixed before the first migration so that SQLite and PostgreSQL
# migrations stay portable and every constraint can be dropped by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
socketio = SocketIO()


def rate_limit_key():
    """Signed-in people are counted one by one (many share one address at a town hall's
    Wi-Fi); visitors by their address."""
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def configured_limit(name):
    """A limit read from the configuration when a request is checked (README: rate limits)."""
    from flask import current_app

    return lambda: current_app.config[name]


limiter = Limiter(key_func=rate_limit_key, default_limits=[])


def rate_limits_on_fallback():
    """True while this process counts rate limits in its own memory because the configured
    storage (Redis) did not answer; Flask-Limiter goes back to Redis by itself once a check
    finds it answering again (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED in config.py)."""
    return limiter.initialized and limiter.limiter.storage is not limiter.storage


# Writes that the pages and the API both offer count against one allowance per person, which
# ever way they come (a page and its API operation use the same scope).
WRITE_SCOPES = {
    "post": "RATELIMIT_POST",  # a new issue or proposal
    "edit": "RATELIMIT_POST",
    "withdraw": "RATELIMIT_POST",
    "comment": "RATELIMIT_COMMENT",  # a comment or a reply
    "comment-vote": "RATELIMIT_VOTE",
    "support": "RATELIMIT_SUPPORT",  # supporting a proposal or withdrawing the support
    "affected": "RATELIMIT_SUPPORT",
    "report": "RATELIMIT_REPORT",
    "ballot": "RATELIMIT_SUPPORT",  # casting or changing a budget ballot
}


def write_limit(scope, **options):
    """The rate limit of a write in ``WRITE_SCOPES``, shared by its page and its API operation."""
    return limiter.shared_limit(configured_limit(WRITE_SCOPES[scope]), scope=scope, **options)
