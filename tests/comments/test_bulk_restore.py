"""Restoring several comments at once through the bulk endpoint: a single Restore's rules."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from comments.extensions import db
from comments.models import LabelledExample
from tests.comments.conftest import ABUSIVE, PostComment, StaffToken

BULK = "/api/v1/moderation/decisions"


def detail(client: FlaskClient, headers: dict[str, str], comment_id: int) -> Any:
    return client.get(f"/api/v1/moderation/comments/{comment_id}", headers=headers).get_json()


def test_bulk_restore_returns_rejected_spam_and_deleted_comments_to_pending(
    app: Flask, client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    maria = staff_headers(name="maria")
    rejected = post_comment(body=f"{ABUSIVE} 1").get_json()["id"]
    assert client.post(BULK, json={"ids": [rejected], "action": "reject"}, headers=maria).json
    filed = post_comment(body="buy now", honeypot="x").get_json()["id"]
    mine = post_comment(body=f"{ABUSIVE} 2", author_email="ann@example.org").get_json()
    removal = client.delete(
        f"/api/v1/comments/{mine['id']}", headers={"X-Edit-Token": mine["edit_token"]}
    )
    assert removal.status_code == 200
    held = post_comment(body=f"{ABUSIVE} 3").get_json()["id"]
    with app.app_context():
        labels_before = db.session.scalar(select(func.count()).select_from(LabelledExample))

    ids = [rejected, filed, mine["id"], held]
    shown = {str(i): detail(client, maria, i)["latest_decision"] for i in ids}
    response = client.post(
        BULK, json={"ids": ids, "action": "restore", "expected_decisions": shown}, headers=maria
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["decided"] == 3
    assert [(r["id"], r["ok"]) for r in data["results"]] == [
        (rejected, True),
        (filed, True),
        (mine["id"], True),
        (held, False),
    ]
    assert data["results"][3]["error"] == "Cannot restore a pending comment."
    for result in data["results"][:3]:
        item = detail(client, maria, result["id"])
        assert item["status"] == result["status"] == "pending"
        assert item["latest_decision"] == result["decision"]
        assert item["history"][-1]["action"] == "restore"
        assert item["history"][-1]["staff"] == "maria"
    with app.app_context():  # a restore teaches the model nothing, as one Restore does not
        labels = db.session.scalar(select(func.count()).select_from(LabelledExample))
        assert labels == labels_before


def test_bulk_restore_refuses_a_comment_decided_since_the_page_showed_it(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    """Two moderators on the rejected queue: one approves a comment, the other's bulk Restore
    does not drag it back to pending, and still restores the rest."""
    maria, omar = staff_headers(name="maria"), staff_headers(name="omar")
    ids = [post_comment(body=f"{ABUSIVE} {n}").get_json()["id"] for n in range(2)]
    client.post(BULK, json={"ids": ids, "action": "reject"}, headers=maria)
    shown = {str(i): detail(client, omar, i)["latest_decision"] for i in ids}
    approved = client.post(
        f"/api/v1/moderation/comments/{ids[0]}/decision",
        json={"action": "approve", "expected_decision": shown[str(ids[0])]},
        headers=maria,
    )
    assert approved.status_code == 200

    late = client.post(
        BULK, json={"ids": ids, "action": "restore", "expected_decisions": shown}, headers=omar
    ).get_json()
    assert late["decided"] == 1
    refused, restored = late["results"]
    assert refused == {
        "id": ids[0],
        "ok": False,
        "error": "The comment is published now: maria decided it since you loaded it. "
        "Nothing was changed.",
    }
    assert restored["ok"] and restored["status"] == "pending"
    assert detail(client, omar, ids[0])["status"] == "published"

    single = client.post(
        f"/api/v1/moderation/comments/{ids[0]}/decision",
        json={"action": "restore", "expected_decision": shown[str(ids[0])]},
        headers=omar,
    )
    assert single.status_code == 409  # what the single Restore says about the same card
    assert single.get_json()["message"] == refused["error"]


def test_bulk_restore_needs_a_moderator(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    analyst = staff_headers("analyst")
    held = post_comment(body=ABUSIVE).get_json()["id"]
    response = client.post(BULK, json={"ids": [held], "action": "restore"}, headers=analyst)
    assert response.status_code == 403
