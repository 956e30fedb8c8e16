"""Without JavaScript, keeping a reported comment dismisses the reports its card showed: one
made after the page loaded stays open, and the comment in the Reported tab."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.moderation_ui.conftest import NICE, PostComment, SignedIn, card_html, session_csrf

REPORTED = "/moderation/?status=reported"


def report(app: Flask, comment_id: int, reader: str, text: str) -> None:
    answer = app.test_client().post(
        f"/api/v1/comments/{comment_id}/reports",
        json={"reason": "abusive", "text": text},
        environ_base={"REMOTE_ADDR": reader},
    )
    assert answer.status_code == 201


def hidden(card: str, name: str) -> str:
    """A hidden field of the card, as the browser would send it."""
    found = re.search(rf'name="{name}" value="([^"]*)"', card)
    assert found, name
    return html.unescape(found.group(1))


def reports_shown(client: FlaskClient, comment_id: int) -> list[str]:
    page = client.get(REPORTED).text
    if f'id="comment-{comment_id}"' not in page:
        return []
    return re.findall(r"<bdi>(.*?)</bdi>", card_html(page, comment_id))


def test_keep_leaves_open_a_report_made_after_the_page_loaded(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    published = post_comment(body=NICE)
    report(app, published, "192.0.2.1", "rude")
    client = signed_in("moderator")
    card = card_html(client.get(REPORTED).text, published)
    form = {
        name: hidden(card, name)
        for name in ("expected_status", "expected_decision", "reports_seen", "next")
    }
    report(app, published, "192.0.2.2", "a threat")

    kept = client.post(
        f"/moderation/comments/{published}/decision",
        data={**form, "action": "approve", "csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert f"Comment #{published} kept, reports dismissed; 1 newer report is still open." in (
        kept.text
    )
    assert reports_shown(client, published) == ["a threat"]


def test_a_bulk_keep_leaves_open_the_reports_each_card_did_not_show(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    first, second = (post_comment(body=f"{NICE} {n}") for n in range(2))
    for comment_id in (first, second):
        report(app, comment_id, "192.0.2.1", f"rude {comment_id}")
    client = signed_in("moderator")
    page = client.get(REPORTED).text
    form: dict[str, str | list[str]] = {
        f"{name}_{i}": hidden(card_html(page, i), f"{name}_{i}")
        for i in (first, second)
        for name in ("expected_decision", "reports_seen")
    }
    report(app, second, "192.0.2.2", "and again")

    kept = client.post(
        "/moderation/decisions",
        data={
            **form,
            "ids": [str(first), str(second)],
            "action": "approve",
            "next": REPORTED,
            "csrf_token": session_csrf(client),
        },
        follow_redirects=True,
    )
    assert "2 comments kept, reports dismissed." in kept.text
    assert f"#{second}: 1 newer report is still open." in kept.text
    assert reports_shown(client, first) == []
    assert reports_shown(client, second) == ["and again"]
