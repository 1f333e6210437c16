"""Form helpers shared by every feature."""

import time
from urllib.parse import urlsplit

from flask import current_app, has_request_context, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.routing import IntegerConverter
from werkzeug.sansio.utils import host_is_trusted
from wtforms import IntegerField

from participation.core.rules import RuleError


class RuleAwareForm(FlaskForm):
    """A form that can show an operation's :class:`RuleError` beside the field at fault."""

    def add_rule_error(self, error, keep_existing=False):
        """Show each problem the error carries beside its field (or above the form).

        ``keep_existing``: a field that already shows an error keeps just that one.
        """
        for problem in getattr(error, "problems", None) or [error]:
            field = getattr(self, problem.field, None) if problem.field else None
            if field is None:
                if problem.message and problem.message not in self.form_errors:
                    self.form_errors.append(problem.message)
            elif keep_existing and field.errors:
                continue
            elif problem.message not in field.errors:
                field.errors = [*field.errors, problem.message]


def is_safe_next(target):
    """Return True when ``target`` is a path on this site (no scheme, no other host).

    Control characters, white space and backslashes are refused anywhere: a line break would
    split the Location header, and browsers drop tabs and line breaks and read a backslash as a
    slash, so "/\\t/evil.example" would lead to another site.
    """
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return False
    if any(char == "\\" or char.isspace() or not char.isprintable() for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_redirect(target, default):
    """Redirect to ``target`` when it is a path on this site (:func:`is_safe_next`), else to
    ``default``: every redirect to an address a request names goes through here."""
    return redirect(target if is_safe_next(target) else default)


# Where `make run` serves (the Makefile's HOST and PORT): links that leave the site point here
# in development when the request's host cannot be trusted.
DEVELOPMENT_URL = "http://127.0.0.1:5000"
_THIS_MACHINE = ("localhost", "127.0.0.1", "::1")


def public_base_url():
    """The site's address for links that leave it (e-mails, calendar files, QR codes).

    PUBLIC_URL when set (always in production). In development, the request's own address only
    when its host is verified: this machine, SERVER_NAME or TRUSTED_HOSTS. Never a Host header
    anyone could write, so nobody can make the site mail links to another host.
    """
    config = current_app.config
    if config.get("PUBLIC_URL"):
        return config["PUBLIC_URL"]
    if has_request_context():
        verified = [*_THIS_MACHINE, *(config.get("TRUSTED_HOSTS") or ())]
        if config.get("SERVER_NAME"):
            verified.append(config["SERVER_NAME"])
        if host_is_trusted(request.host, verified):
            return request.host_url.rstrip("/")
    return DEVELOPMENT_URL


def public_url_for(endpoint, **values):
    """An absolute URL for e-mails and files that leave the site (see :func:`public_base_url`)."""
    return public_base_url() + url_for(endpoint, **values)


def redirect_next(default_endpoint="home.index"):
    """Redirect to the page to go back to after a form (``next``), only ever on this site."""
    target = request.args.get("next") or request.form.get("next")
    return safe_redirect(target, url_for(default_endpoint))


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


# --- spam defences without a captcha ----------------------------------------------------------

HONEYPOT = "website"  # a field people never see; programs that fill every field fill it
STARTED = "form_started"  # when the form was shown, signed by the server


def form_started_token():
    return URLSafeTimedSerializer(current_app.secret_key, salt="form-started").dumps("shown")


def check_human(data):
    """Refuse what a person would not send: the hidden field filled in, or a form sent sooner
    after it was shown than ``FORM_MIN_SECONDS`` allows. Raises RuleError."""
    if (data.get(HONEYPOT) or "").strip():
        raise RuleError(_l("Something went wrong. Please send the form again."))
    minimum = current_app.config["FORM_MIN_SECONDS"]
    if minimum <= 0:
        return
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt="form-started")
    try:
        _value, shown = serializer.loads(data.get(STARTED) or "", return_timestamp=True)
    except BadSignature:
        raise RuleError(_l("Something went wrong. Please send the form again.")) from None
    if time.time() - shown.timestamp() < minimum:
        raise RuleError(_l("That was very quick. Please check what you wrote and send it again."))


class HumanForm(RuleAwareForm):
    """A form with the honeypot and the minimum fill time (templates: macros/forms.html)."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        try:
            check_human(request.form)
        except RuleError as error:
            self.form_errors.append(error.message)
            return False
        return valid
