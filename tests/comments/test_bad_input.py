"""Every kind of bad input gets a clear error, the right status, and stores nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.comments.conftest import PostComment, StaffToken


def assert_field_error(response: Any, field: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity"
    assert field in body["errors"], body
    assert all(isinstance(message, str) for message in body["errors"][field])


@pytest.fixture(autouse=True)
def nothing_stored(count_comments: Callable[[], int]) -> Any:
    yield
    assert count_comments() == 0


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/comments", data='{"thread": "/a", "body": ', content_type="application/json"
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == 400
    assert body["message"] == "The request body is not valid JSON."
    # The decoder's own words say where it stopped, so a client can find its mistake.
    assert body["errors"]["_body"] == ["Expecting value: line 1 column 26 (char 25)"]


def test_body_that_is_not_utf8_is_400(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/comments", data=b'{"body": "\xff"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "utf-8" in response.get_json()["errors"]["_body"][0]


def test_other_content_type_is_415(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", data={"thread": "/a", "body": "hi"})
    assert response.status_code == 415
    assert "JSON" in response.get_json()["message"]


def test_oversized_request_is_413(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", json={"thread": "/a", "body": "x" * 70_000})
    assert response.status_code == 413
    assert response.get_json()["code"] == 413


def test_json_that_is_not_an_object(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", json=["thread", "body"])
    assert_field_error(response, "_schema")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": None}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   \u202e\u2066  "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": 42}, "body"),
        ({"thread": ""}, "thread"),
        ({"author_email": "not-an-email"}, "author_email"),
        ({"author_email": "a" * 250 + "@example.org"}, "author_email"),
        ({"author_url": "javascript:alert(1)"}, "author_url"),
        ({"author_url": "ftp://example.org/x"}, "author_url"),
        ({"author_url": "https://example.org/" + "a" * 200}, "author_url"),
        ({"author_name": "N" * 81}, "author_name"),
        ({"author_name": "\u3164\u200b"}, "author_name"),  # a blank letter, a zero-width space
        ({"author_name": "\u0301\u0301"}, "author_name"),  # combining marks with no base
        ({"parent_id": "1"}, "parent_id"),
        ({"parent_id": 2**64}, "parent_id"),
        ({"parent_id": 999}, "parent_id"),
        ({"idempotency_key": "../../etc"}, "idempotency_key"),
        # A regex's $ also matches before a final newline: the key is one line, as documented.
        ({"idempotency_key": "abcdefgh\n"}, "idempotency_key"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_invalid_fields_are_422(
    post_comment: PostComment, fields: dict[str, Any], field: str
) -> None:
    assert_field_error(post_comment(**fields), field)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Must contain visible text."),
        ("  \n\t ", "Must contain visible text."),
        # Only what the cleaning removes: bidi controls, a lone surrogate, a NUL.
        ("\u202e\u2066\ud800\x00", "Must contain visible text."),
        # What a browser draws as nothing: zero-width and format characters, a combining mark
        # with no base, Hangul fillers, the braille blank, ideographic space.
        (" \u200b\u2060\u00ad\u200d ", "Must contain visible text."),
        ("\u034f\ufe0f", "Must contain visible text."),
        ("\u3164\u115f\u2800\u3000", "Must contain visible text."),
        ("x" * 10_001, "Must be at most 10000 characters."),
    ],
)
def test_a_body_error_says_what_is_wrong(
    post_comment: PostComment, body: str, message: str
) -> None:
    response = post_comment(body=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"body": [message]}


def test_missing_body(client: FlaskClient) -> None:
    assert_field_error(client.post("/api/v1/comments", json={"thread": "/a"}), "body")


def test_wrong_method_is_405_json(client: FlaskClient) -> None:
    response = client.delete("/api/v1/comments")
    assert response.status_code == 405
    assert response.get_json()["code"] == 405


BEYOND_ANY_ROW = 2**64  # more than SQLite or a PostgreSQL bigint can hold


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/v1/moderation/comments/{BEYOND_ANY_ROW}"),
        ("POST", f"/api/v1/moderation/comments/{BEYOND_ANY_ROW}/trust"),
        ("POST", f"/api/v1/moderation/bans/{BEYOND_ANY_ROW}/lift"),
        ("POST", f"/api/v1/comments/{BEYOND_ANY_ROW}/reports"),
        # Paths that other methods serve too: Werkzeug alone would answer 405.
        ("PATCH", f"/api/v1/comments/{BEYOND_ANY_ROW}"),
        ("DELETE", f"/api/v1/comments/{BEYOND_ANY_ROW}"),
        ("PATCH", f"/api/v1/admin/webhooks/{BEYOND_ANY_ROW}"),
    ],
)
def test_ids_beyond_any_row_are_404(
    client: FlaskClient, staff_headers: StaffToken, method: str, path: str
) -> None:
    response = client.open(
        path, method=method, json={"reason": "spam"}, headers=staff_headers("admin")
    )
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_forged_queue_cursor_is_422(client: FlaskClient, staff_headers: StaffToken) -> None:
    forged = base64.urlsafe_b64encode(json.dumps(["2024-01-01T00:00:00", BEYOND_ANY_ROW]).encode())
    response = client.get(
        "/api/v1/moderation/queue",
        query_string={"cursor": forged.decode()},
        headers=staff_headers("admin"),
    )
    assert_field_error(response, "cursor")


#: Well under MAX_CONTENT_LENGTH, far deeper than Python's decoder can recurse.
TOO_DEEP = "[" * 30_000 + "]" * 30_000


@pytest.mark.parametrize(
    "path", ["/api/v1/comments", "/api/v1/comments/held", "/api/v1/privacy/requests"]
)
def test_json_nested_too_deeply_is_400_not_500(client: FlaskClient, path: str) -> None:
    body = '{"thread": "/a", "body": ' + TOO_DEEP + "}"
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["errors"]["_body"] == ["Arrays and objects are nested too deeply."]


def test_json_nested_too_deeply_is_400_for_staff_too(
    client: FlaskClient, staff_headers: StaffToken
) -> None:
    response = client.post(
        "/api/v1/moderation/decisions",
        data=TOO_DEEP,
        headers={**staff_headers("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "_body" in response.get_json()["errors"]


def test_a_thread_cursor_with_a_trailing_newline_is_422(client: FlaskClient) -> None:
    response = client.get("/api/v1/comments?thread=/a&cursor=12%0A")
    assert_field_error(response, "cursor")
