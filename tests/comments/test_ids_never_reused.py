"""Ids readers, moderators and other systems were given are never given again, on SQLite as on
PostgreSQL, when the newest row is deleted outright (migration 0023): an open page, a permalink
or a webhook receiver would take the next comment, decision or endpoint for the deleted one."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner

from tests.comments.conftest import ABUSIVE, PostComment, StaffToken
from tests.comments.test_thread_deletions import ANN, erase, published, read
from tests.comments.webhook_receiver import Receiver

WEBHOOKS = "/api/v1/admin/webhooks"


def test_a_comment_after_the_newest_one_erased_gets_a_new_id_and_open_pages_show_it(
    client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    """The widget refreshes a comment it already has in place and then removes the ids in
    ``withdrawn``: a new comment with the erased one's id was hidden until the page reloaded."""
    kept = published(post_comment, "A comment by someone who stays.")
    erased = published(
        post_comment, "The newest comment, whose author asks to erase it.", author_email=ANN
    )
    since = read(client)["since"]
    erase(runner, ANN)
    new = published(post_comment, "A comment posted after the erasure.")
    assert new > erased
    changed = read(client, since=since)
    assert changed["withdrawn"] == [erased]
    assert new in [comment["id"] for comment in changed["comments"]]
    assert [comment["id"] for comment in read(client)["comments"]] == [kept, new]


def decide(client: FlaskClient, moderator: dict[str, str], comment_id: int, action: str) -> int:
    response = client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision",
        json={"action": action},
        headers=moderator,
    )
    assert response.status_code == 200, response.get_json()
    return int(response.get_json()["decision"])


def test_a_decision_after_those_of_an_erased_comment_gets_a_new_id(
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
) -> None:
    """Decision ids are in ``comment.decided`` payloads and the moderation API; an erased
    comment's decisions go with it."""
    moderator = staff_headers("moderator")
    erased = post_comment(body=ABUSIVE, author_email=ANN).get_json()["id"]
    other = post_comment(body=ABUSIVE + " again", author_email="bo@example.org").get_json()["id"]
    newest = decide(client, moderator, erased, "reject")
    erase(runner, ANN)
    assert decide(client, moderator, other, "reject") > newest


def test_a_webhook_endpoint_and_delivery_after_a_removed_one_get_new_ids(
    client: FlaskClient, admin: dict[str, str], hooks: Receiver, post_comment: PostComment
) -> None:
    """A stale page or script addressing the removed endpoint or its delivery is told it is
    gone rather than changing, rotating or redelivering the next one."""

    def add_endpoint_and_a_delivery() -> tuple[int, int]:
        added = client.post(WEBHOOKS, json={"url": f"{hooks.url}/hook"}, headers=admin)
        assert added.status_code == 201, added.get_json()
        post_comment(body="A comment that fires an event.")
        deliveries: list[dict[str, Any]] = client.get(
            f"{WEBHOOKS}/deliveries", headers=admin
        ).get_json()["deliveries"]
        return int(added.get_json()["id"]), max(delivery["id"] for delivery in deliveries)

    removed, removed_delivery = add_endpoint_and_a_delivery()
    assert client.post(f"{WEBHOOKS}/{removed}/remove", headers=admin).status_code == 200
    endpoint, delivery = add_endpoint_and_a_delivery()
    assert endpoint > removed and delivery > removed_delivery
    stale = client.patch(f"{WEBHOOKS}/{removed}", json={"active": False}, headers=admin)
    assert stale.status_code == 404
    redelivered = client.post(f"{WEBHOOKS}/deliveries/{removed_delivery}/redeliver", headers=admin)
    assert redelivered.status_code == 404
