"""Locale selection and date formatting (Asia/Bangkok; Buddhist Era for Thai readers)."""

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from participation.config import SUPPORTED_LOCALES

BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543
LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"th": "ไทย", "en": "English"}


def select_locale():
    """Choose the reader's language.

    Order: the signed-in user's saved preference, then the language switch (a cookie), then the
    browser's Accept-Language, then Thai. The API puts Accept-Language first.
    """
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if (
        request.path.startswith("/api/")
        and not request.path.startswith("/api/v1/docs")  # a page: the language switch works
        and request.headers.get("Accept-Language")
    ):
        # Scripts say which language they want on every request; that wins for the API.
        return request.accept_languages.best_match(SUPPORTED_LOCALES) or "th"
    from participation.core.errors import database_unavailable

    # After a database failure the saved preference cannot be looked up: cookie, then browser.
    user = None if database_unavailable() else current_user._get_current_object()
    if user is not None and user.is_authenticated and user.preferred_language in SUPPORTED_LOCALES:
        return user.preferred_language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "th"


def current_language():
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def N_(message):  # noqa: N802 - the name gettext tools know for "mark only"
    """Mark ``message`` for the catalogue where it must stay a plain string (a pydantic field's
    description); whoever shows it translates it then with ``gettext``."""
    return message


def to_bangkok(value):
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BANGKOK)


@lru_cache(maxsize=8)
def _month_names(locale, width):
    """Month names from CLDR, looked up once per locale (pages format many dates)."""
    return dict(get_month_names(width, locale=locale))


def format_date(value, locale=None, month="abbreviated"):
    """Format a date or datetime as a Thai or English reader expects.

    Thai: ``21 พ.ย. 2569`` (Buddhist Era). English: ``21 Nov 2026``.
    """
    if value is None:
        return ""
    locale = locale or current_language()
    if isinstance(value, str):  # an ISO date, as stored in JSON
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = to_bangkok(value).date()
    names = _month_names(locale, month)
    if locale == "th":
        return f"{value.day} {names[value.month]} {value.year + BUDDHIST_ERA_OFFSET}"
    return f"{value.day} {names[value.month]} {value.year}"


def format_time(value, locale=None):
    """Format the clock time in Bangkok: ``14:30 น.`` in Thai, ``14:30`` in English."""
    if value is None:
        return ""
    locale = locale or current_language()
    if isinstance(value, str):  # an ISO moment, as stored in JSON
        value = datetime.fromisoformat(value)
    clock = to_bangkok(value).strftime("%H:%M")
    return f"{clock} น." if locale == "th" else clock


def format_datetime(value, locale=None, month="abbreviated"):
    """Format a moment as ``21 พ.ย. 2569, 14:30 น.`` or ``21 Nov 2026, 14:30``."""
    if value is None:
        return ""
    locale = locale or current_language()
    return f"{format_date(value, locale, month)}, {format_time(value, locale)}"


def iso(value):
    """Return an ISO 8601 string for machine-readable ``<time datetime>`` attributes."""
    if isinstance(value, datetime):
        return to_bangkok(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return ""


def localized(obj, field, locale=None):
    """Return ``obj.<field>_th`` or ``obj.<field>_en`` in the reader's language.

    Falls back to the other language when the reader's is empty, so nothing shows blank.
    ``obj`` may also be a dict (figures stored as JSON).
    """
    locale = locale or current_language()
    other = "en" if locale == "th" else "th"
    get = obj.get if isinstance(obj, dict) else lambda name: getattr(obj, name, None)
    return get(f"{field}_{locale}") or get(f"{field}_{other}") or ""


def format_number(value):
    """``12,345`` in the reader's locale."""
    from flask_babel import format_decimal

    return format_decimal(value or 0)


def format_share(value):
    """A share (0..1) as ``12.5%``; a dash when it cannot be known (no population given)."""
    from flask_babel import format_percent

    return "—" if value is None else format_percent(value, "#,##0.0%")
