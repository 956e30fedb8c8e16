"""The OpenAPI 3 document of /api/v1, built from the routes and the contracts of their views.

Nothing here is written twice: paths and path parameters come from the URL map, request
headers, request and response bodies from the marshmallow schemas that parse and answer
(comments.api.contract), who may call a route from comments.auth.require, and error statuses
from what the route does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, Response, current_app, request
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.wrappers import Response as BaseResponse

from comments.api import bp
from comments.api.contract import Contract, contract, contract_of
from comments.auth import CSRF_HEADER
from comments.errors import ErrorSchema

API_PREFIX = "/api/v1"
DOCUMENT_PATH = "/openapi.json"
#: Browsers and proxies may keep the document this long; it changes only with a deployment.
CACHE_SECONDS = 3600
_EXTENSION_KEY = "openapi_document"

_TAGS = {
    "api": ("public", "What the widget and readers use: no credentials."),
    "moderation_api": ("moderation", "Queues, decisions, bans and trust, for staff."),
    "classifier_api": ("classifier", "Model versions and scores, for staff."),
    "sites_api": ("sites", "Each site's settings: staff read them, admins change them."),
    "site_keys_api": ("site keys", "API keys of each site for the compatible APIs, for admins."),
    "webhooks_api": ("webhooks", "Signed webhook endpoints per site and their delivery log."),
    "exports_api": ("exports", "A site's comments as JSON Lines or WXR, for admins."),
}
_WERKZEUG_ARGUMENT = re.compile(r"<(?:[^<>]*:)?(\w+)>")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Why each error status happens; the body is always an ErrorSchema.
_ERRORS = {
    400: "The body is not well-formed JSON (`errors._body` says where it stops parsing), or"
    " the request says one thing twice, differently (`errors` names the field, e.g."
    " `idempotency_key` differing from the `Idempotency-Key` header).",
    401: "No valid staff credentials (a bearer token or a signed-in session).",
    403: "Refused: a role that may not do this, a missing CSRF token, or a foreign origin.",
    404: "No such resource, or one the caller may not see.",
    405: "The method is not allowed here.",
    409: "The action does not apply in the resource's current state.",
    410: "What the request asks after is no longer kept (`errors` names the field, e.g. a"
    " `since` older than the deletions a thread still remembers: read it again without).",
    413: "The request body is too large.",
    415: "The body is not declared as JSON (Content-Type: application/json).",
    422: "Some fields are not valid; `errors` says which and why.",
    429: "Over a rate limit; retry after `Retry-After` seconds.",
    503: "The database is unavailable (retry after `Retry-After` seconds), or its schema is "
    "behind the code (no `Retry-After`: an operator must run `flask --app wsgi db upgrade`).",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def build_document(app: Flask) -> dict[str, Any]:
    """The whole document; routes under /api/v1 without a contract are left out (a test fails)."""
    spec = APISpec(
        title="Comments API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Comments with built-in moderation: the JSON API under /api/v1."},
        tags=[{"name": name, "description": text} for name, text in _TAGS.values()],
    )
    spec.components.schema("Error", schema=ErrorSchema)
    _security_schemes(spec, app.config["SESSION_COOKIE_NAME"])
    for status, description in _ERRORS.items():
        headers = _RETRY_AFTER if status in (429, 503) else {}
        spec.components.response(
            _error_name(status),
            {"description": description, "content": _json("Error"), "headers": headers},
        )
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        view = app.view_functions[rule.endpoint]
        declared = contract_of(view)
        if not rule.rule.startswith(API_PREFIX) or declared is None:
            continue
        operations = {
            method.lower(): _operation(rule, method, view, declared)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        }
        spec.path(path=_openapi_path(rule), operations=operations)
    document = spec.to_dict()
    _query_values_are_never_null(document)
    return document


def _query_values_are_never_null(document: dict[str, Any]) -> None:
    """marshmallow makes a field with load_default=None nullable, but a query string (or a
    header) cannot carry null: an absent parameter is how a client leaves it out."""
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                schema.pop("nullable", None)
                if "default" in schema and schema["default"] is None:
                    del schema["default"]


def _security_schemes(spec: APISpec, session_cookie: str) -> None:
    spec.components.security_scheme(
        "bearerToken",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A staff API token: `flask --app wsgi users token NAME`.",
        },
    )
    spec.components.security_scheme(
        "staffSession",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": session_cookie,
            "description": "The session cookie of a staff member signed in at /moderation/login.",
        },
    )
    spec.components.security_scheme(
        "csrfToken",
        {
            "type": "apiKey",
            "in": "header",
            "name": CSRF_HEADER,
            "description": "The session's CSRF token; writes with a session cookie need it.",
        },
    )


def _operation(
    rule: Rule, method: str, view: Callable[..., Any], declared: Contract
) -> dict[str, Any]:
    summary, _, description = (view.__doc__ or rule.endpoint).strip().partition("\n")
    roles: frozenset[str] | None = getattr(view, "required_roles", None)
    operation: dict[str, Any] = {
        "operationId": rule.endpoint,
        "summary": summary.strip(),
        "tags": [_tag(rule.endpoint.partition(".")[0])],
        "responses": _responses(rule, declared, roles),
    }
    if description.strip():
        operation["description"] = description.strip()
    parameters = _path_parameters(rule)
    if declared.query is not None:
        parameters.append({"in": "query", "schema": declared.query})
    if declared.headers is not None:
        parameters.append({"in": "header", "schema": declared.headers})
    if parameters:
        operation["parameters"] = parameters
    if declared.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": declared.body}},
        }
    if roles is not None:
        session: dict[str, list[str]] = {"staffSession": []}
        if method in _WRITES:
            session["csrfToken"] = []
        operation["security"] = [{"bearerToken": []}, session]
        operation["description"] = (
            f"{operation.get('description', '')}\n\nRoles: {', '.join(sorted(roles))}."
        ).strip()
    return operation


def _responses(rule: Rule, declared: Contract, roles: frozenset[str] | None) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, schema in sorted(declared.responses.items()):
        content = {
            kind: {"schema": schema if schema else _unspecified(kind)} for kind in declared.produces
        }
        responses[str(status)] = {"description": HTTPStatus(status).phrase, "content": content}
    errors = {503, *declared.errors}
    if declared.body is not None:
        errors |= {400, 413, 415, 422}
    if declared.query is not None or declared.headers is not None:
        errors.add(422)
    if rule.arguments:
        errors.add(404)
    if roles is not None:
        errors |= {401, 403}
    for status in sorted(errors):
        responses[str(status)] = _error_name(status)
    return responses


def _unspecified(media_type: str) -> dict[str, str]:
    """A body without a schema: some JSON object, or a stream of text (JSON Lines, XML)."""
    return {"type": "object" if media_type == "application/json" else "string"}


def _path_parameters(rule: Rule) -> list[dict[str, Any]]:
    """Path parameters with the bounds their URL converters enforce (beyond them: 404)."""
    parameters = []
    # Werkzeug keeps each argument's converter only on this attribute.
    for name, converter in rule._converters.items():
        schema: dict[str, Any] = {"type": "string"}
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer"}
            if converter.min is not None or not converter.signed:
                schema["minimum"] = converter.min or 0
            if converter.max is not None:
                schema["maximum"] = converter.max
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    return parameters


def _openapi_path(rule: Rule) -> str:
    """/comments/<int(min=1):comment_id> -> /comments/{comment_id}"""
    return _WERKZEUG_ARGUMENT.sub(r"{\1}", rule.rule)


def _tag(blueprint: str) -> str:
    return _TAGS[blueprint][0] if blueprint in _TAGS else blueprint


def _error_name(status: int) -> str:
    return HTTPStatus(status).phrase.title().replace(" ", "").replace("-", "")


def _json(component: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}


@bp.get(DOCUMENT_PATH)
@contract({200: None})
def openapi_document() -> BaseResponse:
    """This document: every /api/v1 operation, its parameters, bodies, answers and errors."""
    body, etag = current_app.extensions.get(_EXTENSION_KEY) or _cache_document(current_app)
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response.make_conditional(request)


def _cache_document(app: Flask) -> tuple[str, str]:
    """Built on first request, once per app: every blueprint is registered by then."""
    body = json.dumps(build_document(app), indent=1)
    cached = (body, hashlib.sha256(body.encode()).hexdigest()[:32])
    app.extensions[_EXTENSION_KEY] = cached
    return cached
