"""The "[deleted]" placeholder an erasure (or a purge) leaves where a comment others answered
was: nothing of the comment stays on it, moderators cannot decide on it (its replies hang from
it), and readers cannot report it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments.extensions import db
from comments.models import Comment
from comments.services.moderation.decisions import ACTIONS
from comments.services.privacy.retention import purge
from tests.comments.conftest import NICE, PUBLIC_LOCALHOST, PostComment, StaffToken

ANN = "ann@example.org"
QUEUE = "/api/v1/moderation/queue"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return PUBLIC_LOCALHOST


def detail(client: FlaskClient, headers: dict[str, str], comment_id: int) -> Any:
    response = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def erased(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> dict[str, Any]:
    """Ann's comment, edited once, reported and answered by Bob; then Ann's address is erased
    in remove mode, leaving her comment as a placeholder."""
    posted = post_comment(author_name="Ann", author_email=ANN, body=NICE + " Ann's words.")
    assert posted.status_code == 201 and posted.get_json()["status"] == "published"
    ann, token = posted.get_json()["id"], posted.get_json()["edit_token"]
    edited = client.patch(
        f"/api/v1/comments/{ann}",
        json={"body": NICE + " Ann's second words."},
        headers={"X-Edit-Token": token},
    )
    assert edited.status_code == 200, edited.get_json()
    reported = client.post(f"/api/v1/comments/{ann}/reports", json={"reason": "other"})
    assert reported.status_code in (200, 201), reported.get_json()
    bob = post_comment(author_name="Bob", body=NICE + " Bob replies.", parent_id=ann)
    assert bob.get_json()["status"] == "published"
    admin = staff_headers("admin", name="admin")
    moderator = staff_headers(name="maria")
    assert detail(client, moderator, ann)["reports"] and detail(client, moderator, ann)["revisions"]
    erasure = client.post(
        "/api/v1/admin/privacy/erase", json={"email": ANN, "mode": "remove"}, headers=admin
    )
    assert erasure.status_code == 200, erasure.get_json()
    assert erasure.get_json()["counts"]["comments_left_as_placeholders"] == 1
    return {"ann": ann, "bob": bob.get_json()["id"], "moderator": moderator}


def test_a_placeholder_keeps_nothing_of_the_erased_comment(
    client: FlaskClient, erased: dict[str, Any]
) -> None:
    item = detail(client, erased["moderator"], erased["ann"])
    assert item["placeholder"] is True and item["body"] == "[deleted]"
    # Its earlier texts, the words the model weighed, and the reports about it went too.
    assert item["revisions"] == [] and item["reports"] == [] and item["signals"] == []
    assert item["explanation"] is None
    assert item["scores"] == {"toxicity": None, "spam": None, "model_version": None}
    assert "Ann" not in str(item)
    counts = client.get(QUEUE, headers=erased["moderator"]).get_json()["counts"]
    assert counts["reported"] == 0
    # Bob's reply is an ordinary comment, still decidable.
    assert detail(client, erased["moderator"], erased["bob"])["placeholder"] is False


def test_no_decision_applies_to_a_placeholder_and_its_replies_keep_their_parent(
    client: FlaskClient, erased: dict[str, Any]
) -> None:
    moderator, ann = erased["moderator"], erased["ann"]
    item = detail(client, moderator, ann)
    assert item["status"] == "published" and item["actions"] == []
    assert item["author_actions"] == []
    for action in ACTIONS:
        refused = client.post(
            f"/api/v1/moderation/comments/{ann}/decision",
            json={"action": action, "expected_decision": item["latest_decision"]},
            headers=moderator,
        )
        assert refused.status_code == 409, (action, refused.get_json())
        assert "placeholder" in refused.get_json()["message"]
    bulk = client.post(
        "/api/v1/moderation/decisions",
        json={"action": "restore", "ids": [ann, erased["bob"]]},
        headers=moderator,
    )
    assert bulk.status_code == 200, bulk.get_json()
    results = {r["id"]: r for r in bulk.get_json()["results"]}
    assert results[ann]["ok"] is False and "placeholder" in results[ann]["error"]
    assert results[erased["bob"]]["ok"] is True
    thread = client.get("/api/v1/comments", query_string={"thread": "/post/1"}).get_json()
    assert [(c["id"], c["html"]) for c in thread["comments"]] == [(ann, "<p>[deleted]</p>")]


def test_readers_cannot_report_a_placeholder(client: FlaskClient, erased: dict[str, Any]) -> None:
    refused = client.post(f"/api/v1/comments/{erased['ann']}/reports", json={"reason": "spam"})
    assert refused.status_code == 404
    assert "nothing of it is left" in refused.get_json()["message"]
    counts = client.get(QUEUE, headers=erased["moderator"]).get_json()["counts"]
    assert counts["reported"] == 0


def test_a_purged_comment_left_as_a_placeholder_cannot_be_taken_out_of_spam(
    app: Flask, client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    moderator = staff_headers(name="maria")
    first = post_comment(author_name="Ann", author_email=ANN).get_json()["id"]
    reply = post_comment(author_name="Bob", body=NICE + " Bob replies.", parent_id=first)
    assert reply.status_code == 201
    spam = client.post(
        f"/api/v1/moderation/comments/{first}/decision", json={"action": "spam"}, headers=moderator
    )
    assert spam.status_code == 200
    with app.app_context():
        later = datetime.now(UTC) + timedelta(days=40)
        counts = purge(db.session(), spam_days=30, rejected_days=30, now=later)
        db.session.commit()
        assert counts["left_as_placeholders"] == 1
        placeholder = db.session.get(Comment, first)
        assert placeholder is not None and placeholder.status == "spam"
    item = detail(client, moderator, first)
    assert item["placeholder"] is True and item["actions"] == []
    refused = client.post(
        f"/api/v1/moderation/comments/{first}/decision",
        json={"action": "not_spam"},
        headers=moderator,
    )
    assert refused.status_code == 409 and "placeholder" in refused.get_json()["message"]
