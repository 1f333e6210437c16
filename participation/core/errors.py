"""Error pages in the reader's language, as HTML for browsers and JSON for JSON clients."""

import logging
from contextlib import suppress

import sqlalchemy as sa
from flask import current_app, g, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from participation.core.transactions import database_problem

logger = logging.getLogger(__name__)

# The database failed: refused, cut, frozen past DATABASE_TIMEOUT, out of disk, or busy.
DATABASE_ERRORS = (sa.exc.OperationalError, sa.exc.TimeoutError)
# Seconds a client is asked to wait: a busy lock clears at once, an outage takes longer.
RETRY_AFTER = {"busy": 2, "other": 30}


def error_titles():
    return {
        400: _("The request could not be understood"),
        401: _("Please sign in first"),
        403: _("You do not have permission to do this"),
        404: _("We could not find that page"),
        405: _("That action is not possible here"),
        413: _("The upload is too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("The service is busy; please try again shortly"),
    }


def error_details():
    return {
        400: _("Please check what you sent and try again."),
        401: _("Sign in to continue."),
        403: _("If you think you should have access, contact the municipality."),
        404: _("The address may be wrong, or the page may have been removed."),
        405: _("Go back and try again from the page."),
        413: _("Please send a smaller file."),
        429: _("Please wait a moment before trying again."),
        500: _("We have been told and will look into it. Please try again later."),
        503: _("Please try again in a few minutes."),
    }


def wants_json():
    """Return True when the client asked for JSON rather than a page."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status, detail=None, headers=None):
    title = error_titles().get(status, _("Something went wrong on our side"))
    detail = detail or error_details().get(status, "")
    if request_ctx.url_adapter is None:
        # The request was refused before routing (e.g. an untrusted Host): no page links.
        return make_response(f"{status} {title}", status, {"Content-Type": "text/plain"})
    if request.path.startswith("/api/"):
        from participation.api.problems import problem_response

        return problem_response(status, detail, headers=headers)
    if wants_json():
        response = jsonify({"status": status, "title": title, "detail": detail})
        response.status_code = status
        response.mimetype = "application/problem+json"
    else:
        try:
            page = render_template("errors/error.html", status=status, title=title, detail=detail)
        except DATABASE_ERRORS as error:  # the page's header needs the database, which failed
            return handle_database_error(error)
        response = make_response(page, status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_http_exception(error):
    headers = {}
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    # Flask-Limiter adds Retry-After and the X-RateLimit headers to 429 responses itself.
    return error_response(error.code or 500, headers=headers)


def handle_csrf_error(error):
    if request.path.startswith("/api/"):
        from participation.api.problems import problem_response

        return problem_response(
            400, _("Send the X-CSRFToken header, or use a personal access token."), "csrf"
        )
    return error_response(400, _("The form expired. Please go back, reload it and try again."))


def database_unavailable():
    """Whether this request already met a failed database: from then on, its locale comes from
    the cookie or the browser, not the signed-in person's saved preference, and its error page
    touches no model (participation.core.i18n, unavailable_response)."""
    return bool(g.get("database_unavailable"))


def handle_database_error(error):
    """The database failed (busy, down, frozen, or out of disk): answer 503 with Retry-After,
    in the reader's language, without asking the database anything more. Nothing was stored:
    the request's transaction rolls back."""
    problem = database_problem(error)
    if problem == "schema":
        return handle_unexpected_error(error)
    g.database_unavailable = True
    with suppress(Exception):  # a dead connection may refuse even the rollback
        from participation.extensions import db

        db.session.rollback()
    if problem == "busy":
        logger.warning("Database busy on %s %s", request.method, request.path)
    else:
        logger.error(
            "Database %s on %s %s: %s", problem, request.method, request.path,
            str(getattr(error, "orig", error)).strip().splitlines()[0] if str(error) else "",
        )  # fmt: skip
    return unavailable_response(problem)


def unavailable_response(problem):
    """A 503 for a database problem, rendered from a template that needs no database (no
    signed-in person, no notification count: base.html needs both)."""
    retry_after = RETRY_AFTER["busy" if problem == "busy" else "other"]
    headers = {"Retry-After": str(retry_after), "Cache-Control": "no-store"}
    if problem == "busy":
        title = _("The service is busy; please try again shortly")
        detail = _("Please try again in a few minutes.")
    else:
        title = _("Ruamkid is temporarily unavailable")
        detail = _(
            "Our storage is not answering, so nothing you sent just now was saved. "
            "Please try again in a few minutes."
        )
    if request_ctx.url_adapter is None or request.path.startswith("/api/"):
        return error_response(503, detail, headers)
    if wants_json():
        response = jsonify({"status": 503, "title": title, "detail": detail})
        response.status_code = 503
        response.mimetype = "application/problem+json"
        response.headers.update(headers)
        return response
    from participation.core.i18n import current_language

    page = current_app.jinja_env.get_template("errors/unavailable.html").render(
        title=title, detail=detail, language=current_language(),
        again_url=request.full_path.rstrip("?") if request.method == "GET" else None,
    )  # fmt: skip
    response = make_response(page, 503)
    response.headers.update(headers)
    return response


def handle_unexpected_error(error):
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500)


def register_error_handlers(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    for error_class in DATABASE_ERRORS:
        app.register_error_handler(error_class, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected_error)
