"""A chunked request body (no Content-Length) is held to MAX_CONTENT_LENGTH as a sized one is:
413 past it, in the API's error shape, never a body cut at the limit and then refused as bad
JSON (400) or read as a shorter form.

The test client sends the body as gunicorn and Werkzeug's server hand a de-chunked one to the
app: without Content-Length, with ``wsgi.input_terminated`` set."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.comments.conftest import NICE

LIMIT = 2000


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"MAX_CONTENT_LENGTH": LIMIT}


def chunked(client: FlaskClient, path: str, body: bytes, content_type: str) -> TestResponse:
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def comment_of_size(size: int) -> bytes:
    """A valid comment whose JSON is exactly ``size`` bytes."""
    fields = {"thread": "/a", "author_name": "Ann", "body": NICE + " "}
    padding = size - len(json.dumps(fields).encode())
    fields["body"] += "x" * padding
    body = json.dumps(fields).encode()
    assert len(body) == size
    return body


@pytest.mark.parametrize("chunks", [True, False], ids=["chunked", "sized"])
def test_a_body_past_the_limit_is_413_in_the_api_error_shape(
    client: FlaskClient, chunks: bool
) -> None:
    body = comment_of_size(LIMIT + 1)
    if chunks:
        response = chunked(client, "/api/v1/comments", body, "application/json")
    else:
        response = client.post("/api/v1/comments", data=body, content_type="application/json")
    assert response.status_code == 413, response.get_json()
    assert response.get_json() == {
        "code": 413,
        "status": "Request Entity Too Large",
        "message": "The request is too large.",
    }


def test_a_chunked_body_up_to_the_limit_is_read_whole(client: FlaskClient) -> None:
    response = chunked(client, "/api/v1/comments", comment_of_size(LIMIT), "application/json")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["html"].endswith("x</p>")


def test_a_chunked_form_past_the_limit_is_413_not_a_shorter_form(client: FlaskClient) -> None:
    """The readers' privacy form: the address at the end would have been cut off."""
    form = f"kind=export&padding={'x' * LIMIT}&email=ann@example.org".encode()
    response = chunked(client, "/privacy", form, "application/x-www-form-urlencoded")
    assert response.status_code == 413
