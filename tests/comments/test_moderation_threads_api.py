"""Staff list a site's threads and close or open one through the moderation API, with the
checks and words of `flask threads update` (one service, one schema)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import Thread
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken

THREADS = "/api/v1/moderation/sites/default/threads"


@pytest.fixture
def maria(staff_headers: StaffToken) -> dict[str, str]:
    return staff_headers("moderator", name="maria")


def listed(client: FlaskClient, headers: dict[str, str], **query: Any) -> dict[str, Any]:
    answer = client.get(THREADS, query_string=query, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    page: dict[str, Any] = answer.get_json()
    return page


def change(
    client: FlaskClient, headers: dict[str, str], body: dict[str, Any], thread: str = "/post"
) -> Any:
    return client.patch(THREADS, query_string={"thread": thread}, json=body, headers=headers)


def stored_threads(app: Flask) -> list[tuple[Any, ...]]:
    with app.app_context():
        rows = db.session.execute(
            select(
                Thread.key, Thread.title, Thread.url, Thread.closed, Thread.closed_changed_at
            ).order_by(Thread.key)
        )
        return [tuple(row) for row in rows]


def test_threads_come_most_recently_commented_first_a_page_at_a_time(
    client: FlaskClient, maria: dict[str, str], post_comment: PostComment
) -> None:
    assert post_comment(thread="/old", thread_title="Old").status_code == 201
    fresh = post_comment(thread="/new", thread_title="New", body="A fair account of the visit.")
    assert fresh.get_json()["status"] == "published"
    assert post_comment(thread="/new", body=ABUSIVE).get_json()["status"] == "pending"
    first = listed(client, maria, per_page=1)
    assert [(t["key"], t["title"], t["published"]) for t in first["items"]] == [("/new", "New", 1)]
    second = listed(client, maria, per_page=1, cursor=first["next"])
    assert [t["key"] for t in second["items"]] == ["/old"] and second["next"] is None
    assert second["items"][0] | {"last_comment_at": None, "created_at": None} == {
        "key": "/old",
        "title": "Old",
        "url": None,
        "published": 1,
        "last_comment_at": None,
        "created_at": None,
        "closed": False,
        "closed_setting": "site",
        "closed_changed_at": None,
        "closed_changed_by": None,
    }
    # A new comment on the older thread puts it first.
    later = post_comment(thread="/old", body="Coming back to this: still a good read.")
    assert later.status_code == 201
    assert [t["key"] for t in listed(client, maria)["items"]] == ["/old", "/new"]


def test_a_moderator_closes_a_thread_and_readers_are_refused(
    app: Flask, client: FlaskClient, maria: dict[str, str], post_comment: PostComment
) -> None:
    assert post_comment(thread="/post").status_code == 201
    closed = change(client, maria, {"closed": True})
    assert closed.status_code == 200, closed.get_json()
    answer = closed.get_json()
    assert (answer["closed"], answer["closed_setting"], answer["closed_changed_by"]) == (
        True,
        "closed",
        "maria",
    )
    assert answer["closed_changed_at"] is not None
    refused = post_comment(thread="/post", body=NICE + " Again.")
    assert refused.status_code == 409
    assert refused.get_json()["errors"] == {"thread": ["Comments are closed on this page."]}
    [listed_thread] = listed(client, maria)["items"]
    assert (listed_thread["closed_setting"], listed_thread["closed_changed_by"]) == (
        "closed",
        "maria",
    )
    opened = change(client, maria, {"closed": None, "title": "  The real title  "})
    assert opened.status_code == 200
    assert (opened.get_json()["closed_setting"], opened.get_json()["title"]) == (
        "site",
        "The real title",
    )
    assert post_comment(thread="/post", body=NICE + " Again.").status_code == 201


@pytest.mark.parametrize(
    ("thread", "body", "field", "message"),
    [
        ("/post", {"closed": "maybe"}, "closed", "Not a valid boolean."),
        ("/post", {"url": "javascript:alert(1)"}, "url", "Must be an http or https address."),
        ("/post", {"title": "x" * 301}, "title", "Longer than maximum length 300."),
        ("/post", {"closed": True, "owner": "me"}, "owner", "Unknown field."),
        ("/nosuch", {"closed": True}, "thread", "No thread '/nosuch' on this site."),
        ("", {"closed": True}, "thread", "Length must be between 1 and 512."),
    ],
)
def test_bad_changes_are_422_naming_the_field_and_change_nothing(
    app: Flask,
    client: FlaskClient,
    maria: dict[str, str],
    post_comment: PostComment,
    thread: str,
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    assert post_comment(thread="/post", thread_title="Kept").status_code == 201
    before = stored_threads(app)
    answer = change(client, maria, body, thread=thread)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["errors"][field] == [message]
    assert stored_threads(app) == before


@pytest.mark.parametrize(
    ("query", "field"),
    [({"per_page": "0"}, "per_page"), ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor")],
)
def test_a_bad_page_request_is_422_naming_the_field(
    client: FlaskClient, maria: dict[str, str], query: dict[str, str], field: str
) -> None:
    answer = client.get(THREADS, query_string=query, headers=maria)
    assert answer.status_code == 422 and field in answer.get_json()["errors"]


def test_analysts_read_moderators_of_other_sites_see_nothing(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    staff_headers: StaffToken,
    post_comment: PostComment,
) -> None:
    assert post_comment(thread="/post").status_code == 201
    assert runner.invoke(args=["sites", "create", "other"]).exit_code == 0
    analyst = staff_headers("analyst", name="ana")
    elsewhere = staff_headers("moderator", name="olga", sites=("other",))
    assert [t["key"] for t in listed(client, analyst)["items"]] == ["/post"]
    before = stored_threads(app)
    assert change(client, analyst, {"closed": True}).status_code == 403
    for answer in (
        client.get(THREADS, headers=elsewhere),
        change(client, elsewhere, {"closed": True}),
        client.get("/api/v1/moderation/sites/nosuch/threads", headers=analyst),
    ):
        assert answer.status_code == 404 and "/post" not in answer.get_data(as_text=True)
    assert stored_threads(app) == before


def test_the_routes_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operations = paths["/api/v1/moderation/sites/{site}/threads"]
    assert operations["get"]["operationId"] == "moderation_api.threads"
    patch = operations["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ThreadSettings"
    )
    assert "Roles: admin, moderator." in patch["description"]
    assert {"404", "422", "403"} <= set(patch["responses"])
