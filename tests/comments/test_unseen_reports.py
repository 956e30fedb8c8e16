"""Keeping a reported comment dismisses the reports the moderator read, not one that came since.

A reader's report adds no decision, so ``expected_decision`` does not see it: ``reports_seen``
(the newest report id the card showed) does, one by one and in bulk.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.comments.conftest import NICE, PostComment

QUEUE = "/api/v1/moderation/queue"


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision", json=body, headers=headers
    )


def report(client: FlaskClient, comment_id: int, reader: str, text: str) -> None:
    """A report from the reader at address ``reader`` (one open report per reader)."""
    answer = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json={"reason": "abusive", "text": text},
        environ_base={"REMOTE_ADDR": reader},
    )
    assert answer.status_code == 201


def reported(client: FlaskClient, headers: dict[str, str]) -> dict[int, list[str]]:
    """The reported queue: each comment's open reports, by their text."""
    items = client.get(f"{QUEUE}?status=reported", headers=headers).get_json()["items"]
    return {item["id"]: [r["text"] for r in item["reports"]] for item in items}


def card(client: FlaskClient, headers: dict[str, str], comment_id: int) -> dict[str, Any]:
    [item] = [
        item
        for item in client.get(f"{QUEUE}?status=reported", headers=headers).get_json()["items"]
        if item["id"] == comment_id
    ]
    return item


def test_a_report_that_came_after_the_card_loaded_stays_open_when_the_comment_is_kept(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    moderator = staff_headers(name="maria")
    comment_id = post_comment(body=NICE).get_json()["id"]
    report(client, comment_id, "192.0.2.1", "rude")
    shown = card(client, moderator, comment_id)
    [seen] = shown["reports"]
    report(client, comment_id, "192.0.2.2", "a threat, read the reply")

    kept = decide(
        client,
        moderator,
        comment_id,
        action="approve",
        expected_decision=shown["latest_decision"],
        reports_seen=seen["id"],
    )
    assert kept.status_code == 200
    assert kept.get_json()["status"] == "published" and kept.get_json()["open_reports"] == 1
    assert reported(client, moderator) == {comment_id: ["a threat, read the reply"]}
    counts = client.get(QUEUE, headers=moderator).get_json()["counts"]
    assert counts["reported"] == 1

    now = card(client, moderator, comment_id)
    again = decide(
        client,
        moderator,
        comment_id,
        action="approve",
        expected_decision=now["latest_decision"],
        reports_seen=now["reports"][-1]["id"],
    )
    assert again.status_code == 200 and again.get_json()["open_reports"] == 0
    assert reported(client, moderator) == {}


def test_without_reports_seen_a_decision_resolves_every_open_report(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    moderator = staff_headers(name="maria")
    comment_id = post_comment(body=NICE).get_json()["id"]
    report(client, comment_id, "192.0.2.1", "rude")
    report(client, comment_id, "192.0.2.2", "ruder")
    kept = decide(client, moderator, comment_id, action="approve")
    assert kept.status_code == 200 and kept.get_json()["open_reports"] == 0
    assert reported(client, moderator) == {}


def test_taking_a_comment_down_answers_every_report(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    """A rejected comment is what its readers asked for: a report left open would hold it in
    the reported queue with nothing to dismiss it by."""
    moderator = staff_headers(name="maria")
    comment_id = post_comment(body=NICE).get_json()["id"]
    report(client, comment_id, "192.0.2.1", "rude")
    seen = card(client, moderator, comment_id)["reports"][0]["id"]
    report(client, comment_id, "192.0.2.2", "ruder")
    rejected = decide(client, moderator, comment_id, action="reject", reports_seen=seen)
    assert rejected.status_code == 200
    assert rejected.get_json()["status"] == "rejected" and rejected.get_json()["open_reports"] == 0
    assert reported(client, moderator) == {}


def test_keeping_a_comment_whose_every_report_is_unread_is_refused(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    moderator = staff_headers(name="maria")
    comment_id = post_comment(body=NICE).get_json()["id"]
    report(client, comment_id, "192.0.2.1", "rude")
    refused = decide(client, moderator, comment_id, action="approve", reports_seen=0)
    assert refused.status_code == 409
    assert refused.get_json()["message"] == (
        "Readers reported it since you loaded it: read their reports first. Nothing was changed."
    )
    assert reported(client, moderator) == {comment_id: ["rude"]}
    detail = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=moderator)
    assert len(detail.get_json()["history"]) == 1  # the model's, alone


def test_bulk_keeps_dismiss_only_what_each_card_showed(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    moderator = staff_headers(name="maria")
    first, second = (post_comment(body=f"{NICE} {n}").get_json()["id"] for n in range(2))
    for comment_id in (first, second):
        report(client, comment_id, "192.0.2.1", f"rude {comment_id}")
    seen = {
        str(item["id"]): item["reports"][-1]["id"]
        for item in client.get(f"{QUEUE}?status=reported", headers=moderator).get_json()["items"]
    }
    report(client, second, "192.0.2.2", "and again")

    response = client.post(
        "/api/v1/moderation/decisions",
        json={"ids": [first, second], "action": "approve", "reports_seen": seen},
        headers=moderator,
    )
    assert response.status_code == 200
    results = {r["id"]: (r["ok"], r["open_reports"]) for r in response.get_json()["results"]}
    assert results == {first: (True, 0), second: (True, 1)}
    assert reported(client, moderator) == {second: ["and again"]}


def test_reports_seen_must_be_a_whole_number_from_zero(
    client: FlaskClient, staff_headers: Any, post_comment: PostComment
) -> None:
    moderator = staff_headers(name="maria")
    comment_id = post_comment(body=NICE).get_json()["id"]
    report(client, comment_id, "192.0.2.1", "rude")
    for bad in ("7", -1, 1.5, True):
        single = decide(client, moderator, comment_id, action="approve", reports_seen=bad)
        assert single.status_code == 422, bad
        assert list(single.get_json()["errors"]) == ["reports_seen"], bad
    for bad_seen, message in (
        ({"12345": 1}, "Not in ids: 12345."),
        ({str(comment_id): -1}, "Must be greater than or equal to 0"),
        ({str(comment_id): "1"}, "Not a valid integer."),
    ):
        bulk = client.post(
            "/api/v1/moderation/decisions",
            json={"ids": [comment_id], "action": "approve", "reports_seen": bad_seen},
            headers=moderator,
        )
        assert bulk.status_code == 422, bad_seen
        errors = bulk.get_json()["errors"]
        assert list(errors) == ["reports_seen"] and message in str(errors), bad_seen
    assert reported(client, moderator) == {comment_id: ["rude"]}
