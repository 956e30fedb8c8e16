"""/api/v1/openapi.json describes the whole API, and the API keeps to it under schemathesis."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from comments import create_app
from tests.comments.conftest import ABUSIVE, NICE, PUBLIC_LOCALHOST, PostComment, StaffToken
from tests.conftest import base_config

DOCUMENT = "/api/v1/openapi.json"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return PUBLIC_LOCALHOST


def _documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def _routed_operations(app: Flask) -> set[tuple[str, str]]:
    """Every method of every rule under /api/v1, written the OpenAPI way."""
    return {
        (method, re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_document_is_valid_openapi_and_covers_every_api_route(app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi(DOCUMENT, app)
    schema.validate()  # against the OpenAPI 3.0 meta-schema
    assert _documented_operations(schema.raw_schema) == _routed_operations(app)


def test_document_describes_errors_and_staff_credentials(client: FlaskClient) -> None:
    document = client.get(DOCUMENT).get_json()
    decision = document["paths"]["/api/v1/moderation/comments/{comment_id}/decision"]["post"]
    assert decision["security"] == [{"bearerToken": []}, {"staffSession": [], "csrfToken": []}]
    assert {"401", "403", "404", "409", "422"} <= decision["responses"].keys()
    assert document["components"]["schemas"]["Error"]["required"] == ["code", "message", "status"]
    public = document["paths"]["/api/v1/comments"]["post"]
    assert "security" not in public
    assert public["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CommentCreate"
    }
    (comment_id,) = decision["parameters"]
    assert comment_id["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**53 - 1}
    (key,) = public["parameters"]
    assert (key["in"], key["name"], key["required"]) == ("header", "Idempotency-Key", False)
    assert key["schema"]["maxLength"] == 64
    assert "Idempotency-Key" in document["components"]["responses"]["BadRequest"]["description"]


def test_document_is_public_and_cacheable(client: FlaskClient) -> None:
    first = client.get(DOCUMENT)
    assert first.status_code == 200
    assert first.cache_control.public and first.cache_control.max_age
    again = client.get(DOCUMENT, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# --- schemathesis -------------------------------------------------------------------


@pytest.fixture
def staff_auth(staff_headers: StaffToken) -> dict[str, str]:
    """An admin's real API token, so staff operations reach their handlers, not just 401."""
    return staff_headers("admin")


@pytest.fixture
def seeded_app(app: Flask, post_comment: PostComment, staff_auth: dict[str, str]) -> Flask:
    """Comment 1 is published and reported, 2 held, 3 published with an e-mail (bans and
    trust need one): ids at the lower bound, which schemathesis tries, reach real rows."""
    posted = [
        post_comment(body=NICE),
        post_comment(body=ABUSIVE, author_email="troll@example.org"),
        post_comment(body=NICE + " Again.", author_email="ann@example.org"),
    ]
    assert [response.get_json()["status"] for response in posted] == [
        "published",
        "pending",
        "published",
    ]
    report = app.test_client().post("/api/v1/comments/1/reports", json={"reason": "spam"})
    assert report.status_code == 201
    return app


# Building the document touches no database, so an app that never serves a request loads it.
api = schemathesis.openapi.from_wsgi(
    DOCUMENT,
    create_app(base_config("sqlite://")),
    config=schemathesis.Config.from_dict(
        {"seed": 0, "generation": {"max-examples": 100, "deterministic": True}}
    ),
)


@api.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_keeps_to_its_document(
    case: schemathesis.Case, seeded_app: Flask, staff_auth: dict[str, str]
) -> None:
    """No server error, and every answer is one the document lists, in the shape it gives."""
    response = case.call_and_validate(
        app=seeded_app,
        headers=staff_auth,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
    assert response.status_code != 401, "the staff token should reach every handler"
