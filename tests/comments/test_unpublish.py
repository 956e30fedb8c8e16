"""Undoing a wrong approval: a published comment restored to pending ("Unpublish").

It leaves the thread (and its count), is decided like any other action (recorded, checked for
conflicts, refused to those who may not moderate), fires comment.decided, and withdraws the
approval's training label until a moderator decides the comment again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment, Staff
from comments.services.moderation.decisions import (
    DecisionRequest,
    IllegalTransition,
    decide_comment,
)
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.comments.webhook_receiver import Receiver, deliver

QUEUE = "/api/v1/moderation/queue"
BULK = "/api/v1/moderation/decisions"


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision", json=body, headers=headers
    )


def detail(client: FlaskClient, headers: dict[str, str], comment_id: int) -> Any:
    response = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def thread(client: FlaskClient) -> Any:
    return client.get("/api/v1/comments", query_string={"thread": "/post/1"}).get_json()


def published(post_comment: PostComment, body: str = NICE, **fields: Any) -> int:
    response = post_comment(body=body, **fields)
    assert response.get_json()["status"] == "published", response.get_json()
    comment_id: int = response.get_json()["id"]
    return comment_id


def test_an_approved_comment_goes_back_to_pending_and_out_of_the_thread(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    maria = staff_headers(name="maria")
    stays = published(post_comment, "A comment that stays up.")
    posted = post_comment(body=ABUSIVE).get_json()
    held = posted["id"]
    approved = decide(client, maria, held, action="approve", expected_status="pending")
    assert approved.status_code == 200
    assert thread(client)["total"] == 2
    counts = client.get(QUEUE, headers=maria).get_json()["counts"]
    assert (counts["published"], counts["pending"]) == (2, 0)

    item = detail(client, maria, held)
    assert item["actions"] == [
        {"name": "reject", "label": "Reject", "key": "r"},
        {"name": "spam", "label": "Spam", "key": "s"},
        {"name": "restore", "label": "Unpublish", "key": "p"},
    ]
    undone = decide(
        client,
        maria,
        held,
        action="restore",
        reason="approved by mistake",
        note="the insult was missed",
        expected_status="published",
        expected_decision=item["latest_decision"],
    )
    assert undone.status_code == 200
    assert undone.get_json()["status"] == "pending"

    page = thread(client)
    assert [c["id"] for c in page["comments"]] == [stays] and page["total"] == 1
    counts = client.get(QUEUE, headers=maria).get_json()["counts"]
    assert (counts["published"], counts["pending"]) == (1, 1)
    item = detail(client, maria, held)
    assert item["status"] == "pending" and item["latest_decision"] == undone.get_json()["decision"]
    last = item["history"][-1]
    assert (last["action"], last["actor"], last["staff"]) == ("restore", "staff", "maria")
    assert (last["from_status"], last["to_status"]) == ("published", "pending")
    assert (last["reason"], last["note"]) == ("approved by mistake", "the insult was missed")
    assert [a["name"] for a in item["actions"]] == ["approve", "reject", "spam"]
    assert decide(client, maria, held, action="restore").status_code == 409  # pending already
    claim = {"id": held, "edit_token": posted["edit_token"]}
    own = client.post("/api/v1/comments/held", json={"comments": [claim]}).get_json()
    assert [c["id"] for c in own["held"]] == [held]  # its author sees it awaiting moderation


def test_unpublishing_is_refused_when_someone_decided_or_the_author_edited_meanwhile(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    maria, omar = staff_headers(name="maria"), staff_headers(name="omar")
    posted = post_comment(body=NICE).get_json()
    seen = detail(client, omar, posted["id"])["latest_decision"]
    assert decide(client, maria, posted["id"], action="reject").status_code == 200
    late = decide(client, omar, posted["id"], action="restore", expected_status="published")
    assert late.status_code == 409
    assert late.get_json()["message"] == (
        "The comment is rejected now, not published: maria decided it meanwhile. "
        "Nothing was changed."
    )
    assert decide(client, maria, posted["id"], action="approve").status_code == 200
    stale = decide(client, omar, posted["id"], action="restore", expected_decision=seen)
    assert stale.status_code == 409 and "maria decided it" in stale.get_json()["message"]

    seen = detail(client, omar, posted["id"])["latest_decision"]
    edited = client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": NICE + " Edited."},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200 and edited.get_json()["status"] == "published"
    unread = decide(client, omar, posted["id"], action="restore", expected_decision=seen)
    assert unread.status_code == 409 and "edited" in unread.get_json()["message"]
    item = detail(client, omar, posted["id"])
    assert item["status"] == "published"
    assert [h["action"] for h in item["history"]][-3:] == ["reject", "approve", "edit"]


def test_only_those_who_moderate_the_site_may_unpublish(
    client: FlaskClient,
    runner: FlaskCliRunner,
    staff_headers: StaffToken,
    post_comment: PostComment,
) -> None:
    runner.invoke(args=["sites", "create", "other"])
    comment_id = published(post_comment)
    assert decide(client, {}, comment_id, action="restore").status_code == 401
    analyst = staff_headers("analyst", name="ana")
    assert decide(client, analyst, comment_id, action="restore").status_code == 403
    elsewhere = staff_headers("moderator", name="olga", sites=("other",))
    assert decide(client, elsewhere, comment_id, action="restore").status_code == 404
    item = detail(client, staff_headers("admin", name="ada"), comment_id)
    assert item["status"] == "published" and len(item["history"]) == 1


def test_bulk_unpublish_refuses_a_comment_decided_since_the_page_showed_it(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    maria, omar = staff_headers(name="maria"), staff_headers(name="omar")
    ids = [published(post_comment, f"{NICE} #{n}") for n in range(3)]
    shown = {str(i): detail(client, omar, i)["latest_decision"] for i in ids}
    assert decide(client, maria, ids[0], action="reject").status_code == 200
    assert decide(client, maria, ids[0], action="approve").status_code == 200  # back, but later

    response = client.post(
        BULK, json={"ids": ids, "action": "restore", "expected_decisions": shown}, headers=omar
    )
    data = response.get_json()
    assert [(r["id"], r["ok"]) for r in data["results"]] == [
        (ids[0], False),
        (ids[1], True),
        (ids[2], True),
    ]
    assert "maria decided it since you loaded it" in data["results"][0]["error"]
    assert [c["id"] for c in thread(client)["comments"]] == [ids[0]]
    counts = client.get(QUEUE, headers=omar).get_json()["counts"]
    assert (counts["published"], counts["pending"]) == (1, 2)


def test_readers_reports_wait_for_whoever_decides_an_unpublished_comment(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    """Unpublishing decides nothing about the reports: the card keeps them, and the decision
    that follows resolves them."""
    maria = staff_headers(name="maria")
    comment_id = published(post_comment)
    report = client.post(
        f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive", "text": "rude"}
    )
    assert report.status_code == 201
    assert [a["label"] for a in detail(client, maria, comment_id)["actions"]] == [
        "Keep (dismiss reports)",
        "Reject",
        "Spam",
        "Unpublish",
    ]
    assert decide(client, maria, comment_id, action="restore").status_code == 200
    pending = client.get(f"{QUEUE}?status=pending", headers=maria).get_json()
    [item] = pending["items"]
    assert item["id"] == comment_id and item["reports"][0]["text"] == "rude"
    assert (pending["counts"]["pending"], pending["counts"]["reported"]) == (1, 1)
    assert decide(client, maria, comment_id, action="approve").status_code == 200
    counts = client.get(QUEUE, headers=maria).get_json()["counts"]
    assert (counts["published"], counts["pending"], counts["reported"]) == (1, 0, 0)


def test_unpublishing_fires_comment_decided_and_nothing_that_says_published_or_held(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    staff_headers: StaffToken,
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    added = client.post("/api/v1/admin/webhooks", json={"url": f"{hooks.url}/hook"}, headers=admin)
    assert added.status_code == 201
    comment_id = published(post_comment)
    deliver(app)
    maria = staff_headers(name="maria")
    assert decide(client, maria, comment_id, action="restore", reason="oops").status_code == 200
    deliver(app)
    assert hooks.events()[2:] == [("comment.decided", comment_id)]
    data = hooks.on("/hook")[2].json["data"]
    assert data["status"] == "pending"
    assert data["decision"]["action"] == "restore" and data["decision"]["reason"] == "oops"
    assert (data["decision"]["from_status"], data["decision"]["to_status"]) == (
        "published",
        "pending",
    )
    assert decide(client, maria, comment_id, action="approve").status_code == 200
    deliver(app)  # published again: a mirror that dropped it adds it back
    assert hooks.events()[3:] == [
        ("comment.decided", comment_id),
        ("comment.published", comment_id),
    ]


def test_an_unpublished_approval_teaches_training_nothing_until_decided_again(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    moderator: str,
    post_comment: PostComment,
    tmp_path: Path,
) -> None:
    """The service's own decision (the API's path, without HTTP), then the export, which reads
    the examples `classifier train --with-decisions` and `retrain` train on."""
    wrong, right = (post_comment(body=f"{ABUSIVE} {n}").get_json()["id"] for n in (1, 2))

    def decide_as(name: str, comment_id: int, action: str) -> None:
        with app.app_context():
            session = db.session()
            staff = session.scalars(select(Staff).where(Staff.name == name)).one()
            comment = session.get(Comment, comment_id)
            assert comment is not None
            decide_comment(session, comment, DecisionRequest(action), staff)
            session.commit()

    def exported() -> dict[int, tuple[Any, Any]]:
        path = tmp_path / "labels.jsonl"
        result = runner.invoke(args=["classifier", "export", "--output", str(path)])
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return {row["comment_id"]: (row["toxic"], row["spam"]) for row in rows}

    decide_as(moderator, wrong, "approve")
    decide_as(moderator, right, "approve")
    assert exported() == {wrong: (0, 0), right: (0, 0)}
    decide_as(moderator, wrong, "restore")
    assert exported() == {right: (0, 0)}
    with pytest.raises(IllegalTransition, match=r"^Cannot restore a pending comment\.$"):
        decide_as(moderator, wrong, "restore")
    decide_as(moderator, wrong, "reject")
    assert exported() == {right: (0, 0), wrong: (1, None)}
