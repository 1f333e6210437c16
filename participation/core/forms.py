"""Form helpers shared by every feature."""

from urllib.parse import urlsplit

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms import DateField, IntegerField


class RuleAwareForm(FlaskForm):
    """A form that can show an operation's :class:`RuleError` beside the field at fault."""

    def add_rule_error(self, error):
        field = getattr(self, error.field, None) if error.field else None
        if field is None:
            self.form_errors.append(error.message)
        else:
            field.errors = [*field.errors, error.message]


def is_safe_next(target):
    """Return True when ``target`` is a path on this site (no scheme, no other host)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def public_url_for(endpoint, **values):
    """An absolute URL for e-mails and files that leave the site: from PUBLIC_URL when set.

    Never from the request's Host header in production, so nobody can make the site send
    links to another host.
    """
    from flask import current_app

    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values)


def next_url(default_endpoint="home.index"):
    """Return the page to go back to after a form, only ever on this site."""
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


class ThaiDateField(DateField):
    """A date field whose error is in our catalogue (WTForms has no Thai translation)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Please enter a date as day, month and year.")) from None


class ThaiIntegerField(IntegerField):
    """A whole-number field whose error is in our catalogue."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Please enter a whole number.")) from None


MAX_ID = 2**31 - 1


def valid_id(value):
    """True for an int that can be a database id (so lookups never overflow)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class IdConverter(IntegerConverter):
    """URL ``<int:...>`` parts: positive and small enough for a database id."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
