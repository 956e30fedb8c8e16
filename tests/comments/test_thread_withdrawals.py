"""What an open page hears of comments changed after it loaded: an edit comes back with its new
text; a comment taken down comes back as an id in `withdrawn`, and only one that was public."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.comments.conftest import ABUSIVE, PostComment, StaffToken

EDITED = "On reflection, the second half of the article convinced me as well."


def read(client: FlaskClient, **params: object) -> dict[str, Any]:
    response = client.get("/api/v1/comments", query_string={"thread": "/post/1", **params})
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def posted(post_comment: PostComment, body: str) -> dict[str, Any]:
    response = post_comment(body=body)
    assert response.status_code == 201, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def published(post_comment: PostComment, body: str) -> dict[str, Any]:
    comment = posted(post_comment, body)
    assert comment["status"] == "published"
    return comment


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, action: str) -> None:
    response = client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision",
        json={"action": action},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()


def edit(client: FlaskClient, comment: dict[str, Any], body: str) -> dict[str, Any]:
    response = client.patch(
        f"/api/v1/comments/{comment['id']}",
        json={"body": body},
        headers={"X-Edit-Token": comment["edit_token"]},
    )
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def test_an_edit_comes_back_with_its_new_text(
    client: FlaskClient, post_comment: PostComment
) -> None:
    comment = published(post_comment, "First thoughts, written in a hurry.")
    since = read(client)["since"]
    edit(client, comment, EDITED)
    changed = read(client, since=since)
    [again] = changed["comments"]
    assert again["id"] == comment["id"] and EDITED in again["html"]
    assert changed["withdrawn"] == []


@pytest.mark.parametrize("action", ["reject", "spam", "restore"])
def test_a_comment_a_moderator_takes_down_is_withdrawn(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken, action: str
) -> None:
    kept = published(post_comment, "A comment that stays up.")
    taken = published(post_comment, "A comment a moderator takes down later.")
    since = read(client)["since"]
    decide(client, staff_headers("moderator"), taken["id"], action)
    changed = read(client, since=since)
    assert changed["withdrawn"] == [taken["id"]]
    assert [c["id"] for c in changed["comments"]] == [kept["id"]]  # the margin repeats it
    assert changed["total"] == 1


def test_a_comment_deleted_or_held_again_by_its_author_is_withdrawn(
    client: FlaskClient, post_comment: PostComment
) -> None:
    deleted = published(post_comment, "A comment its author deletes.")
    held = published(post_comment, "A comment its author edits into abuse.")
    since = read(client)["since"]
    response = client.delete(
        f"/api/v1/comments/{deleted['id']}", headers={"X-Edit-Token": deleted["edit_token"]}
    )
    assert response.status_code == 200, response.get_json()
    assert edit(client, held, ABUSIVE)["status"] == "pending"
    changed = read(client, since=since)
    assert changed["withdrawn"] == [deleted["id"], held["id"]]
    assert changed["comments"] == []


def test_a_comment_never_published_is_never_listed(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    published(post_comment, "Something published, so the thread has a watermark.")
    since = read(client)["since"]
    held = posted(post_comment, ABUSIVE)
    assert held["status"] == "pending"
    rejected = posted(post_comment, ABUSIVE + " again")
    decide(client, staff_headers("moderator"), rejected["id"], "reject")
    # Held, rejected, held again after an edit: none was ever public.
    edit(client, held, ABUSIVE + " and more")
    assert read(client, since=since)["withdrawn"] == []
    assert read(client, since="2000-01-01T00:00:00Z")["withdrawn"] == []


def test_without_since_or_before_the_watermark_nothing_is_withdrawn(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    taken = published(post_comment, "Taken down before the page was opened.")
    published(post_comment, "Still up.")
    decide(client, staff_headers("moderator"), taken["id"], "reject")
    assert read(client)["withdrawn"] == []
    since = read(client)["since"]
    tomorrow = datetime.fromisoformat(since) + timedelta(days=1)
    assert read(client, since=tomorrow.isoformat())["withdrawn"] == []
    assert read(client, since=since)["withdrawn"] == [taken["id"]]


def test_withdrawn_ids_are_paged_with_the_comments(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    comments = [published(post_comment, f"Comment number {n}.") for n in range(6)]
    moderator = staff_headers("moderator")
    for comment in comments[1::2]:
        decide(client, moderator, comment["id"], "reject")
    since = "2000-01-01T00:00:00Z"
    page = read(client, since=since, per_page=2)
    pages = [page]
    while page["next"]:
        page = read(client, since=since, per_page=2, cursor=page["next"])
        pages.append(page)
    assert [len(p["comments"]) + len(p["withdrawn"]) for p in pages] == [2, 2, 2]
    assert [c["id"] for p in pages for c in p["comments"]] == [c["id"] for c in comments[::2]]
    assert [i for p in pages for i in p["withdrawn"]] == [c["id"] for c in comments[1::2]]


def test_an_unchanged_thread_is_still_304_with_withdrawn_ids(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    published(post_comment, "Still up.")
    taken = published(post_comment, "Taken down while the page is open.")
    query = {"thread": "/post/1", "since": read(client)["since"]}
    before = client.get("/api/v1/comments", query_string=query)
    decide(client, staff_headers("moderator"), taken["id"], "reject")
    first = client.get(
        "/api/v1/comments", query_string=query, headers={"If-None-Match": before.headers["ETag"]}
    )
    assert first.status_code == 200 and first.get_json()["withdrawn"] == [taken["id"]]
    again = client.get(
        "/api/v1/comments", query_string=query, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


def test_the_openapi_document_describes_withdrawn(client: FlaskClient) -> None:
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    withdrawn = schemas["ThreadPage"]["properties"]["withdrawn"]
    assert withdrawn["type"] == "array" and withdrawn["items"] == {"type": "integer"}
    assert "never published" in withdrawn["description"]
