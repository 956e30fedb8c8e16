"""Moderators search a queue by words: in the comment's text as written, or its author's name."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.comments.conftest import ABUSIVE, PostComment

QUEUE = "/api/v1/moderation/queue"


@pytest.fixture
def moderator(staff_headers) -> dict[str, str]:
    return staff_headers("moderator", name="maria")


@pytest.fixture
def search(client: FlaskClient, moderator: dict[str, str]) -> Any:
    """The ids a published-queue search lists, newest first, or the whole answer."""

    def run(q: str, *, status: str = "published", ids: bool = True, **more: str) -> Any:
        query = {"status": status, "q": q, **more}
        answer = client.get(QUEUE, query_string=query, headers=moderator)
        assert answer.status_code == 200, answer.get_json()
        data = answer.get_json()
        return [item["id"] for item in data["items"]] if ids else data

    return run


def published(post_comment: PostComment, body: str, **fields: Any) -> int:
    data = post_comment(body=body, **fields).get_json()
    assert data["status"] == "published", data
    return int(data["id"])


def test_every_word_in_any_case_in_the_text_or_the_authors_name(
    post_comment: PostComment, search: Any
) -> None:
    lighthouse = published(post_comment, "The old lighthouse keeper's diary was a lovely read.")
    both = published(post_comment, "A LIGHTHOUSE and a Harbour, what a pleasant walk.")
    by_name = published(
        post_comment, "Thanks for writing this up, it was helpful.", author_name="Harbour Master"
    )
    published(post_comment, "Nothing about the coast in this comment at all.")
    assert search("lighthouse") == [both, lighthouse]
    assert search("harbour LightHouse") == [both]  # every word, not any
    assert search("HARBOUR") == [by_name, both]  # the name counts as text
    assert search("lighthouse master") == []  # each word where it may, but all of them
    assert search("house") == [both, lighthouse]  # inside a longer word too
    assert search("keeper's") == [lighthouse]


def test_like_wildcards_are_literal(post_comment: PostComment, search: Any) -> None:
    percent = published(post_comment, "They promised 50% of the profits to the town.")
    published(post_comment, "They promised 500 of the parcels to the town.")
    underscore = published(post_comment, "The setting is called max_width in the file.")
    published(post_comment, "The setting is called maxiwidth in the other file.")
    backslash = published(post_comment, "It lives under C:\\temp on the old laptop.")
    published(post_comment, "It lives under C:temp on the new laptop, I believe.")
    assert search("50%") == [percent]
    assert search("max_width") == [underscore]
    assert search("C:\\temp") == [backslash]
    assert search("%") == [percent] and search("_") == [underscore]


def test_combined_with_other_filters_and_queues(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment, search: Any
) -> None:
    here = published(post_comment, "The ferry timetable changed again.", thread="/a")
    published(post_comment, "The ferry timetable is posted at the pier.", thread="/b")
    by_bo = published(
        post_comment, "Ferry prices went up, sadly.", thread="/a", author_email="bo@example.org"
    )
    held = post_comment(body=f"{ABUSIVE} about the ferry", thread="/a").get_json()
    assert held["status"] == "pending"
    assert search("ferry", thread="/a") == [by_bo, here]
    assert search("ferry", author="bo@example.org") == [by_bo]
    assert search("ferry timetable", thread="/a") == [here]
    assert search("ferry", status="pending") == [held["id"]]
    assert search("ferry", status="pending", thread="/b") == []


def test_pages_under_a_search_list_each_match_once_in_order(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    matching = []
    for n in range(5):
        matching.append(published(post_comment, f"Walk number {n} along the canal was calm."))
        published(post_comment, f"Walk number {n} through the forest was calm.")
    seen: list[int] = []
    query: dict[str, Any] = {"status": "published", "q": "CANAL", "per_page": 2}
    while True:
        page = client.get(QUEUE, query_string=query, headers=moderator).get_json()
        seen += [item["id"] for item in page["items"]]
        if not page["next"]:
            break
        query["cursor"] = page["next"]
    assert seen == matching[::-1]
    query = {"status": "published", "q": "canal", "sort": "oldest"}
    oldest = client.get(QUEUE, query_string=query, headers=moderator).get_json()
    assert [item["id"] for item in oldest["items"]] == matching


def test_the_current_text_is_searched_not_the_one_an_edit_replaced(
    client: FlaskClient, post_comment: PostComment, search: Any
) -> None:
    posted = post_comment(body="The bakery on the corner sells rye bread.").get_json()
    edited = client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": "The bakery on the corner sells sourdough now."},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200, edited.get_json()
    assert search("sourdough") == [posted["id"]]
    assert search("rye") == []


def test_the_queues_are_not_counted_under_a_search(post_comment: PostComment, search: Any) -> None:
    """Counting would read every queue's text to its end: the page is listed, not counted."""
    found = published(post_comment, "A quiet afternoon by the river, thank you.")
    data = search("river", ids=False)
    assert [item["id"] for item in data["items"]] == [found]
    assert data["counts"] == {} and data["counts_capped"] == []


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("x" * 201, "Longer than maximum length 200."),
        ("   ", "Enter a word to search for."),
        ("\u200b", "Enter a word to search for."),
    ],
)
def test_a_blank_or_overlong_search_is_422_naming_q(
    client: FlaskClient, moderator: dict[str, str], q: str, message: str
) -> None:
    answer = client.get(QUEUE, query_string={"q": q}, headers=moderator)
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"q": [message]}
    longest = client.get(QUEUE, query_string={"q": "x" * 200}, headers=moderator)
    assert longest.status_code == 200 and longest.get_json()["items"] == []
