"""The OpenAPI 3.1 document, written from the declared operations and their pydantic models.

Nothing here is written by hand per operation: paths, parameters, bodies, responses and
security come from :data:`participation.api.framework.REGISTRY`; schemas from the models.
Titles and descriptions are in the reader's language.
"""

import re

from flask_babel import gettext as _
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from participation.api.framework import PUBLIC, REGISTRY, WRITE
from participation.api.problems import PROBLEM_TYPES
from participation.core.i18n import N_
from participation.core.transactions import SAFE_METHODS

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
SLUG_SCHEMA = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,78}[a-z0-9]$"}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


class FieldError(BaseModel):
    field: str = Field(description=N_("The field at fault, e.g. title or issue_ids.0."))
    message: str = Field(description=N_("What to correct, in the reader's language."))


class Problem(BaseModel):
    """An error (RFC 9457), in the reader's language (Accept-Language)."""

    type: str = Field(description=N_("A link to this kind of problem on the documentation page."))
    title: str
    status: int
    detail: str
    instance: str = Field(description=N_("The path that was asked for."))
    errors: list[FieldError] = Field(
        default_factory=list, description=N_("Per field, when the input was at fault.")
    )


def _tags():
    return [
        {"name": "processes", "description": _("Participatory processes and their phases.")},
        {"name": "issues", "description": _("Issues residents raise during Reframe.")},
        {"name": "proposals", "description": _(
            "Proposals, their supports, the council's responses and implementation updates.")},
        {"name": "comments", "description": _("Comments, replies and votes on them.")},
        {"name": "moderation", "description": _("Reporting content that breaks the rules.")},
        {"name": "townhalls", "description": _("Town halls, their questions and polls.")},
        {"name": "budgets", "description": _(
            "Participatory budgets: projects, your ballot and the published results.")},
        {"name": "summaries", "description": _("Published outcome summaries (open data).")},
        {"name": "transparency", "description": _("The public action log.")},
        {"name": "tokens", "description": _("Personal access tokens and the signed-in person.")},
        {"name": "delivery", "description": _(
            "Delivery of accepted proposals: milestones updated from the municipality's records.")},
    ]  # fmt: skip


def _error_descriptions():
    return {
        "304": _("Not modified: the ETag sent in If-None-Match still matches."),
        "400": _("The request could not be read, or a browser session sent no CSRF token."),
        "401": _("No token was sent where one is needed, or the token is not valid."),
        "403": _("Not allowed: the token may only read, or the person may not do this."),
        "404": _("Not found, or not public."),
        "409": _("A rule of the platform does not allow this now (phase, state, limits)."),
        "413": _("The request body is too large."),
        "415": _("The request body was not sent as application/json."),
        "422": _("Some fields need correcting; see errors."),
        "429": _("Too many requests; wait for the seconds in Retry-After."),
        "503": _("The service is busy; try again after the seconds in Retry-After."),
    }


def _statuses(op):
    codes = {"401", "429", "503"}
    if PATH_PARAM.search(op.rule):
        codes.add("404")
    if op.query is not None:
        codes.add("422")
    if op.method not in SAFE_METHODS:
        codes.add("400")
    if op.body is not None:
        codes |= {"400", "413", "415", "422"}
    if op.auth == WRITE:
        codes.add("403")
    if op.method == "GET":
        codes.add("304")
    codes |= {str(code) for code in op.errors}
    return sorted(codes)


def build_document():
    """Return the whole OpenAPI document as a dict."""
    models = [(Problem, "serialization")]
    for op in REGISTRY:
        if op.query is not None:
            models.append((op.query, "validation"))
        if op.body is not None:
            models.append((op.body, "validation"))
        if op.response is not None:
            models.append((op.response, "serialization"))
    refs, definitions = models_json_schema(models, ref_template=REF)
    schemas = _translated(definitions.get("$defs", {}))

    paths = {}
    for op in REGISTRY:
        path = PREFIX + PATH_PARAM.sub(r"{\2}", op.rule)
        item = paths.setdefault(path[len(PREFIX) :] or "/", {})
        item[op.method.lower()] = _operation(op, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": _("Ruamkid API"),
            "version": "1.0.0",
            "description": _(
                "Read processes, issues, proposals, town halls, summaries and the action log; "
                "take part with a personal access token. Errors are application/problem+json "
                "in the language of Accept-Language (Thai or English)."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": PREFIX}],
        "tags": _tags(),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": _(
                        "A personal access token (rk_...), created on your profile page or "
                        "with POST /tokens. Tokens that may only read cannot write."
                    ),
                }
            },
        },
    }


def _operation(op, refs, schemas):
    parameters = [_path_parameter(converter, name)
                  for converter, name in PATH_PARAM.findall(op.rule)]  # fmt: skip
    if op.query is not None:
        parameters += _query_parameters(op.query)
    result = {
        "operationId": op.operation_id,
        "summary": str(op.summary),
        "tags": [op.tag] if op.tag else [],
        "parameters": parameters,
        "responses": _responses(op, refs),
    }
    if op.description:
        result["description"] = str(op.description)
    if op.auth is PUBLIC:
        result["security"] = [{}, {"bearerAuth": []}]
    else:
        result["security"] = [{"bearerAuth": []}]
        result["x-required-scope"] = "write" if op.auth == WRITE else "read"
    if op.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": refs[(op.body, "validation")]},
            },
        }
    return result


def _translated(schema):
    """The schema with every field description (marked ``N_`` in the models) in the reader's
    language; a property *named* description is a schema, not a text, and is walked into."""
    if isinstance(schema, dict):
        return {
            key: _(value) if key == "description" and isinstance(value, str) else _translated(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_translated(item) for item in schema]
    return schema


def _path_parameter(converter, name):
    schema = dict(ID_SCHEMA) if converter == "int" else dict(SLUG_SCHEMA)
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query_parameters(model):
    schema = model.model_json_schema(mode="validation", ref_template=REF)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        # An absent parameter is the null; a query string cannot carry a null.
        if "anyOf" in prop:
            branches = [b for b in prop.pop("anyOf") if b.get("type") != "null"]
            prop.update(branches[0] if len(branches) == 1 else {"anyOf": branches})
            if prop.get("default", 0) is None:
                prop.pop("default")
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = _(description)
        parameters.append(parameter)
    return parameters


def _responses(op, refs):
    success = {"description": _("Done.") if op.method not in SAFE_METHODS else _("The result.")}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
    headers = {}
    if op.method == "GET":
        headers["ETag"] = {
            "description": _("Send it back in If-None-Match to get 304 when nothing changed."),
            "schema": {"type": "string"},
        }
    if op.paginated:
        headers["Link"] = {
            "description": _("The same links as in the body: first, prev, next (RFC 8288)."),
            "schema": {"type": "string"},
        }
    if headers:
        success["headers"] = headers
    responses = {str(op.status): success}
    problem = {"application/problem+json": {"schema": refs[(Problem, "serialization")]}}
    descriptions = _error_descriptions()
    for code in _statuses(op):
        if code == "304":
            responses[code] = {"description": descriptions[code]}
        else:
            responses[code] = {"description": descriptions.get(code, ""), "content": problem}
    return responses


def problem_types():
    """(code, explanation) of every kind of problem, for the documentation page."""
    return [(code, str(text)) for code, text in PROBLEM_TYPES.items()]
