"""Configuration read from the environment.

Every setting can be given as an environment variable of the same name. A misconfiguration
raises :class:`ConfigError` at start-up with a message that says what to fix.
"""

import os
import secrets
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse as parse_limit

ROOT_DIR = Path(__file__).resolve().parent.parent

SUPPORTED_LOCALES = ("th", "en")


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says why and what to set."""


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def _env_int(name, default, minimum=0):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}.")
    return number


def instance_dir_from_env():
    """Return the folder that holds the SQLite file and the generated secret key."""
    return Path(os.environ.get("RUAMKID_INSTANCE_DIR") or ROOT_DIR / "instance")


def database_url_from_env(instance_dir):
    """Return the SQLAlchemy URL: ``DATABASE_URL`` or the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_dir) / 'ruamkid.sqlite3'}"
    scheme = urlsplit(url).scheme
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants a driver name.
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme in ("postgresql+psycopg", "sqlite"):
        return url
    raise ConfigError(
        f"DATABASE_URL has an unsupported scheme {scheme!r}: use postgresql://user:pass@host/db "
        "for PostgreSQL, or leave it unset for the embedded SQLite database."
    )


def public_url_from_env():
    url = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ConfigError(
            "PUBLIC_URL must be the site's address, like https://ruamkid.example.go.th, "
            f"not {url!r}."
        )
    return url


def _checked_url(name, value, default):
    """``value`` (read from the environment variable ``name``) or ``default``: an address."""
    url = ((value or "").strip() or default).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an address like {default}, not {url!r}.")
    return url


def redis_url_from_env():
    url = os.environ.get("REDIS_URL", "").strip() or None
    if url and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"REDIS_URL must start with redis://, rediss:// or unix://, not {url!r}.")
    return url


def redis_client_options(timeout):
    """Options for a Redis client that gives up quickly: ``timeout`` seconds to connect and to
    answer, and one immediate retry only when the connection was refused or dropped (a pooled
    connection left over from before a Redis restart), never after a timeout."""
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    }


def secret_key_from_env(instance_dir):
    """Return ``SECRET_KEY`` from the environment, or one generated once and kept on disk."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long.")
        return key
    path = Path(instance_dir) / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if len(key) < 32:
            raise ConfigError(f"{path} holds a secret key shorter than 32 characters; delete it.")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created readable by the owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class Config:
    """Settings for development and production, read when the class is instantiated."""

    TESTING = False

    def __init__(self):
        env = os.environ.get
        self.ENV_NAME = env("RUAMKID_ENV", "development")
        if self.ENV_NAME not in ("development", "production", "testing"):
            raise ConfigError(
                f"RUAMKID_ENV must be development, production or testing, not {self.ENV_NAME!r}."
            )
        instance_dir = instance_dir_from_env()
        self.INSTANCE_DIR = str(instance_dir)
        self.SQLALCHEMY_DATABASE_URI = database_url_from_env(instance_dir)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Seconds a request waits for PostgreSQL (to connect, or for one statement) before
        # it is answered "unavailable, try again" (participation/core/database.py).
        self.DATABASE_TIMEOUT = _env_int("DATABASE_TIMEOUT", 10, minimum=1)
        self.REDIS_URL = redis_url_from_env()
        # Socket.IO shares rooms across server processes through Redis when it is configured.
        self.SOCKETIO_MESSAGE_QUEUE = self.REDIS_URL
        self.SECRET_KEY = self._secret_key(instance_dir)
        self.SOCKETIO_ASYNC_MODE = env("SOCKETIO_ASYNC_MODE") or None
        self.ALLOWED_ORIGINS = [o.strip() for o in env("ALLOWED_ORIGINS", "").split(",") if o]
        # How many proxies (nginx) stand in front and set X-Forwarded-For/-Proto/-Host.
        self.PROXY_COUNT = _env_int("PROXY_COUNT", 0)
        # The site's public address: links in e-mails and calendar files are built from it,
        # never from the request's Host header, and only its host (plus TRUSTED_HOSTS) is
        # accepted in requests.
        self.PUBLIC_URL = public_url_from_env()
        extra_hosts = [h.strip() for h in env("TRUSTED_HOSTS", "").split(",") if h.strip()]
        self.TRUSTED_HOSTS = (
            [urlsplit(self.PUBLIC_URL).hostname, *extra_hosts] if self.PUBLIC_URL else None
        )

        self.PREFERRED_URL_SCHEME = "https" if self.is_production else "http"
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", self.is_production)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 120, minimum=5)
        self.SESSION_ABSOLUTE_HOURS = _env_int("SESSION_ABSOLUTE_HOURS", 24, minimum=1)
        self.REMEMBER_DAYS = _env_int("REMEMBER_DAYS", 30, minimum=1)
        # Argon2id cost: RFC 9106's second recommended option (3 passes, 64 MiB).
        self.ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3, minimum=1)
        self.ARGON2_MEMORY_KIB = _env_int("ARGON2_MEMORY_KIB", 65536, minimum=1024)
        self.PASSWORD_RESET_MINUTES = _env_int("PASSWORD_RESET_MINUTES", 60, minimum=5)

        self.MAIL_BACKEND = env("MAIL_BACKEND", "smtp" if self.is_production else "log")
        if self.MAIL_BACKEND not in ("log", "smtp", "memory"):
            raise ConfigError(
                f"MAIL_BACKEND must be log, smtp or memory, not {self.MAIL_BACKEND!r}."
            )
        self.MAIL_SERVER = env("MAIL_SERVER", "localhost")
        self.MAIL_PORT = _env_int("MAIL_PORT", 587, minimum=1)
        self.MAIL_USERNAME = env("MAIL_USERNAME")
        self.MAIL_PASSWORD = env("MAIL_PASSWORD")
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
        self.MAIL_SENDER = env("MAIL_SENDER", "Ruamkid <no-reply@localhost>")

        self.PRIVACY_NOTICE_VERSION = _env_int("PRIVACY_NOTICE_VERSION", 1, minimum=1)
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        # While Redis is away each process counts the same limits in its own memory, and goes
        # back to Redis by itself when Redis answers again (docs/deploy.md, "When something
        # fails"). A frozen Redis holds a request for at most the timeout.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_REDIS_TIMEOUT_MS = _env_int("RATELIMIT_REDIS_TIMEOUT_MS", 250, minimum=10)
        self.RATELIMIT_STORAGE_OPTIONS = (
            redis_client_options(self.RATELIMIT_REDIS_TIMEOUT_MS / 1000) if self.REDIS_URL else {}
        )
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_LOGIN = env("RATELIMIT_LOGIN", "10 per minute; 50 per hour")
        # Per account, from any address (participation/accounts/throttle.py): wrong passwords
        # before the account must wait, the first wait, doubling up to the longest.
        self.SIGN_IN_FREE_ATTEMPTS = _env_int("SIGN_IN_FREE_ATTEMPTS", 5, minimum=1)
        self.SIGN_IN_FIRST_WAIT_SECONDS = _env_int("SIGN_IN_FIRST_WAIT_SECONDS", 15, minimum=1)
        self.SIGN_IN_MAX_WAIT_SECONDS = _env_int("SIGN_IN_MAX_WAIT_SECONDS", 300, minimum=1)
        self.RATELIMIT_REGISTER = env("RATELIMIT_REGISTER", "5 per hour")
        self.RATELIMIT_PASSWORD_RESET = env("RATELIMIT_PASSWORD_RESET", "5 per hour")
        # Writes, per signed-in person (README, "Rate limits").
        self.RATELIMIT_POST = env("RATELIMIT_POST", "30 per minute; 300 per day")
        self.RATELIMIT_COMMENT = env("RATELIMIT_COMMENT", "20 per minute; 500 per day")
        self.RATELIMIT_SUPPORT = env("RATELIMIT_SUPPORT", "60 per minute")
        self.RATELIMIT_VOTE = env("RATELIMIT_VOTE", "60 per minute")
        self.RATELIMIT_REPORT = env("RATELIMIT_REPORT", "20 per hour")
        # The opinion map (docs/opinion-map.md): one vote per statement, a few new statements.
        self.RATELIMIT_OPINION_VOTE = env("RATELIMIT_OPINION_VOTE", "60 per minute")
        self.RATELIMIT_STATEMENT = env("RATELIMIT_STATEMENT", "5 per minute; 50 per day")
        # Survey answers sent (and changed): per signed-in person, or per address for visitors.
        self.RATELIMIT_SURVEY_ANSWER = env("RATELIMIT_SURVEY_ANSWER", "10 per minute; 100 per day")
        # Per person and town hall (docs/realtime.md).
        self.TOWNHALL_POST_LIMIT = env("TOWNHALL_POST_LIMIT", "10/minute")
        self.TOWNHALL_UPVOTE_LIMIT = env("TOWNHALL_UPVOTE_LIMIT", "60/minute")
        self.TOWNHALL_POLL_LIMIT = env("TOWNHALL_POLL_LIMIT", "30/minute")
        # Guests (a name only): how many may join, and how much all guests may write, from one
        # network address. A hall's shared Wi-Fi is one address: keep these generous.
        self.TOWNHALL_GUEST_JOIN_LIMIT = env("TOWNHALL_GUEST_JOIN_LIMIT", "60/hour")
        self.TOWNHALL_GUEST_ADDRESS_LIMIT = env("TOWNHALL_GUEST_ADDRESS_LIMIT", "120/minute")
        # Spam defences (participation.core.forms.check_human): seconds between showing a form
        # and sending it; new accounts' links per post until they have taken part a little.
        self.FORM_MIN_SECONDS = _env_int("FORM_MIN_SECONDS", 2)
        self.NEW_ACCOUNT_LINKS = _env_int("NEW_ACCOUNT_LINKS", 1)
        self.NEW_ACCOUNT_DAYS = _env_int("NEW_ACCOUNT_DAYS", 3)
        # Distinct residents' reports that hide an item until a moderator reviews it.
        self.MODERATION_HIDE_AFTER_REPORTS = _env_int("MODERATION_HIDE_AFTER_REPORTS", 3, minimum=1)
        # Events of one town hall closer together than this go out as one message
        # (participation/townhall/fanout.py); 0 sends each at once. The window grows with the
        # room's pace up to the maximum; an event after a gap in ``seq`` waits up to
        # TOWNHALL_REORDER_MS for the ones before it (published by another process).
        self.TOWNHALL_BATCH_MS = _env_int("TOWNHALL_BATCH_MS", 30)
        self.TOWNHALL_BATCH_MAX_MS = _env_int("TOWNHALL_BATCH_MAX_MS", 80)
        self.TOWNHALL_REORDER_MS = _env_int("TOWNHALL_REORDER_MS", 100)
        # Opinion maps are recomputed off the request path (participation/opinions/recompute.py):
        # "background" in the web processes, at most once per interval per conversation, or
        # "external" by `flask opinions recompute --watch`.
        self.OPINIONS_RECOMPUTE = env("OPINIONS_RECOMPUTE", "background")
        if self.OPINIONS_RECOMPUTE not in ("background", "external", "inline"):
            raise ConfigError(
                "OPINIONS_RECOMPUTE must be background, external or inline, "
                f"not {self.OPINIONS_RECOMPUTE!r}."
            )
        self.OPINIONS_RECOMPUTE_SECONDS = _env_int("OPINIONS_RECOMPUTE_SECONDS", 5)
        for name in ("TOWNHALL_POST_LIMIT", "TOWNHALL_UPVOTE_LIMIT", "TOWNHALL_POLL_LIMIT",
                     "TOWNHALL_GUEST_JOIN_LIMIT", "TOWNHALL_GUEST_ADDRESS_LIMIT"):  # fmt: skip
            try:
                parse_limit(getattr(self, name))
            except ValueError:
                raise ConfigError(f"{name} must look like 10/minute.") from None

        # Background jobs (participation/jobs): huey's SQLite file in the instance folder, or
        # Redis when REDIS_URL is set; `flask jobs worker` runs them (docs/deploy.md).
        self.JOBS_IMMEDIATE = _env_bool("JOBS_IMMEDIATE", False)
        self.JOBS_SQLITE_PATH = env("JOBS_SQLITE_PATH") or None
        self.JOBS_HEARTBEAT_SECONDS = _env_int("JOBS_HEARTBEAT_SECONDS", 10, minimum=1)
        self.JOBS_RETRIES = _env_int("JOBS_RETRIES", 5)
        self.JOBS_RETRY_DELAY_SECONDS = _env_int("JOBS_RETRY_DELAY_SECONDS", 30)
        # LINE (docs/notifications.md, "LINE"): the LINE Login channel (linking, signing in)
        # and the Messaging API channel of the municipality's LINE Official Account (sending,
        # the webhook). Without all four, no LINE option appears anywhere; `flask doctor`
        # fails on half of them.
        self.LINE_LOGIN_CHANNEL_ID = env("LINE_LOGIN_CHANNEL_ID") or None
        self.LINE_LOGIN_CHANNEL_SECRET = env("LINE_LOGIN_CHANNEL_SECRET") or None
        self.LINE_CHANNEL_SECRET = env("LINE_CHANNEL_SECRET") or None
        self.LINE_CHANNEL_ACCESS_TOKEN = env("LINE_CHANNEL_ACCESS_TOKEN") or None
        # LINE's servers: the Messaging API and LINE Login's token endpoint, and LINE Login's
        # authorisation page (the tests point both at a fake server on this machine).
        self.LINE_API_URL = _checked_url("LINE_API_URL", env("LINE_API_URL"), "https://api.line.me")
        self.LINE_ACCESS_URL = _checked_url(
            "LINE_ACCESS_URL", env("LINE_ACCESS_URL"), "https://access.line.me"
        )
        # Messages the Official Account's plan allows per calendar month (each recipient of a
        # multicast counts); from 90% of it, "at once" LINE messages wait for the digest.
        self.LINE_MONTHLY_QUOTA = _env_int("LINE_MONTHLY_QUOTA", 300, minimum=1)
        # LINE's servers calling /line/webhook, per address.
        self.RATELIMIT_LINE_WEBHOOK = env("RATELIMIT_LINE_WEBHOOK", "600 per minute")
        # Pages connect to Socket.IO (/me) for the live bell. Off only where no Socket.IO
        # server answers /socket.io/ (a test server of plain sync workers).
        self.BELL_LIVE = _env_bool("BELL_LIVE", True)
        # Followers of a process hear of its town hall this long before it starts.
        self.TOWNHALL_REMINDER_MINUTES = _env_int("TOWNHALL_REMINDER_MINUTES", 60, minimum=1)
        # Notifications for more people than this are written by a job, not by the request.
        self.NOTIFY_INLINE_MAX = _env_int("NOTIFY_INLINE_MAX", 200)
        # Digests go out at this hour, Bangkok time (daily), and on this day (weekly, 0 is
        # Monday); records of what was sent are kept this many days.
        self.DIGEST_HOUR = _env_int("DIGEST_HOUR", 7)
        self.DIGEST_WEEKDAY = _env_int("DIGEST_WEEKDAY", 0)
        if self.DIGEST_HOUR > 23 or self.DIGEST_WEEKDAY > 6:
            raise ConfigError("DIGEST_HOUR must be 0 to 23 and DIGEST_WEEKDAY 0 (Monday) to 6.")
        self.NOTIFICATIONS_RETENTION_DAYS = _env_int("NOTIFICATIONS_RETENTION_DAYS", 365, minimum=1)

        # Photos (participation/photos): where they are stored (re-encoded, in display sizes),
        # how large an upload may be (bytes) and how many pixels it may open to.
        self.PHOTO_STORAGE_DIR = env("PHOTO_STORAGE_DIR") or str(Path(instance_dir) / "photos")
        self.PHOTO_MAX_BYTES = _env_int("PHOTO_MAX_BYTES", 12 * 1024 * 1024, minimum=1024)
        self.PHOTO_MAX_PIXELS = _env_int("PHOTO_MAX_PIXELS", 50_000_000, minimum=10_000)
        # Behind nginx: the app checks who may see a photo and nginx sends the file from an
        # `internal` location under this prefix (X-Accel-Redirect); empty: the app sends it.
        prefix = (env("PHOTO_ACCEL_REDIRECT_PREFIX") or "").strip()
        if prefix and not (prefix.startswith("/") and prefix.endswith("/")):
            raise ConfigError("PHOTO_ACCEL_REDIRECT_PREFIX must start and end with /.")
        self.PHOTO_ACCEL_REDIRECT_PREFIX = prefix
        # Delivery (participation/delivery): this many residents answering "not yet" to "was it
        # really fixed?" reopen a done item for review; the largest PDF a milestone may carry.
        self.DELIVERY_REOPEN_THRESHOLD = _env_int("DELIVERY_REOPEN_THRESHOLD", 3, minimum=1)
        self.DELIVERY_DOCUMENT_MAX_BYTES = _env_int(
            "DELIVERY_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
        )
        # Maps (participation/places): the tile server and the credit its licence requires.
        self.MAP_TILE_URL = env("MAP_TILE_URL") or "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        self.MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION") or (
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
        )

        # Resident verification (docs/verification.md). A verification lasts until the end of
        # the fiscal year (MM-DD, Bangkok time; Thailand's ends on 30 September). Wrong letter
        # codes and list entries: this many per person (and per network address) within
        # VERIFICATION_LOCKOUT_MINUTES, then that person (or address) waits that long.
        self.VERIFICATION_YEAR_END = env("VERIFICATION_YEAR_END") or "09-30"
        try:
            month, day = (int(part) for part in self.VERIFICATION_YEAR_END.split("-"))
            date(2001, month, day)
        except ValueError:
            raise ConfigError(
                "VERIFICATION_YEAR_END must be a month and day like 09-30, "
                f"not {self.VERIFICATION_YEAR_END!r}."
            ) from None
        self.VERIFICATION_ATTEMPTS = _env_int("VERIFICATION_ATTEMPTS", 5, minimum=1)
        self.VERIFICATION_ADDRESS_ATTEMPTS = _env_int(
            "VERIFICATION_ADDRESS_ATTEMPTS", 30, minimum=1
        )
        self.VERIFICATION_LOCKOUT_MINUTES = _env_int("VERIFICATION_LOCKOUT_MINUTES", 60, minimum=1)
        # Matching residents against the municipality's own list (off unless turned on): the
        # HMAC key the list's hashes were made with lives here, never in the database.
        self.VERIFICATION_LIST_MATCH = _env_bool("VERIFICATION_LIST_MATCH", False)
        self.VERIFICATION_LIST_SECRET = env("VERIFICATION_LIST_SECRET") or None
        if self.VERIFICATION_LIST_MATCH and len(self.VERIFICATION_LIST_SECRET or "") < 32:
            raise ConfigError(
                "VERIFICATION_LIST_MATCH needs VERIFICATION_LIST_SECRET: the key (at least 32 "
                "characters) the municipality made its list's hashes with."
            )

        self.BABEL_DEFAULT_LOCALE = "th"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Bangkok"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT_DIR / "translations")
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.MAX_CONTENT_LENGTH = 8 * 1024 * 1024

        if self.is_production:
            self._check_production()

    def _secret_key(self, instance_dir):
        return secret_key_from_env(instance_dir)

    @property
    def is_production(self):
        return self.ENV_NAME == "production"

    def _check_production(self):
        if not os.environ.get("SECRET_KEY"):
            raise ConfigError("In production SECRET_KEY must be set in the environment.")
        if not self.PUBLIC_URL:
            raise ConfigError(
                "In production PUBLIC_URL must be set (e.g. https://ruamkid.example.go.th): "
                "links in e-mails are built from it."
            )
        if self.MAIL_BACKEND == "smtp" and not os.environ.get("MAIL_SERVER"):
            raise ConfigError("In production MAIL_SERVER must be set (or MAIL_BACKEND=log).")


class TestConfig(Config):
    """Settings for the test suite: a throw-away database, no rate limits, mail kept in memory."""

    TESTING = True

    def __init__(self, database_url=None):
        super().__init__()
        self.ENV_NAME = "testing"
        if database_url:
            self.SQLALCHEMY_DATABASE_URI = database_url
        self.WTF_CSRF_ENABLED = False
        self.RATELIMIT_ENABLED = False
        self.MAIL_BACKEND = "memory"
        self.SOCKETIO_ASYNC_MODE = "threading"
        # The in-process Socket.IO test client cannot use a message queue; the Redis
        # scale-out is tested against real server processes (tests/townhall/test_real_servers).
        self.SOCKETIO_MESSAGE_QUEUE = None
        # The in-process client sees each event as it is sent (coalescing: test_fanout.py).
        self.TOWNHALL_BATCH_MS = 0
        # Maps are computed right after each vote's commit, so tests see them at once.
        self.OPINIONS_RECOMPUTE = "inline"
        # Tests send forms at once; the minimum time has its own test.
        self.FORM_MIN_SECONDS = 0
        self.SERVER_NAME = None
        # Jobs run at once, in the request; the queue itself is tested with a real worker.
        self.JOBS_IMMEDIATE = True
        # Cheap hashing keeps the suite fast; production uses the strong default.
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_KIB = 1024
        # Rate-limit counters of one test never meet another's, even in a shared Redis.
        self.RATELIMIT_KEY_PREFIX = f"test-{secrets.token_hex(6)}"

    def _secret_key(self, instance_dir):
        return "test-secret-key-that-is-long-enough-for-the-checks"
