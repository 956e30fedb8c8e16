"""Readers edit and delete their own comments with the edit token, within the site's window."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update

from comments.extensions import db
from comments.models import Comment, CommentRevision, Decision
from comments.services import accounts
from comments.services.edits import status_after_edit
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.moderation_ui.conftest import PASSWORD, sign_in

EMAIL = "ann@example.org"
EDITED = "On reflection, the second half of the article convinced me as well. Thank you."


def edit(client: FlaskClient, comment_id: int, token: str | None, **body: Any) -> Any:
    headers = {"X-Edit-Token": token} if token is not None else {}
    return client.patch(f"/api/v1/comments/{comment_id}", json=body, headers=headers)


def remove(client: FlaskClient, comment_id: int, token: str | None) -> Any:
    headers = {"X-Edit-Token": token} if token is not None else {}
    return client.delete(f"/api/v1/comments/{comment_id}", headers=headers)


def snapshot(app: Flask) -> tuple[Any, ...]:
    with app.app_context():
        return (
            sorted(db.session.execute(select(Comment.id, Comment.status, Comment.body_raw)).all()),
            db.session.scalar(select(func.count()).select_from(Decision)),
            db.session.scalar(select(func.count()).select_from(CommentRevision)),
        )


@pytest.fixture
def posted(post_comment: PostComment) -> dict[str, Any]:
    response = post_comment(body=NICE, author_email=EMAIL)
    assert response.status_code == 201
    data: dict[str, Any] = response.get_json()
    assert data["status"] == "published" and data["edit_token"]
    return data


def test_the_poster_gets_a_token_and_a_window(posted: dict[str, Any]) -> None:
    created = datetime.fromisoformat(posted["created_at"])
    until = datetime.fromisoformat(posted["editable_until"])
    assert until - created == timedelta(seconds=900)


def test_an_edit_is_scored_and_decided_again_and_moderators_see_the_history(
    app: Flask, client: FlaskClient, posted: dict[str, Any], staff_headers: StaffToken
) -> None:
    response = edit(client, posted["id"], posted["edit_token"], body=ABUSIVE, author_name="Ann B")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "pending"
    assert "fucking" in response.get_json()["html"]
    thread = client.get("/api/v1/comments", query_string={"thread": "/post/1"}).get_json()
    assert thread["comments"] == []

    detail = client.get(
        f"/api/v1/moderation/comments/{posted['id']}", headers=staff_headers("moderator")
    ).get_json()
    assert detail["body"] == ABUSIVE and detail["status"] == "pending"
    assert detail["author"]["name"] == "Ann B"
    assert detail["scores"]["toxicity"] > 0.9
    assert {signal["name"] for signal in detail["signals"]} >= {"toxic"}
    assert detail["explanation"]["toxicity"], "held edits are explained like held comments"
    (revision,) = detail["revisions"]
    assert revision["body"] == NICE and revision["status"] == "published"
    assert revision["author_name"] == "Ann"
    assert revision["scores"]["toxicity"] < 0.5 and revision["scores"]["model_version"]
    edit_decision = detail["history"][-1]
    assert edit_decision["actor"] == "author" and edit_decision["action"] == "edit"
    assert (edit_decision["from_status"], edit_decision["to_status"]) == ("published", "pending")
    assert "toxic" in edit_decision["reason"]

    page = app.test_client()
    with app.app_context():
        accounts.create_staff(db.session(), "mia", "moderator", PASSWORD, [])
        db.session.commit()
    assert sign_in(page, "mia").status_code == 303
    html = page.get(f"/moderation/comments/{posted['id']}").text
    assert "Earlier versions" in html and "the alliance&#39;s history" in html


def test_a_friendly_edit_of_a_held_comment_is_published(
    client: FlaskClient, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE).get_json()
    assert held["status"] == "pending"
    response = edit(client, held["id"], held["edit_token"], body=EDITED)
    assert response.status_code == 200 and response.get_json()["status"] == "published"
    thread = client.get("/api/v1/comments", query_string={"thread": "/post/1"}).get_json()
    assert [c["id"] for c in thread["comments"]] == [held["id"]]


def test_a_moderators_decision_is_never_undone_silently(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    moderator = staff_headers("moderator")
    held = post_comment(body=ABUSIVE, author_email="bob@example.org").get_json()
    decided = client.post(
        f"/api/v1/moderation/comments/{held['id']}/decision",
        json={"action": "reject"},
        headers=moderator,
    )
    assert decided.get_json()["status"] == "rejected"
    response = edit(client, held["id"], held["edit_token"], body=EDITED)
    assert response.status_code == 200 and response.get_json()["status"] == "pending"
    detail = client.get(f"/api/v1/moderation/comments/{held['id']}", headers=moderator)
    assert detail.get_json()["status"] == "rejected"

    assert status_after_edit("published", "published", moderator_decided=True) == "published"
    assert status_after_edit("published", "spam", moderator_decided=True) == "pending"
    assert status_after_edit("pending", "published", moderator_decided=True) == "pending"
    assert status_after_edit("spam", "published", moderator_decided=False) == "published"


def test_after_the_window_nothing_changes(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    runner.invoke(args=["sites", "update", "default", "--edit-window-seconds", "1"])
    data = post_comment(body=NICE).get_json()
    time.sleep(1.1)
    before = snapshot(app)
    for response in (
        edit(client, data["id"], data["edit_token"], body=ABUSIVE),
        remove(client, data["id"], data["edit_token"]),
    ):
        assert response.status_code == 409
        assert response.get_json()["message"] == (
            "The time for editing or deleting this comment is over."
        )
    assert snapshot(app) == before


def test_a_token_is_bound_to_the_comment_it_was_issued_for(
    app: Flask, client: FlaskClient, posted: dict[str, Any]
) -> None:
    """A database restored elsewhere, or an id reused, does not make old tokens valid."""
    with app.app_context():
        db.session.execute(
            update(Comment)
            .where(Comment.id == posted["id"])
            .values(created_at=datetime.now(UTC) - timedelta(seconds=5))
        )
        db.session.commit()
    before = snapshot(app)
    assert edit(client, posted["id"], posted["edit_token"], body=EDITED).status_code == 403
    assert snapshot(app) == before


def test_a_closed_window_is_409(app: Flask, client: FlaskClient, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["sites", "update", "default", "--edit-window-seconds", "0"])
    assert result.exit_code == 0 and json.loads(result.output)["edit_window_seconds"] == 0
    data = client.post("/api/v1/comments", json={"thread": "/t", "body": NICE}).get_json()
    before = snapshot(app)
    edited = edit(client, data["id"], data["edit_token"], body=EDITED)
    deleted = remove(client, data["id"], data["edit_token"])
    for response in (edited, deleted):
        assert response.status_code == 409
        assert "over" in response.get_json()["message"]
    assert snapshot(app) == before


def test_wrong_missing_and_other_tokens_are_refused(
    app: Flask, client: FlaskClient, post_comment: PostComment, posted: dict[str, Any]
) -> None:
    other = post_comment(body=EDITED, author_email=EMAIL).get_json()
    before = snapshot(app)
    attempts = {
        "missing": None,
        "empty": "",
        "forged": posted["edit_token"][:-2] + "xx",
        "another comment's": other["edit_token"],
    }
    for name, token in attempts.items():
        for response in (
            edit(client, posted["id"], token, body=ABUSIVE),
            remove(client, posted["id"], token),
        ):
            assert response.status_code == 403, name
            assert "edit token" in response.get_json()["message"], name
    assert snapshot(app) == before


def test_the_email_alone_is_never_enough(
    app: Flask, client: FlaskClient, posted: dict[str, Any]
) -> None:
    before = snapshot(app)
    with_email = edit(client, posted["id"], None, body=ABUSIVE, author_email=EMAIL)
    assert with_email.status_code == 422 and "author_email" in with_email.get_json()["errors"]
    assert edit(client, posted["id"], None, body=ABUSIVE).status_code == 403
    assert remove(client, posted["id"], None).status_code == 403
    assert snapshot(app) == before


def test_bad_input_and_unknown_ids(client: FlaskClient, posted: dict[str, Any]) -> None:
    empty = edit(client, posted["id"], posted["edit_token"], body="   ")
    assert empty.status_code == 422
    assert empty.get_json()["errors"]["body"] == ["Must contain visible text."]
    long_name = edit(client, posted["id"], posted["edit_token"], body=EDITED, author_name="x" * 81)
    assert long_name.status_code == 422 and "author_name" in long_name.get_json()["errors"]
    assert edit(client, 999_999, posted["edit_token"], body=EDITED).status_code == 404
    assert remove(client, 999_999, posted["edit_token"]).status_code == 404


def test_delete_removes_it_from_the_thread_and_is_recorded(
    app: Flask, client: FlaskClient, posted: dict[str, Any], staff_headers: StaffToken
) -> None:
    response = remove(client, posted["id"], posted["edit_token"])
    assert response.status_code == 200 and response.get_json() == {
        "id": posted["id"],
        "deleted": True,
    }
    thread = client.get("/api/v1/comments", query_string={"thread": "/post/1"}).get_json()
    assert thread == {
        "comments": [],
        "total": 0,
        "next": None,
        "removed": [],
        "since": None,
        "withdrawn": [],
        "closed": False,
    }
    detail = client.get(
        f"/api/v1/moderation/comments/{posted['id']}", headers=staff_headers("moderator")
    ).get_json()
    assert detail["status"] == "deleted" and detail["body"] == NICE
    last = detail["history"][-1]
    assert (last["actor"], last["action"], last["to_status"]) == ("author", "delete", "deleted")
    again = remove(client, posted["id"], posted["edit_token"])
    assert again.status_code == 409 and "deleted" in again.get_json()["message"]
    assert edit(client, posted["id"], posted["edit_token"], body=EDITED).status_code == 409


def test_moderators_find_deleted_comments_in_their_own_queue_and_can_restore_them(
    client: FlaskClient, posted: dict[str, Any], staff_headers: StaffToken
) -> None:
    moderator = staff_headers("moderator")
    remove(client, posted["id"], posted["edit_token"])
    queue = client.get("/api/v1/moderation/queue?status=deleted", headers=moderator).get_json()
    assert [item["id"] for item in queue["items"]] == [posted["id"]]
    assert queue["counts"]["deleted"] == 1 and queue["counts"]["published"] == 0
    restored = client.post(
        f"/api/v1/moderation/comments/{posted['id']}/decision",
        json={"action": "restore"},
        headers=moderator,
    )
    assert restored.status_code == 200 and restored.get_json()["status"] == "pending"
    queue = client.get("/api/v1/moderation/queue?status=deleted", headers=moderator).get_json()
    assert queue["items"] == [] and queue["counts"]["deleted"] == 0


def test_a_reported_comment_its_author_deletes_leaves_the_reported_queue(
    client: FlaskClient, posted: dict[str, Any], staff_headers: StaffToken
) -> None:
    moderator = staff_headers("moderator")
    report = client.post(f"/api/v1/comments/{posted['id']}/reports", json={"reason": "abusive"})
    assert report.status_code == 201
    reported = "/api/v1/moderation/queue?status=reported"
    assert client.get(reported, headers=moderator).get_json()["counts"]["reported"] == 1
    remove(client, posted["id"], posted["edit_token"])
    queue = client.get(reported, headers=moderator).get_json()
    assert queue["items"] == [] and queue["counts"]["reported"] == 0
    assert queue["counts"]["deleted"] == 1  # still there for moderators, as deleted


def test_thread_reads_never_carry_tokens(
    client: FlaskClient, post_comment: PostComment, posted: dict[str, Any]
) -> None:
    reply = post_comment(body=EDITED, parent_id=posted["id"]).get_json()
    text = client.get("/api/v1/comments", query_string={"thread": "/post/1"}).text
    assert str(reply["id"]) in text
    for token in (posted["edit_token"], reply["edit_token"]):
        assert token not in text
    assert "edit_token" not in text and "editable_until" not in text


def test_a_repeated_post_gets_the_same_token(
    post_comment: PostComment, posted: dict[str, Any]
) -> None:
    first = post_comment(body=EDITED, idempotency_key="key-123456").get_json()
    again = post_comment(body=EDITED, idempotency_key="key-123456")
    assert again.status_code == 200 and again.get_json()["edit_token"] == first["edit_token"]
