"""The moderation queue API: what moderators see, what they decide, and what is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import LabelledExample
from tests.comments.conftest import ABUSIVE, NICE, PostComment

QUEUE = "/api/v1/moderation/queue"


@pytest.fixture
def moderator(staff_headers) -> dict[str, str]:
    return staff_headers("moderator", name="maria")


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision", json=body, headers=headers
    )


def test_pending_item_carries_everything_a_moderator_needs(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    post_comment(author_email="troll@example.org", body="A fair point, thanks.")
    held = post_comment(author_email="troll@example.org", body=ABUSIVE).get_json()["id"]
    data = client.get(QUEUE, headers=moderator).get_json()
    assert data["counts"] == {
        "pending": 1,
        "spam": 0,
        "published": 1,
        "rejected": 0,
        "reported": 0,
        "deleted": 0,
    }
    [item] = data["items"]
    assert item["id"] == held and item["status"] == "pending"
    assert item["thread"]["key"] == "/post/1"
    assert item["author"]["email"] == "troll@example.org" and item["author"]["ip_hash"]
    assert item["author"]["history"] == {"published": 1, "pending": 1}
    assert item["author"]["history_by"] == "email"
    assert item["scores"]["toxicity"] > 0.5 and item["scores"]["model_version"]
    assert "toxic" in {signal["name"] for signal in item["signals"]}
    words = item["explanation"]["toxicity"]
    assert words and all(ABUSIVE[w["start"] : w["end"]] for w in words)


def test_author_without_email_has_the_history_the_rules_counted(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    """The rules know an e-mail-less author by IP hash (their published comment makes them
    "approved"): the moderator sees the same history, and is told how it was found."""
    post_comment(author_email="ann@example.org", body=NICE)
    held = post_comment(body=ABUSIVE).get_json()["id"]
    [item] = client.get(QUEUE, headers=moderator).get_json()["items"]
    assert item["id"] == held
    assert "author_approved" in {signal["name"] for signal in item["signals"]}
    assert item["author"]["history"] == {"published": 1, "pending": 1}
    assert item["author"]["history_by"] == "ip_hash"


def test_filters_sorts_and_pagination(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    ids = [
        post_comment(body=f"{ABUSIVE} number {n}", author_email=f"a{n}@example.org").get_json()[
            "id"
        ]
        for n in range(5)
    ]
    seen: list[int] = []
    url = f"{QUEUE}?sort=oldest&per_page=2"
    page = client.get(url, headers=moderator).get_json()
    seen += [item["id"] for item in page["items"]]
    while page["next"]:
        page = client.get(f"{url}&cursor={page['next']}", headers=moderator).get_json()
        seen += [item["id"] for item in page["items"]]
    assert seen == ids
    toxic = client.get(f"{QUEUE}?sort=toxic", headers=moderator).get_json()["items"]
    scores = [item["scores"]["toxicity"] for item in toxic]
    assert scores == sorted(scores, reverse=True)
    by_author = client.get(f"{QUEUE}?author=a3@example.org", headers=moderator).get_json()
    assert [item["id"] for item in by_author["items"]] == [ids[3]]
    by_signal = client.get(f"{QUEUE}?signal=toxic&min_toxicity=0.5", headers=moderator).get_json()
    assert len(by_signal["items"]) == 5
    assert (
        client.get(f"{QUEUE}?signal=honeypot_filled", headers=moderator).get_json()["items"] == []
    )


@pytest.mark.parametrize(
    "query", ["status=everything", "sort=random", "per_page=0", "min_toxicity=2", "cursor=%%%"]
)
def test_bad_queue_queries_are_422(
    client: FlaskClient, moderator: dict[str, str], query: str
) -> None:
    response = client.get(f"{QUEUE}?{query}", headers=moderator)
    assert response.status_code == 422, response.get_json()


def test_an_inverted_score_range_is_422_naming_its_end(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    """min above max selects nothing: a typo, said as such rather than as an empty queue."""
    response = client.get(f"{QUEUE}?min_toxicity=0.9&max_toxicity=0.1", headers=moderator)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "max_toxicity": ["Must not be below min_toxicity (0.9)."]
    }
    both = client.get(f"{QUEUE}?min_spam=0.5&max_spam=0.4&min_toxicity=0.2", headers=moderator)
    assert both.status_code == 422 and list(both.get_json()["errors"]) == ["max_spam"]
    equal = client.get(f"{QUEUE}?min_spam=0.5&max_spam=0.5", headers=moderator)
    assert equal.status_code == 200


def test_approve_publishes_records_history_and_labels(
    app: Flask, client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE).get_json()["id"]
    response = decide(client, moderator, held, action="approve", reason="banter", note="regular")
    assert response.status_code == 200 and response.get_json()["status"] == "published"
    thread = client.get("/api/v1/comments?thread=/post/1").get_json()
    assert [c["id"] for c in thread["comments"]] == [held]
    detail = client.get(f"/api/v1/moderation/comments/{held}", headers=moderator).get_json()
    history = [
        (h["actor"], h["action"], h["from_status"], h["to_status"]) for h in detail["history"]
    ]
    assert history == [
        ("model", "hold", None, "pending"),
        ("staff", "approve", "pending", "published"),
    ]
    assert detail["history"][1]["staff"] == "maria" and detail["history"][1]["note"] == "regular"
    assert detail["history"][1]["scores"]["toxicity"] > 0.5
    with app.app_context():
        label = db.session.scalar(select(LabelledExample))
        assert (label.text, label.toxic, label.spam) == (ABUSIVE, False, False)


@pytest.mark.parametrize(
    ("start", "action", "status"),
    [
        ("pending", "reject", "rejected"),
        ("pending", "spam", "spam"),
        ("spam", "not_spam", "published"),
    ],
)
def test_transitions(
    client: FlaskClient,
    moderator: dict[str, str],
    post_comment: PostComment,
    start: str,
    action: str,
    status: str,
) -> None:
    body = ABUSIVE if start == "pending" else "buy now"
    extra = {"honeypot": "x"} if start == "spam" else {}
    comment_id = post_comment(body=body, **extra).get_json()["id"]
    assert decide(client, moderator, comment_id, action=action).get_json()["status"] == status


def test_illegal_transitions_are_409_and_change_nothing(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    published = post_comment().get_json()["id"]
    for action, message in (
        ("not_spam", "Cannot mark a published comment as not spam: only a comment in spam can be."),
        ("approve", "The comment is published already and has no open reports."),
    ):
        response = decide(client, moderator, published, action=action)
        assert response.status_code == 409, action
        assert response.get_json()["message"] == message
    held = post_comment(body=ABUSIVE).get_json()["id"]
    assert decide(client, moderator, held, action="restore").status_code == 409
    unknown = decide(client, moderator, published, action="delete")
    assert unknown.status_code == 422 and "action" in unknown.get_json()["errors"]
    assert decide(client, moderator, 999_999, action="reject").status_code == 404
    detail = client.get(f"/api/v1/moderation/comments/{published}", headers=moderator).get_json()
    assert detail["status"] == "published" and len(detail["history"]) == 1


def test_a_decision_on_a_status_changed_meanwhile_is_409_and_keeps_the_other(
    client: FlaskClient, staff_headers, post_comment: PostComment
) -> None:
    """Two moderators load the same held comment; the slower one's approval must not
    silently publish what the faster one rejected."""
    first, second = staff_headers(name="maria"), staff_headers(name="omar")
    held = post_comment(body=ABUSIVE).get_json()["id"]
    rejected = decide(client, first, held, action="reject", expected_status="pending")
    assert rejected.status_code == 200

    late = decide(client, second, held, action="approve", expected_status="pending")
    assert late.status_code == 409
    assert late.get_json()["message"] == (
        "The comment is rejected now, not pending: maria decided it meanwhile. Nothing was changed."
    )
    detail = client.get(f"/api/v1/moderation/comments/{held}", headers=second).get_json()
    assert detail["status"] == "rejected"
    assert [entry["action"] for entry in detail["history"]] == ["hold", "reject"]

    # Having seen the rejection, the second moderator may still overrule it deliberately.
    deliberate = decide(client, second, held, action="approve", expected_status="rejected")
    assert deliberate.get_json()["status"] == "published"
    bad = decide(client, second, held, action="reject", expected_status="hidden")
    assert bad.status_code == 422 and "expected_status" in bad.get_json()["errors"]


def test_the_detail_offers_the_actions_its_status_allows_now(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    """What the card's buttons offer, from the same table: after someone else's decision a
    page can show what may be done now without reloading."""
    held = post_comment(body=ABUSIVE).get_json()["id"]

    def actions(comment_id: int) -> list[dict[str, str]]:
        detail = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=moderator)
        offered: list[dict[str, str]] = detail.get_json()["actions"]
        return offered

    assert actions(held) == [
        {"name": "approve", "label": "Approve", "key": "a"},
        {"name": "reject", "label": "Reject", "key": "r"},
        {"name": "spam", "label": "Spam", "key": "s"},
    ]
    assert decide(client, moderator, held, action="reject").status_code == 200
    assert [a["name"] for a in actions(held)] == ["approve", "spam", "restore"]
    filed = post_comment(body="buy now", honeypot="x").get_json()["id"]
    assert {"name": "not_spam", "label": "Not spam", "key": "n"} in actions(filed)
    for offered in actions(held):  # each is accepted
        assert decide(client, moderator, held, action=offered["name"]).status_code == 200
        assert decide(client, moderator, held, action="reject").status_code == 200

    published = post_comment().get_json()["id"]
    assert [a["name"] for a in actions(published)] == ["reject", "spam", "restore"]
    report = client.post(f"/api/v1/comments/{published}/reports", json={"reason": "abusive"})
    assert report.status_code == 201
    assert actions(published)[0] == {
        "name": "approve",
        "label": "Keep (dismiss reports)",
        "key": "a",
    }


def test_bulk_decisions_report_each_outcome(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    held = [post_comment(body=f"{ABUSIVE} {n}").get_json()["id"] for n in range(3)]
    published = post_comment().get_json()["id"]
    response = client.post(
        "/api/v1/moderation/decisions",
        json={"ids": [*held, published, 424242], "action": "reject", "reason": "abuse"},
        headers=moderator,
    )
    data = response.get_json()
    assert data["decided"] == 4
    assert [r["ok"] for r in data["results"]] == [True, True, True, True, False]
    counts = client.get(QUEUE, headers=moderator).get_json()["counts"]
    assert counts["rejected"] == 4 and counts["pending"] == 0


def test_a_bulk_reason_is_recorded_on_each_decision_and_its_label(
    app: Flask, client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    held = [post_comment(body=f"{ABUSIVE} {n}").get_json()["id"] for n in range(2)]
    too_long = client.post(
        "/api/v1/moderation/decisions",
        json={"ids": held, "action": "reject", "reason": "x" * 201},
        headers=moderator,
    )
    assert too_long.status_code == 422 and list(too_long.get_json()["errors"]) == ["reason"]
    assert client.get(QUEUE, headers=moderator).get_json()["counts"]["pending"] == 2

    response = client.post(
        "/api/v1/moderation/decisions",
        json={"ids": held, "action": "reject", "reason": "  personal attacks\n"},
        headers=moderator,
    )
    assert response.get_json()["decided"] == 2
    for comment_id in held:
        last = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=moderator)
        assert last.get_json()["history"][-1]["reason"] == "personal attacks"
    with app.app_context():
        reasons = db.session.scalars(select(LabelledExample.reason)).all()
    assert reasons == ["personal attacks"] * 2


def test_reader_report_reaches_the_queue_even_after_approval(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    comment_id = post_comment().get_json()["id"]
    report = client.post(
        f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive", "text": "rude"}
    )
    assert report.status_code == 201
    again = client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive"})
    assert again.status_code == 200
    reported = client.get(f"{QUEUE}?status=reported", headers=moderator).get_json()
    assert [item["id"] for item in reported["items"]] == [comment_id]
    assert reported["items"][0]["reports"][0]["reason"] == "abusive"
    assert reported["counts"]["reported"] == 1
    assert decide(client, moderator, comment_id, action="approve").status_code == 200
    after = client.get(f"{QUEUE}?status=reported", headers=moderator).get_json()
    assert after["items"] == [] and after["counts"]["reported"] == 0


def test_reports_need_a_published_comment_and_a_known_reason(
    client: FlaskClient, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE).get_json()["id"]
    assert (
        client.post(f"/api/v1/comments/{held}/reports", json={"reason": "spam"}).status_code == 404
    )
    published = post_comment().get_json()["id"]
    bad = client.post(f"/api/v1/comments/{published}/reports", json={"reason": "boring"})
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]


@pytest.mark.parametrize("app_config", [{"QUEUE_COUNT_CAP": 2}])
def test_counts_beyond_the_cap_read_as_at_least_the_cap(
    client: FlaskClient,
    moderator: dict[str, str],
    staff_headers: Any,
    post_comment: PostComment,
) -> None:
    """Queue pages count a queue only up to the cap, so a huge queue costs a page nothing."""
    for n in range(3):
        post_comment(body=f"{ABUSIVE} number {n}", author_email=f"a{n}@example.org")
    post_comment(body="A fair point, thanks.", author_email="fair@example.org")
    data = client.get(QUEUE, headers=moderator).get_json()
    assert data["counts"]["pending"] == 2 and data["counts_capped"] == ["pending"]
    assert data["counts"]["published"] == 1
    assert len(client.get(f"{QUEUE}?per_page=10", headers=moderator).get_json()["items"]) == 3

    limited = staff_headers("moderator", name="elsewhere", sites=("default",))
    assert client.get(QUEUE, headers=limited).get_json()["counts_capped"] == ["pending"]


@pytest.mark.parametrize("app_config", [{"QUEUE_COUNT_CAP": 2}])
def test_counts_are_of_what_the_filters_select(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    for n in range(3):
        post_comment(body=f"{ABUSIVE} number {n}", thread="/busy")
    post_comment(body="A fair point, thanks.", thread="/busy")
    post_comment(body=ABUSIVE, thread="/quiet")
    busy = client.get(f"{QUEUE}?thread=/busy", headers=moderator).get_json()
    assert busy["counts"]["pending"] == 2 and busy["counts_capped"] == ["pending"]
    assert busy["counts"]["published"] == 1
    quiet = client.get(f"{QUEUE}?thread=/quiet", headers=moderator).get_json()
    assert quiet["counts"]["pending"] == 1 and quiet["counts"]["published"] == 0
    assert quiet["counts_capped"] == []
    scored = client.get(f"{QUEUE}?min_toxicity=0.5&thread=/busy", headers=moderator).get_json()
    assert scored["counts"]["published"] == 0 and scored["counts"]["pending"] == 2
    # No index counts by a signal: nothing is counted, not the whole queue.
    by_signal = client.get(f"{QUEUE}?signal=toxic", headers=moderator).get_json()
    assert by_signal["counts"] == {} and by_signal["counts_capped"] == []
    assert len(by_signal["items"]) == 4  # the page itself is listed as ever


def test_counts_under_an_author_are_of_their_comments_by_email_or_name(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    """The author filter takes an e-mail address or a name in any case; the queues are counted
    under it (migration 0024 indexes the name), of what its pages list."""
    post_comment(body=ABUSIVE, author_name="Ann Lee", author_email="ann@example.org")
    post_comment(body=NICE, author_name="Ann Lee", author_email="ann@example.org")
    post_comment(body=NICE + " (from another address)", author_name="ANN LEE")
    post_comment(body=NICE + " (by Bob)", author_name="Bob", author_email="bob@example.org")
    post_comment(body=ABUSIVE + " (by Bob)", author_name="Bob", author_email="bob@example.org")
    by_name = client.get(f"{QUEUE}?author=ann%20lee&status=published", headers=moderator)
    by_name = by_name.get_json()
    assert by_name["counts"] == {
        "pending": 1,
        "spam": 0,
        "reported": 0,
        "published": 2,
        "rejected": 0,
        "deleted": 0,
    }
    assert by_name["counts_capped"] == []
    assert {item["author"]["name"] for item in by_name["items"]} == {"Ann Lee", "ANN LEE"}
    assert len(by_name["items"]) == by_name["counts"]["published"]
    by_email = client.get(f"{QUEUE}?author=Ann@Example.org", headers=moderator).get_json()
    assert by_email["counts"]["pending"] == 1 and by_email["counts"]["published"] == 1
    assert [item["author"]["email"] for item in by_email["items"]] == ["ann@example.org"]
