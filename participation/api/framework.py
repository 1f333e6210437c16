"""How an API operation is declared, and what every operation shares.

An operation is a view function declared with :func:`operation`: its query parameters, request
body and response are pydantic models. The same declaration validates what arrives, shapes
what leaves, and is read by :mod:`participation.api.openapi` to write the OpenAPI document, so
the document and the behaviour cannot drift apart.

Authentication: ``Authorization: Bearer <personal access token>``, or the browser's session
(then writes need the ``X-CSRFToken`` header). Views stay thin: load, check permission, call
the operation; this module commits once after a successful write and rolls back on any error.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from functools import wraps
from itertools import accumulate

import pydantic
from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from participation.accounts.operations import touch_access_token, user_for_token
from participation.api.problems import ApiError, from_error
from participation.core.forms import valid_id
from participation.core.rules import RuleError, suspension_message
from participation.core.sanitize import clean_input
from participation.core.transactions import SAFE_METHODS
from participation.extensions import csrf, db

JSON_MIMETYPE = "application/json"
PUBLIC, READ, WRITE = None, "read", "write"


@dataclass
class Operation:
    """What the OpenAPI document says about one operation."""

    rule: str
    method: str
    operation_id: str
    summary: object
    description: object = ""
    tag: str = ""
    auth: str | None = PUBLIC
    query: type | None = None
    body: type | None = None
    response: type | None = None
    status: int = 200
    paginated: bool = False
    errors: tuple = ()


REGISTRY: list[Operation] = []


class Serialised(str):
    """A response body an operation already wrote as JSON (a cached answer, shaped by its
    response model when it was made): sent as it is."""


def operation(bp, rule, method, operation_id, summary, *, description="", tag="", auth=PUBLIC,
              query=None, body=None, response=None, status=200, paginated=False, errors=(),
              limit=None, limit_scope=None):  # fmt: skip
    """Declare an API operation on ``bp``: the route, its models and who may call it.

    ``errors``: statuses the operation answers besides the ones every operation may give
    (401, 422 when it takes input, 404 when it has path parameters, 429, 500).
    ``limit_scope``: a rate limit applied per person, whose counter the pages of the same
    scope share; its allowance is the one ``extensions.WRITE_SCOPES`` gives the scope, unless
    ``limit`` (callable or string) says otherwise.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(**path_args):
            try:
                if not all(_plausible(value) for value in path_args.values()):
                    raise ApiError(404)
                _require(auth)
                kwargs = dict(path_args)
                if query is not None:
                    kwargs["query"] = _parse_query(query)
                if body is not None:
                    kwargs["body"] = _parse_body(body)
                result = view(**kwargs)
                headers = {}
                if isinstance(result, tuple):
                    result, headers = result
                payload = _serialise(response, result)
                if method not in SAFE_METHODS:
                    db.session.commit()
            except ApiError as error:
                db.session.rollback()
                return from_error(error)
            except RuleError as error:
                db.session.rollback()
                return from_error(rule_problem(error))
            except HTTPException:
                db.session.rollback()
                raise
            return _respond(payload, status, headers)

        endpoint = operation_id
        # One name per operation: the rate limiter counts limits by the function's name, and
        # the issue and proposal operations share their view functions' code.
        wrapped.__name__ = wrapped.__qualname__ = operation_id
        if limit_scope is not None:
            from participation.extensions import WRITE_SCOPES, configured_limit, limiter

            allowance = limit or configured_limit(WRITE_SCOPES[limit_scope])
            wrapped = limiter.shared_limit(allowance, scope=limit_scope)(wrapped)
        # Ids too large for the database are 404 here (the pages' converter would not match
        # them at all, and another method's rule would answer 405).
        flask_rule = rule.replace("<int:", "<api_id:")
        bp.add_url_rule(flask_rule, endpoint=endpoint, view_func=wrapped, methods=[method])
        REGISTRY.append(
            Operation(
                rule=rule, method=method, operation_id=operation_id, summary=summary,
                description=description, tag=tag, auth=auth, query=query,
                body=body, response=response, status=status, paginated=paginated,
                errors=tuple(errors),
            )
        )  # fmt: skip
        return wrapped

    return decorator


class ApiIdConverter(BaseConverter):
    """Any run of digits; the operation answers 404 for those no row can have."""

    regex = r"\d{1,30}"

    def to_python(self, value):
        return int(value)


def _plausible(value):
    """A path part that can name a row: an id in range, a text without control characters
    (PostgreSQL refuses NUL in a query outright)."""
    if isinstance(value, int):
        return valid_id(value)
    return clean_input(value) == value


def register_converters(state):
    state.app.url_map.converters["api_id"] = ApiIdConverter


# --- authentication --------------------------------------------------------------------------


def authenticate():
    """Before every API request: a bearer token signs the request in as its owner.

    Requests without a token keep the browser session (if any); their writes need the CSRF
    token, so another site cannot make a signed-in browser write through the API.
    """
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, value = header.partition(" ")
        user, row = user_for_token(value.strip()) if scheme.lower() == "bearer" else (None, None)
        if user is None:
            raise ApiError(
                401, _("The token is unknown or was revoked."), "invalid-token",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )  # fmt: skip
        g.api_token = row
        # Flask-Login keeps the request's user here; current_user is the token's owner.
        g._login_user = user
        if touch_access_token(row, in_request_transaction=request.method not in SAFE_METHODS):
            db.session.commit()  # a fresh snapshot for the rest of the request (nothing to save)
    elif request.method not in SAFE_METHODS and current_user.is_authenticated:
        from flask import current_app

        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()


def _require(auth):
    if auth is PUBLIC:
        return
    if not current_user.is_authenticated:
        raise ApiError(
            401, _("Send a personal access token: Authorization: Bearer <token>."),
            "unauthorized", headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    if auth == WRITE:
        token = g.get("api_token")
        if token is not None and not token.can_write:
            raise ApiError(
                403, _("This token may only read. Create a token that may also write."),
                "insufficient-scope",
                headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="write"'},
            )  # fmt: skip
        if current_user.is_suspended:
            raise ApiError(403, suspension_message(current_user), "suspended")


def rule_problem(error):
    """A broken rule: 422 beside its field when it names one, else 409 (not possible now)."""
    if error.field:
        errors = [{"field": problem.field, "message": problem.message}
                  for problem in error.problems if problem.field]  # fmt: skip
        return ApiError(422, error.message, "validation", errors=errors)
    return ApiError(409, error.message, "rule")


# --- input -----------------------------------------------------------------------------------


def _parse_query(model):
    data = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in request.args:
            values = request.args.getlist(key)
            data[key] = values if _is_list(info.annotation) else values[-1]
    unknown = sorted(set(request.args) - set(data))
    errors = [{"field": key, "message": _("This parameter is not known.")} for key in unknown]
    try:
        query = _validate(model, data, "query")
    except ApiError as error:
        error.errors = [*error.errors, *errors]
        raise
    if errors:
        raise ApiError(422, code="validation", errors=errors)
    return query


def _is_list(annotation):
    return getattr(annotation, "__origin__", None) is list


# What a request body may be: every operation's body is a small, flat object (the longest, a
# proposal, is 10,000 characters: 60 KB as \\u escapes). Both are checked before parsing, so a
# body nested 100,000 levels deep cannot exhaust the parser's recursion.
MAX_BODY_BYTES = 256 * 1024
MAX_BODY_DEPTH = 16
_ESCAPED = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKET = bytes(byte for byte in range(256) if byte not in b"[]{}")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(data):
    """How deeply ``data`` (JSON text as bytes) nests arrays and objects, found without parsing
    it, in time proportional to its length (escapes, then strings, are taken out first)."""
    brackets = _STRING.sub(b"", _ESCAPED.sub(b"", data)).translate(None, _NOT_BRACKET)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _parse_body(model):
    if request.mimetype != JSON_MIMETYPE:
        raise ApiError(415, code="unsupported-media-type")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise ApiError(413, code="too-large")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, code="too-large")
    broken = ApiError(400, _("The request body is not valid JSON."), "bad-request")
    if json_depth(raw) > MAX_BODY_DEPTH:
        raise broken
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise broken from None
    # JSON text gets the cleaning forms and live events get.
    return _validate(model, clean_input(data), "body")


def _validate(model, data, where):
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        raise ApiError(422, code="validation", errors=field_errors(error, where)) from None


def field_errors(error, where="body"):
    """pydantic's errors as (field, translated message) for problem documents."""
    errors = []
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"]) or where
        errors.append({"field": path, "message": _message(item)})
    return errors


def _message(item):
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long", "too_long"):
        return _("Use at most %(count)s characters.", count=context.get("max_length"))
    if kind in ("string_too_short", "too_short"):
        if context.get("min_length") == 1:
            return _("This must not be empty.")
        return _("Use at least %(count)s characters.", count=context.get("min_length"))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Please enter a whole number.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Use a number of at least %(number)s.",
                 number=context.get("ge", context.get("gt")))  # fmt: skip
    if kind in ("less_than_equal", "less_than"):
        return _("Use a number of at most %(number)s.",
                 number=context.get("le", context.get("lt")))  # fmt: skip
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(values)s.", values=context.get("expected", ""))
    if kind in ("string_type", "string_sub_type"):
        return _("This must be text.")
    if kind in ("bool_parsing", "bool_type"):
        return _("This must be true or false.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("This must be a list.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("This must be a JSON object.")
    if kind == "extra_forbidden":
        return _("This field is not known.")
    if kind == "string_pattern_mismatch":
        return _("This is not in the expected form.")
    if kind.startswith("date"):
        return _("Please enter a date as year-month-day.")
    return _("This value is not valid.")


# --- output ----------------------------------------------------------------------------------


def _serialise(model, result):
    if model is None:
        return None
    if isinstance(result, Serialised):
        return result
    if not isinstance(result, model):
        result = model.model_validate(result)
    return result.model_dump(mode="json", by_alias=True)


def _respond(payload, status, headers):
    from flask import make_response

    if payload is None:
        response = make_response("", status)
    else:
        text = (
            payload if isinstance(payload, Serialised) else json.dumps(payload, ensure_ascii=False)
        )
        response = make_response(text, status)
        response.mimetype = JSON_MIMETYPE
    for key, value in headers.items():
        response.headers[key] = value
    response.vary.update(("Accept-Language", "Authorization", "Cookie"))
    if request.method in ("GET", "HEAD") and status == 200:
        response.headers["Cache-Control"] = "private, no-cache"
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:40])
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


# --- pagination ------------------------------------------------------------------------------


def paginated(endpoint, path_args, items, page, **params):
    """A numbered page's body (items, links, pagination) and its Link header."""
    links = page_links(endpoint, path_args, page.page, page.pages, **params)
    body = {
        "items": items,
        "links": links,
        "pagination": {
            "page": page.page, "per_page": page.per_page, "total": page.total,
            "total_is_lower_bound": page.more, "pages": page.pages,
        },
    }  # fmt: skip
    return body, {"Link": link_header(links)}


def page_of(rows, query):
    """The page ``query`` asks for of a list already loaded whole."""
    from participation.proposals.listing import Page

    start = (query.page - 1) * query.per_page
    return Page(rows[start : start + query.per_page], len(rows), query.page, query.per_page, "")


def page_links(endpoint, path_args, page, pages, **params):
    """Links of a numbered page: self, first, prev and next (null at the ends)."""
    from flask import url_for

    def link(number):
        return url_for(endpoint, **path_args, **_present(params), page=number)

    return {
        "self": link(page),
        "first": link(1),
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }


def cursor_links(endpoint, path_args, current, prev_cursor, next_cursor, **params):
    """Links of a cursor page (the newest first): self, first, prev (newer), next (older)."""
    from flask import url_for

    def link(cursor):
        return url_for(endpoint, **path_args, **_present(params), **({"cursor": cursor}
                       if cursor else {}))  # fmt: skip

    return {
        "self": link(current),
        "first": link(None),
        "prev": link(prev_cursor) if prev_cursor else None,
        "next": link(next_cursor) if next_cursor else None,
    }


def _present(params):
    return {key: value for key, value in params.items() if value not in (None, "", False)}


def link_header(links):
    """The same links for clients that read headers (RFC 8288)."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
