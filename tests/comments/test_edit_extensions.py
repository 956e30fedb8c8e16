"""A reader extends the time to edit their own comment (WCAG 2.2.1, Timing Adjustable): by a
fixed step, a limited number of times, only with the comment's edit token and while the window
is open; the extended deadline is stored and enforced like the original one."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from comments.extensions import db
from comments.models import Comment, Decision
from comments.services import edits
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.comments.test_reader_edits import EDITED, edit, remove


def extend(client: FlaskClient, comment_id: int, token: str | None) -> Any:
    headers = {"X-Edit-Token": token} if token is not None else {}
    return client.post(f"/api/v1/comments/{comment_id}/edit-extensions", headers=headers)


def stored(app: Flask, comment_id: int) -> tuple[int, int]:
    """The comment's extensions and the number of decisions in the database."""
    with app.app_context():
        extensions = db.session.scalar(
            select(Comment.edit_extensions).where(Comment.id == comment_id)
        )
        decisions = db.session.scalar(select(func.count()).select_from(Decision))
    assert extensions is not None
    return extensions, decisions or 0


@pytest.fixture
def posted(post_comment: PostComment) -> dict[str, Any]:
    response = post_comment(body=NICE)
    assert response.status_code == 201
    data: dict[str, Any] = response.get_json()
    assert data["status"] == "published"
    return data


def set_window(runner: FlaskCliRunner, seconds: int) -> None:
    result = runner.invoke(
        args=["sites", "update", "default", "--edit-window-seconds", str(seconds)]
    )
    assert result.exit_code == 0, result.output


def test_an_extension_moves_the_deadline_by_five_minutes_and_is_stored(
    app: Flask, client: FlaskClient, posted: dict[str, Any]
) -> None:
    assert posted["edit_extensions_left"] == 10
    _, decisions = stored(app, posted["id"])
    response = extend(client, posted["id"], posted["edit_token"])
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert set(answer) == {"id", "editable_until", "edit_extensions_left"}
    assert answer["id"] == posted["id"] and answer["edit_extensions_left"] == 9
    before = datetime.fromisoformat(posted["editable_until"])
    assert datetime.fromisoformat(answer["editable_until"]) - before == timedelta(minutes=5)
    # Stored, not a decision: moderators' "expected_decision" checks are not disturbed.
    assert stored(app, posted["id"]) == (1, decisions)
    # Every later answer to the poster names the new deadline.
    edited = edit(client, posted["id"], posted["edit_token"], body=EDITED).get_json()
    assert edited["editable_until"] == answer["editable_until"]
    assert edited["edit_extensions_left"] == 9


def test_ten_extensions_then_a_clear_refusal(
    app: Flask, client: FlaskClient, posted: dict[str, Any]
) -> None:
    for left in range(9, -1, -1):
        response = extend(client, posted["id"], posted["edit_token"])
        assert response.status_code == 200 and response.get_json()["edit_extensions_left"] == left
    until = response.get_json()["editable_until"]
    refused = extend(client, posted["id"], posted["edit_token"])
    assert refused.status_code == 409
    assert refused.get_json() == {
        "code": 409,
        "status": "Conflict",
        "message": "The editing time of this comment was already extended 10 times, "
        "the most allowed.",
    }
    assert stored(app, posted["id"])[0] == 10
    created = datetime.fromisoformat(posted["created_at"])
    assert datetime.fromisoformat(until) - created == timedelta(seconds=900 + 10 * 300)


def test_wrong_missing_and_other_tokens_are_refused(
    app: Flask, client: FlaskClient, post_comment: PostComment, posted: dict[str, Any]
) -> None:
    other = post_comment(body=EDITED).get_json()
    before = stored(app, posted["id"])
    for token in (None, "", posted["edit_token"][:-2] + "xx", other["edit_token"]):
        response = extend(client, posted["id"], token)
        assert response.status_code == 403, token
        assert "edit token" in response.get_json()["message"]
    assert stored(app, posted["id"]) == before
    assert extend(client, 999_999, posted["edit_token"]).status_code == 404


def test_the_extended_deadline_is_enforced(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Edits pass after the site's window while extended, and are refused after the
    extension as after the window; a closed window cannot be extended."""
    monkeypatch.setattr(edits, "EXTENSION_SECONDS", 2)
    set_window(runner, 1)
    data = post_comment(body=NICE).get_json()
    assert extend(client, data["id"], data["edit_token"]).status_code == 200
    time.sleep(1.2)  # past the site's window, within the extension
    saved = edit(client, data["id"], data["edit_token"], body=EDITED)
    assert saved.status_code == 200 and saved.get_json()["html"].startswith("<p>On reflection")
    time.sleep(2)  # past the extension too
    over = "The time for editing or deleting this comment is over."
    for response in (
        edit(client, data["id"], data["edit_token"], body=ABUSIVE),
        remove(client, data["id"], data["edit_token"]),
        extend(client, data["id"], data["edit_token"]),
    ):
        assert response.status_code == 409 and response.get_json()["message"] == over
    assert stored(app, data["id"])[0] == 1


def test_a_site_without_editing_offers_no_extension(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    set_window(runner, 0)
    data = post_comment(body=NICE).get_json()
    response = extend(client, data["id"], data["edit_token"])
    assert response.status_code == 409 and "over" in response.get_json()["message"]
    assert stored(app, data["id"])[0] == 0


@pytest.mark.parametrize("action", ["approve", "reject", "spam"])
def test_a_comment_decided_by_a_moderator_cannot_be_extended(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    staff_headers: StaffToken,
    action: str,
) -> None:
    held = post_comment(body=ABUSIVE).get_json()
    assert held["status"] == "pending"
    decided = client.post(
        f"/api/v1/moderation/comments/{held['id']}/decision",
        json={"action": action},
        headers=staff_headers("moderator"),
    )
    assert decided.status_code == 200, decided.get_json()
    response = extend(client, held["id"], held["edit_token"])
    assert response.status_code == 409
    assert response.get_json()["message"] == (
        "A moderator has decided on this comment: its editing time cannot be extended."
    )
    assert stored(app, held["id"])[0] == 0


def test_a_deleted_comment_cannot_be_extended(
    app: Flask, client: FlaskClient, posted: dict[str, Any]
) -> None:
    assert remove(client, posted["id"], posted["edit_token"]).status_code == 200
    response = extend(client, posted["id"], posted["edit_token"])
    assert response.status_code == 409
    assert response.get_json()["message"] == "The comment was deleted."
    assert stored(app, posted["id"])[0] == 0


def test_an_origin_the_site_does_not_allow_cannot_extend(
    client: FlaskClient, posted: dict[str, Any]
) -> None:
    response = client.post(
        f"/api/v1/comments/{posted['id']}/edit-extensions",
        headers={"X-Edit-Token": posted["edit_token"], "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_openapi_document_describes_the_extension(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/comments/{comment_id}/edit-extensions"]["post"]
    assert set(operation["responses"]) >= {"200", "403", "404", "409", "429"}
    posted_schema = spec["components"]["schemas"]
    assert any("edit_extensions_left" in s.get("properties", {}) for s in posted_schema.values())
