"""Unpublishing without JavaScript: a published card's Unpublish button, on the comment's page
and in the Published queue, one comment or the selection, and what each says it did."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.moderation_ui.conftest import (
    ABUSIVE,
    PostComment,
    SignedIn,
    card_html,
    session_csrf,
    status_of,
)


def thread_total(app: Flask) -> int:
    answer = app.test_client().get("/api/v1/comments", query_string={"thread": "/post/1"})
    total: int = answer.get_json()["total"]
    return total


def shown_decision(card: str) -> str:
    found = re.search(r'name="expected_decision" value="(\d+)"', card)
    assert found, card
    return found.group(1)


def test_the_comment_page_unpublishes_a_published_comment(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    comment_id = post_comment()
    client = signed_in("moderator", name="maria")
    page = client.get(f"/moderation/comments/{comment_id}").text
    card = card_html(page, comment_id)
    assert re.search(r'<button type="submit" name="action" value="restore"[^>]*>Unpublish', card)
    assert ">Restore<" not in card
    back = f"/moderation/comments/{comment_id}"
    response = client.post(
        f"/moderation/comments/{comment_id}/decision",
        data={
            "action": "restore",
            "reason": "approved by mistake",
            "expected_status": "published",
            "expected_decision": shown_decision(card),
            "csrf_token": session_csrf(client),
            "next": back,
        },
        follow_redirects=True,
    )
    assert f"Comment #{comment_id} unpublished, back to pending." in response.text
    assert "published → pending" in response.text and "approved by mistake" in response.text
    assert status_of(app, comment_id) == "pending"
    assert thread_total(app) == 0
    card = card_html(response.text, comment_id)
    assert "Unpublish" not in card and 'value="approve"' in card  # a pending comment's buttons


def test_the_published_queue_unpublishes_the_selection(
    app: Flask, signed_in: SignedIn, post_comment: PostComment, client: FlaskClient
) -> None:
    ids = [post_comment(body=f"A fine and useful comment, number {n}.") for n in range(3)]
    held = post_comment(body=ABUSIVE)
    signed_in("moderator")
    queue = client.get("/moderation/?status=published").text
    bulk = queue[queue.index('id="bulk"') : queue.index("</form>", queue.index('id="bulk"'))]
    assert re.search(r'value="restore"[^>]*\s+aria-keyshortcuts="Shift\+P">Unpublish<', bulk)
    assert ">Restore<" not in client.get("/moderation/?status=pending").text
    shown = {f"expected_decision_{i}": shown_decision(card_html(queue, i)) for i in ids[:2]}
    response = client.post(
        "/moderation/decisions",
        data={
            "action": "restore",
            "ids": [str(i) for i in [*ids[:2], held]],
            **shown,
            "csrf_token": session_csrf(client),
            "next": "/moderation/?status=published",
        },
        follow_redirects=True,
    )
    assert "2 comments unpublished, back to pending." in response.text
    assert f"#{held}: Cannot restore a pending comment." in response.text
    assert [status_of(app, i) for i in [*ids, held]] == [
        "pending",
        "pending",
        "published",
        "pending",
    ]
    assert thread_total(app) == 1
    assert re.search(r'data-count="pending"[^>]*>3<', response.text)
    assert re.search(r'data-count="published"[^>]*>1<', response.text)
