"""Reading a thread: only published comments, oldest first, no private fields, paginated."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from comments.extensions import db
from comments.models import Comment
from tests.comments.conftest import ABUSIVE, PostComment

PUBLIC_FIELDS = {"id", "parent_id", "author_name", "author_url", "html", "created_at"}


def read(client: FlaskClient, **params: object) -> dict:
    response = client.get("/api/v1/comments", query_string={"thread": "/post/1", **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_only_published_comments_oldest_first(
    client: FlaskClient, post_comment: PostComment
) -> None:
    first = post_comment(body="First!", author_email="a@example.org").get_json()
    post_comment(body=ABUSIVE)
    post_comment(body="spam", honeypot="filled")
    second = post_comment(body="Second thoughts", author_url="https://b.example").get_json()
    data = read(client)
    assert [c["id"] for c in data["comments"]] == [first["id"], second["id"]]
    assert data["total"] == 2 and data["next"] is None
    for comment in data["comments"]:
        assert set(comment) == PUBLIC_FIELDS
        assert comment["created_at"].endswith("+00:00")  # browsers read zone-less times as local
    assert data["comments"][1]["author_url"] == "https://b.example"
    assert "a@example.org" not in str(data)


def test_pagination_follows_next_cursor(client: FlaskClient, post_comment: PostComment) -> None:
    ids = [post_comment(body=f"Comment number {n}").get_json()["id"] for n in range(5)]
    page = read(client, per_page=2)
    seen = [c["id"] for c in page["comments"]]
    while page["next"]:
        page = read(client, per_page=2, cursor=page["next"])
        seen += [c["id"] for c in page["comments"]]
    assert seen == ids
    assert page["total"] == 5


def test_unknown_thread_is_empty(client: FlaskClient) -> None:
    assert read(client, thread="/never-commented") == {
        "comments": [],
        "total": 0,
        "next": None,
        "removed": [],
        "since": None,
        "withdrawn": [],
        "closed": False,
    }


def test_per_page_up_to_500(client: FlaskClient) -> None:
    assert read(client, per_page=500)["comments"] == []
    response = client.get("/api/v1/comments?thread=/a&per_page=501")
    assert response.status_code == 422 and "per_page" in response.get_json()["errors"]


def test_bad_query_parameters_are_422(client: FlaskClient) -> None:
    for query in ("", "thread=/a&cursor=abc", "thread=/a&per_page=0", "thread=/a&site=nope"):
        response = client.get(f"/api/v1/comments?{query}")
        assert response.status_code == 422, query


def test_replies_to_removed_comments_name_where_those_were(
    app: Flask, client: FlaskClient, post_comment: PostComment
) -> None:
    """A reply to a reply that was taken down: the page says which comments are missing and
    what they answered, so the reader sees the conversation's shape, not an orphan."""
    top = post_comment(body="The article is right.").get_json()["id"]
    middle = post_comment(body="Partly, yes.", parent_id=top).get_json()["id"]
    reply = post_comment(body="Which part?", parent_id=middle).get_json()["id"]
    post_comment(body="Unrelated and top level.")
    with app.app_context():
        db.session.get(Comment, middle).status = "rejected"  # type: ignore[union-attr]
        db.session.commit()
    page = read(client)
    assert [c["id"] for c in page["comments"]] == [top, reply, reply + 1]
    assert page["removed"] == [{"id": middle, "parent_id": top}]
    assert page["total"] == 3
    assert "Partly" not in str(page)  # where it was, nothing of what it said
