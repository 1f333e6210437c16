"""Errors of the API as ``application/problem+json`` (RFC 9457), in the reader's language.

Every problem has a ``type`` that points at its explanation on the documentation page, a
translated ``title`` and ``detail``, the HTTP ``status``, and, when the input was at fault,
``errors``: one entry per field with a translated message.
"""

import json

from flask import make_response, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.core.errors import error_details, error_titles

MIMETYPE = "application/problem+json"

# The kinds of problem, each explained on the documentation page under #problem-<code>.
PROBLEM_TYPES = {
    "bad-request": _l("The request could not be read (for example, the JSON is broken)."),
    "csrf": _l("A request signed in with a browser session needs its CSRF token."),
    "unauthorized": _l("The operation needs a personal access token; none was sent."),
    "invalid-token": _l("The token is unknown, revoked, or not written as “Bearer <token>”."),
    "invalid-credentials": _l("The e-mail or password is not correct."),
    "insufficient-scope": _l("The token may only read; create a token that may also write."),
    "forbidden": _l("You are signed in but may not do this."),
    "suspended": _l("The account is suspended and may only read."),
    "not-found": _l("Nothing exists at this address, or it is not public."),
    "method-not-allowed": _l("This address does not accept that method."),
    "rule": _l("A rule of the platform does not allow this now (for example, the phase)."),
    "too-large": _l("The request body is too large."),
    "unsupported-media-type": _l("Send the request body as application/json."),
    "validation": _l("Some fields need correcting; see errors."),
    "rate-limited": _l("Too many requests; wait for the seconds given in Retry-After."),
    "server-error": _l("Something went wrong on our side."),
    "unavailable": _l(
        "The service is busy or its storage is not answering; nothing was saved. Try again "
        "after the seconds given in Retry-After."
    ),
}
STATUS_CODES = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "rule", 413: "too-large", 415: "unsupported-media-type",
    422: "validation", 429: "rate-limited", 500: "server-error", 503: "unavailable",
}  # fmt: skip


class ApiError(Exception):
    """Raised by API views and checks; answered as a problem document."""

    def __init__(self, status, detail=None, code=None, errors=None, headers=None):
        super().__init__(str(detail or status))
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors
        self.headers = headers or {}


def _titles():
    return {
        **error_titles(),
        409: _("That is not possible right now"),
        415: _("Please send JSON"),
        422: _("Some of what you sent needs correcting"),
    }


def _details():
    return {
        **error_details(),
        409: _("A rule of the platform does not allow this now."),
        415: _("Send the request body as application/json."),
        422: _("Please correct the fields listed in errors and try again."),
    }


def problem_type(code):
    """The URI of a kind of problem: its explanation on the documentation page."""
    try:
        return url_for("api.docs", _anchor=f"problem-{code}")
    except RuntimeError:  # outside a request (the OpenAPI document's examples)
        return f"/api/v1/docs#problem-{code}"


def problem_body(status, detail=None, code=None, errors=None):
    code = code or STATUS_CODES.get(status, "server-error")
    body = {
        "type": problem_type(code),
        "title": _titles().get(status, _("Something went wrong on our side")),
        "status": status,
        "detail": str(detail or _details().get(status, "")),
        "instance": request.path,
    }
    if errors:
        body["errors"] = [
            {"field": error["field"], "message": str(error["message"])} for error in errors
        ]
    return body


def problem_response(status, detail=None, code=None, errors=None, headers=None):
    response = make_response(
        json.dumps(problem_body(status, detail, code, errors), ensure_ascii=False), status
    )
    response.mimetype = MIMETYPE
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def from_error(error):
    return problem_response(error.status, error.detail, error.code, error.errors, error.headers)
