"""Deciding what the moderator saw: a comment decided or edited since the card loaded is refused.

The status alone (``expected_status``) misses two cases: the author editing a held comment
(it stays pending, with a new text), and a decision that leaves the status as it was (keeping a
reported comment). ``expected_decision`` covers both, one by one and in bulk.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment, LabelledExample
from tests.comments.conftest import ABUSIVE, NICE, PostComment

QUEUE = "/api/v1/moderation/queue"
HELD_FOR_LINKS = "Sources: https://docs.python.org and https://peps.python.org"


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision", json=body, headers=headers
    )


def seen(client: FlaskClient, headers: dict[str, str], comment_id: int) -> dict[str, Any]:
    """The comment as the moderator's card shows it."""
    item: dict[str, Any] = client.get(
        f"/api/v1/moderation/comments/{comment_id}", headers=headers
    ).get_json()
    return item


def test_a_text_its_author_edited_after_the_card_loaded_is_not_decided_unread(
    app: Flask, client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    moderator = staff_headers("moderator", name="maria")
    limit = ["sites", "update", "default", "--max-links", "1"]
    assert app.test_cli_runner().invoke(args=limit).exit_code == 0
    posted = post_comment(body=HELD_FOR_LINKS, author_email="ann@example.org").get_json()
    held = posted["id"]
    [item] = client.get(QUEUE, headers=moderator).get_json()["items"]
    assert item["id"] == held and item["latest_decision"]

    edited = client.patch(
        f"/api/v1/comments/{held}",
        json={"body": f"{ABUSIVE} https://pills.example"},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200 and edited.get_json()["status"] == "pending"

    late = decide(
        client,
        moderator,
        held,
        action="approve",
        expected_status="pending",
        expected_decision=item["latest_decision"],
    )
    assert late.status_code == 409
    assert late.get_json()["message"] == (
        "Its author edited the comment since you loaded it: read the new text first. "
        "Nothing was changed."
    )
    with app.app_context():
        assert db.session.get(Comment, held).status == "pending"  # type: ignore[union-attr]
        assert db.session.scalars(select(LabelledExample)).all() == []

    now = seen(client, moderator, held)
    assert now["body"].startswith(ABUSIVE) and now["latest_decision"] > item["latest_decision"]
    read = decide(
        client, moderator, held, action="reject", expected_decision=now["latest_decision"]
    )
    assert read.status_code == 200
    assert read.get_json() == {
        "id": held,
        "status": "rejected",
        "decision": read.get_json()["decision"],
        "open_reports": 0,
    }
    assert seen(client, moderator, held)["latest_decision"] == read.get_json()["decision"]


def test_keeping_a_reported_comment_is_a_decision_another_moderator_cannot_overrule_unseen(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    first, second = staff_headers(name="maria"), staff_headers(name="omar")
    comment_id = post_comment(body=NICE).get_json()["id"]
    client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive"})
    [card] = client.get(f"{QUEUE}?status=reported", headers=second).get_json()["items"]

    kept = decide(client, first, comment_id, action="approve", expected_status="published")
    assert kept.status_code == 200 and kept.get_json()["status"] == "published"
    late = decide(
        client,
        second,
        comment_id,
        action="reject",
        expected_status=card["status"],
        expected_decision=card["latest_decision"],
    )
    assert late.status_code == 409
    assert late.get_json()["message"] == (
        "The comment is published now: maria decided it since you loaded it. Nothing was changed."
    )
    assert seen(client, second, comment_id)["status"] == "published"


def test_bulk_decisions_refuse_what_was_decided_since_and_decide_the_rest(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    first, second = staff_headers(name="maria"), staff_headers(name="omar")
    held = [
        post_comment(body=f"{ABUSIVE} {n}", author_email=f"b{n}@example.org").get_json()["id"]
        for n in range(3)
    ]
    page = client.get(f"{QUEUE}?sort=oldest", headers=second).get_json()["items"]
    shown = {str(item["id"]): item["latest_decision"] for item in page}
    assert decide(client, first, held[0], action="approve").status_code == 200

    response = client.post(
        "/api/v1/moderation/decisions",
        json={"ids": held, "action": "reject", "expected_decisions": shown},
        headers=second,
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["decided"] == 2
    refused, *decided = data["results"]
    assert refused == {
        "id": held[0],
        "ok": False,
        "error": "The comment is published now: maria decided it since you loaded it. "
        "Nothing was changed.",
    }
    assert [(r["id"], r["ok"], r["status"]) for r in decided] == [
        (held[1], True, "rejected"),
        (held[2], True, "rejected"),
    ]
    assert seen(client, second, held[0])["status"] == "published"


def test_expected_decisions_must_name_listed_ids(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    moderator = staff_headers(name="maria")
    held = post_comment(body=ABUSIVE).get_json()["id"]
    for expected, message in (
        ({"12345": 1}, "Not in ids: 12345."),
        ({str(held): "1"}, "Not a valid integer."),
        ({"first": 1}, "String does not match expected pattern."),
    ):
        response = client.post(
            "/api/v1/moderation/decisions",
            json={"ids": [held], "action": "reject", "expected_decisions": expected},
            headers=moderator,
        )
        assert response.status_code == 422, expected
        assert message in str(response.get_json()["errors"]["expected_decisions"]), expected
    single = decide(client, moderator, held, action="reject", expected_decision="7")
    assert single.status_code == 422 and "expected_decision" in single.get_json()["errors"]
    assert seen(client, moderator, held)["status"] == "pending"
