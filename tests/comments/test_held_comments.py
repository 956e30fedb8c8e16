"""POST /api/v1/comments/held: a reader's browser asks, with the edit tokens its posts were
answered, which of its comments still await moderation, to keep showing them to their author
(and to nobody else) until a moderator decides."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from comments.extensions import db
from comments.services import sites
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken

HELD = "/api/v1/comments/held"
EMAIL = "ann@example.org"


def ask(client: FlaskClient, *posted: dict[str, Any], **other: Any) -> TestResponse:
    claims = [{"id": data["id"], "edit_token": data["edit_token"]} for data in posted]
    return client.post(HELD, json={"comments": claims, **other})


def outcome(client: FlaskClient, *posted: dict[str, Any]) -> dict[str, Any]:
    response = ask(client, *posted)
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def decide(client: FlaskClient, moderator: dict[str, str], comment_id: int, action: str) -> None:
    response = client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision",
        json={"action": action},
        headers=moderator,
    )
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def held_comment(post_comment: PostComment) -> dict[str, Any]:
    data: dict[str, Any] = post_comment(body=ABUSIVE, author_email=EMAIL).get_json()
    assert data["status"] == "pending"
    return data


def test_the_author_is_shown_their_held_comment_as_the_post_answered_it(
    client: FlaskClient, held_comment: dict[str, Any]
) -> None:
    answer = outcome(client, held_comment)
    assert answer == {
        "held": [{key: held_comment[key] for key in held_comment if "edit" not in key}],
        "published": [],
        "gone": [],
        "removed": [],
    }
    (comment,) = answer["held"]
    assert comment["status"] == "pending" and "fucking" in comment["html"]
    assert EMAIL not in str(answer)
    # Readers still see nothing of it.
    thread = client.get("/api/v1/comments", query_string={"thread": "/post/1"}).get_json()
    assert thread["comments"] == [] and thread["removed"] == []


def test_approved_it_is_published_rejected_or_deleted_it_is_gone(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    moderator = staff_headers("moderator")
    approved, rejected, filed, deleted = (
        post_comment(body=f"{ABUSIVE} ({n})").get_json() for n in range(4)
    )
    assert {data["status"] for data in (approved, rejected, filed, deleted)} == {"pending"}
    decide(client, moderator, approved["id"], "approve")
    decide(client, moderator, rejected["id"], "reject")
    decide(client, moderator, filed["id"], "spam")
    removal = client.delete(
        f"/api/v1/comments/{deleted['id']}", headers={"X-Edit-Token": deleted["edit_token"]}
    )
    assert removal.status_code == 200
    answer = outcome(client, deleted, filed, rejected, approved)
    assert answer["held"] == [] and answer["removed"] == []
    assert answer["published"] == [approved["id"]]
    assert answer["gone"] == sorted([rejected["id"], filed["id"], deleted["id"]])

    decide(client, moderator, rejected["id"], "restore")  # back in the queue: held again
    assert [c["id"] for c in outcome(client, rejected)["held"]] == [rejected["id"]]


def test_what_the_filter_filed_as_spam_stays_held_for_its_poster(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    """The POST told the poster "pending"; a reload must not tell a spammer otherwise."""
    spam = post_comment(body=NICE, honeypot="https://cheap.example").get_json()
    assert spam["status"] == "pending"
    detail = client.get(
        f"/api/v1/moderation/comments/{spam['id']}", headers=staff_headers("moderator")
    ).get_json()
    assert detail["status"] == "spam"
    (shown,) = outcome(client, spam)["held"]
    assert shown["status"] == "pending"

    decide(client, staff_headers("moderator", name="mo"), spam["id"], "reject")
    assert outcome(client, spam)["gone"] == [spam["id"]]


def test_a_token_opens_only_its_own_comment(
    client: FlaskClient, held_comment: dict[str, Any], post_comment: PostComment
) -> None:
    """Another comment's token, a forged one and an unknown id all answer alike: gone, with
    nothing of the comment."""
    other = post_comment(body=ABUSIVE + " Again.").get_json()
    claims = [
        {"id": held_comment["id"], "edit_token": other["edit_token"]},
        {"id": held_comment["id"] + 100, "edit_token": held_comment["edit_token"]},
        {"id": other["id"], "edit_token": other["edit_token"][:-2] + "xx"},
    ]
    response = client.post(HELD, json={"comments": claims})
    assert response.status_code == 200
    assert response.get_json() == {
        "held": [],
        "published": [],
        "gone": sorted([held_comment["id"], held_comment["id"] + 100, other["id"]]),
        "removed": [],
    }


def test_the_edit_window_does_not_apply(
    app: Flask, client: FlaskClient, held_comment: dict[str, Any]
) -> None:
    with app.app_context():
        sites.update_site(db.session(), "default", {"edit_window_seconds": 0})
        db.session.commit()
    edit = client.patch(
        f"/api/v1/comments/{held_comment['id']}",
        json={"body": NICE},
        headers={"X-Edit-Token": held_comment["edit_token"]},
    )
    assert edit.status_code == 409  # too late to edit it, not to be shown it
    assert [c["id"] for c in outcome(client, held_comment)["held"]] == [held_comment["id"]]


def test_a_held_comment_keeps_its_replies_and_its_place(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    """The author's published comment gets a reply, then their edit holds it: the thread puts a
    "removed" placeholder above the reply, the author is given the comment itself; and a held
    reply to a comment taken down since learns where that comment was."""
    mine = post_comment(body=NICE, author_email=EMAIL).get_json()
    reply = post_comment(body=NICE + " Indeed.", parent_id=mine["id"], author_name="Bob")
    assert reply.get_json()["status"] == "published"
    edited = client.patch(
        f"/api/v1/comments/{mine['id']}",
        json={"body": ABUSIVE},
        headers={"X-Edit-Token": mine["edit_token"]},
    )
    assert edited.get_json()["status"] == "pending"
    thread = client.get("/api/v1/comments", query_string={"thread": "/post/1"}).get_json()
    assert [c["id"] for c in thread["comments"]] == [reply.get_json()["id"]]
    assert thread["removed"] == [{"id": mine["id"], "parent_id": None}]
    (shown,) = outcome(client, mine)["held"]
    assert (shown["id"], shown["parent_id"], shown["status"]) == (mine["id"], None, "pending")
    assert "fucking" in shown["html"]

    # Cy answers Bob's reply with a comment that is held; then Bob's reply is rejected.
    cy = post_comment(body=ABUSIVE + " Cy.", parent_id=reply.get_json()["id"]).get_json()
    assert cy["status"] == "pending"
    decide(client, staff_headers("moderator"), reply.get_json()["id"], "reject")
    answer = outcome(client, cy)
    assert [c["parent_id"] for c in answer["held"]] == [reply.get_json()["id"]]
    assert answer["removed"] == [
        {"id": mine["id"], "parent_id": None},
        {"id": reply.get_json()["id"], "parent_id": mine["id"]},
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "comments"),
        ({"comments": None}, "comments"),
        ({"comments": "1"}, "comments"),
        ({"comments": [], "thread": "/post/1"}, "thread"),
        ({"comments": [{"id": 1}]}, "comments"),
        ({"comments": [{"id": "1", "edit_token": "t"}]}, "comments"),
        ({"comments": [{"id": 0, "edit_token": "t"}]}, "comments"),
        ({"comments": [{"id": 2**53, "edit_token": "t"}]}, "comments"),
        ({"comments": [{"id": 1, "edit_token": ""}]}, "comments"),
        ({"comments": [{"id": 1, "edit_token": "t" * 201}]}, "comments"),
        ({"comments": [{"id": 1, "edit_token": "t", "body": "x"}]}, "comments"),
        ({"comments": [{"id": n, "edit_token": "t"} for n in range(1, 52)]}, "comments"),
    ],
)
def test_invalid_requests_are_422_naming_the_field(
    client: FlaskClient, payload: dict[str, Any], field: str
) -> None:
    response = client.post(HELD, json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and field in body["errors"], body


def test_fifty_at_once_and_an_empty_list_are_answered(client: FlaskClient) -> None:
    claims = [{"id": n, "edit_token": "t"} for n in range(1, 51)]
    answer = client.post(HELD, json={"comments": claims}).get_json()
    assert answer["gone"] == list(range(1, 51))
    empty = client.post(HELD, json={"comments": []})
    assert empty.status_code == 200
    assert empty.get_json() == {"held": [], "published": [], "gone": [], "removed": []}


def test_not_json_is_415_and_malformed_json_400(client: FlaskClient) -> None:
    assert client.post(HELD, data="comments=1").status_code == 415
    broken = client.post(HELD, data='{"comments": [', content_type="application/json")
    assert broken.status_code == 400 and "_body" in broken.get_json()["errors"]
    assert client.get(HELD).status_code == 405


def test_asking_takes_no_write_lock(
    app: Flask, client: FlaskClient, db_url: str, held_comment: dict[str, Any]
) -> None:
    """A POST that only reads: on SQLite it neither waits for a writer nor blocks one."""
    if not db_url.startswith("sqlite:"):
        pytest.skip("SQLite's write lock")
    writer = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another worker in the middle of a write
        started = time.monotonic()
        response = ask(client, held_comment)
        assert response.status_code == 200
        assert time.monotonic() - started < 2  # the busy timeout is 5 s
        assert [c["id"] for c in response.get_json()["held"]] == [held_comment["id"]]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_it_is_described_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"][HELD]["post"]
    assert "security" not in operation
    assert {"200", "400", "415", "422"} <= operation["responses"].keys()
    schemas = document["components"]["schemas"]
    claim = schemas["OwnComment"]["properties"]
    assert claim["id"]["maximum"] == 2**53 - 1 and claim["edit_token"]["maxLength"] == 200
    assert schemas["HeldQuery"]["properties"]["comments"]["maxItems"] == 50
    assert set(schemas["HeldComments"]["properties"]) == {"held", "published", "gone", "removed"}
