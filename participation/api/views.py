"""The API blueprint at /api/v1: its document, its documentation page, tokens and "me".

The operations of each feature are declared in this package's other modules
(contributions, townhalls, records); importing them registers their routes here.
"""

import hashlib
import json

from flask import Blueprint, abort, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation.accounts import operations as accounts
from participation.accounts import throttle
from participation.api import schemas as s
from participation.api.framework import READ, authenticate, operation, register_converters
from participation.api.problems import ApiError, from_error
from participation.core.i18n import current_language
from participation.extensions import configured_limit, csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.record_once(register_converters)  # before the operations' rules are added
# Token requests cannot be forged by another site; browser-session writes are checked for
# their CSRF token in framework.authenticate.
csrf.exempt(bp)
LOGIN_LIMIT = configured_limit("RATELIMIT_LOGIN")
SIGN_IN_SCOPE = "sign-in"  # one counter for the login page and token requests
_documents = {}


@bp.before_request
def _authenticate():
    try:
        authenticate()
    except ApiError as error:
        return from_error(error)
    return None


def _document():
    """The generated document, built once per language."""
    from participation.api.openapi import build_document

    language = current_language()
    if language not in _documents:
        _documents[language] = build_document()
    return _documents[language]


@bp.route("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document, generated from the declared operations."""
    response = make_response(json.dumps(_document(), ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept-Language")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:40])
    return response.make_conditional(request)


@bp.route("/docs")
def docs():
    """The documentation page: the same document, readable, in Thai or English."""
    from participation.api.openapi import problem_types

    document = _document()
    schemas = document["components"]["schemas"]
    return render_template(
        "api/docs.html", document=document, problem_types=problem_types(),
        operations=_operations_by_tag(document),
        fields=lambda schema: _fields(schema, schemas), type_of=_type_of,
    )  # fmt: skip


def _ref_name(schema):
    return schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None


def _fields(schema, schemas):
    """(name, type, required, description) of an object schema's properties, for the page."""
    name = _ref_name(schema)
    schema = schemas[name] if name else schema
    required = set(schema.get("required", ()))
    return [
        (field, _type_of(prop), field in required, prop.get("description", ""))
        for field, prop in schema.get("properties", {}).items()
    ]


def _type_of(schema):
    """A short readable type: string, integer, Card, list of Comment, "a" | "b", or null."""
    if "$ref" in schema:
        return _ref_name(schema)
    if "anyOf" in schema:
        return " | ".join(_type_of(branch) for branch in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if schema.get("type") == "array":
        return f"[{_type_of(schema.get('items', {}))}]"
    return schema.get("type", "object")


def _operations_by_tag(document):
    groups = {tag["name"]: [] for tag in document["tags"]}
    for path, item in document["paths"].items():
        for method, op in item.items():
            groups.setdefault((op.get("tags") or [""])[0], []).append(
                {"path": path, "method": method.upper(), **op}
            )
    return [(tag, groups[tag["name"]]) for tag in document["tags"] if groups[tag["name"]]]


# --- tokens and the signed-in person ------------------------------------------------------------


def token_info(row):
    return {
        "id": row.id, "name": row.name, "scopes": row.scopes.split(), "created": row.created_dt,
        "last_used": row.last_used_dt, "revoked": row.revoked_dt,
    }  # fmt: skip


@operation(bp, "/tokens", "POST", "createToken", _l("Create a token with e-mail and password"),
           tag="tokens", body=s.TokenRequest, response=s.NewToken, status=201,
           limit=LOGIN_LIMIT, limit_scope=SIGN_IN_SCOPE,
           description=_l("For scripts. The same limits as signing in apply, and the answer is "
                          "the same whether or not the address has an account. The token is "
                          "shown once."))  # fmt: skip
def create_token(body):
    # One count per account with the sign-in page (participation/accounts/throttle.py).
    wait = throttle.seconds_to_wait(body.email)
    if wait:
        raise ApiError(429, throttle.wait_message(wait), "rate-limited",
                       headers={"Retry-After": str(wait)})  # fmt: skip
    user = accounts.authenticate(body.email, body.password)
    if user is None:
        db.session.rollback()
        throttle.record_wrong_password(body.email)
        raise ApiError(422, _("The e-mail or password is not correct."), "invalid-credentials")
    throttle.forget(body.email)
    row, token = accounts.create_access_token(user, body.name, write="write" in body.scopes)
    return {**token_info(row), "token": token}, {"Cache-Control": "no-store"}


@operation(bp, "/tokens", "GET", "listTokens", _l("List your tokens"), tag="tokens", auth=READ,
           response=s.TokenList)  # fmt: skip
def list_tokens():
    return {"items": [token_info(row) for row in accounts.access_tokens_of(current_user)]}


@operation(bp, "/tokens/<int:token_id>", "DELETE", "revokeToken", _l("Revoke a token"),
           tag="tokens", auth=READ, response=s.TokenInfo,
           description=_l("A token may always revoke itself; revoking another of your tokens "
                          "needs one that may write."))  # fmt: skip
def revoke_token(token_id):
    row = accounts.find_access_token(current_user, token_id) or abort(404)
    token = g.get("api_token")
    if token is not None and token.id != row.id and not token.can_write:
        raise ApiError(403, _("This token may only read. Create a token that may also write."),
                       "insufficient-scope")  # fmt: skip
    accounts.revoke_access_token(row, current_user)
    return token_info(row)


@operation(bp, "/me", "GET", "getMe", _l("Who you are signed in as"), tag="tokens", auth=READ,
           response=s.Me)  # fmt: skip
def me():
    token = g.get("api_token")
    return {
        "id": current_user.id, "display_name": current_user.display_name,
        "roles": sorted(current_user.roles), "preferred_language": current_user.preferred_language,
        "suspended": current_user.is_suspended,
        "token": token_info(token) if token is not None else None,
    }  # fmt: skip


from participation.api import (  # noqa: E402, F401
    budgets,
    contributions,
    delivery,
    places,
    records,
    townhalls,
)
