"""A report made after the queue page loaded is not dismissed unread by Keep (Chromium): the
card stays in the Reported tab, redrawn with the reports still open."""

from __future__ import annotations

import http.client
import json
import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import button_texts, count, new_thread, post, sign_in
from tests.moderation_ui.conftest import NICE, Live

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def report(live: Live, comment_id: int, text: str, reader: str = "127.0.0.1") -> None:
    """A reader's report, sent from the loopback address ``reader``: one open report per
    reader, so a second reader needs an address of their own."""
    address = urlsplit(live.url)
    connection = http.client.HTTPConnection(
        address.hostname or "", address.port, timeout=30, source_address=(reader, 0)
    )
    try:
        connection.request(
            "POST",
            f"/api/v1/comments/{comment_id}/reports",
            body=json.dumps({"reason": "abusive", "text": text}),
            headers={"Content-Type": "application/json"},
        )
        assert connection.getresponse().status == 201
    finally:
        connection.close()


def reported_comment(live: Live, thread: str) -> int:
    # An e-mail of its own: known by IP address, it would share the rejections of other tests.
    comment_id = post(live, thread, NICE, author_email=f"{uuid.uuid4().hex}@x.org")
    report(live, comment_id, "rude")
    return comment_id


def test_keep_leaves_a_newer_report_open_and_the_card_shows_it(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    comment_id = reported_comment(live, thread)
    sign_in(page, live, f"/moderation/?status=reported&thread={thread}")
    card = page.locator(f"#comment-{comment_id}")
    expect(card.locator(".reports")).to_contain_text("Abusive: rude")
    reported = count(page, "reported")
    report(live, comment_id, "a threat in the last line", reader="127.0.0.2")

    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("#announcer")).to_have_text(
        f"Comment #{comment_id} kept, reports dismissed; 1 newer report is still open."
    )
    reports = card.locator(".reports")
    expect(reports.locator("h3")).to_have_text("Open reports (1)")
    shown = r"^Abusive: a threat in the last line · \d{4}-\d\d-\d\d \d\d:\d\d UTC$"
    expect(reports.locator("li")).to_have_text([re.compile(shown)])
    expect(card.locator("form.decide .buttons button")).to_have_text(
        button_texts(comment_id, "Keep (dismiss reports) a", "Reject r", "Spam s", "Unpublish p")
    )
    expect(page.locator('[data-count="reported"]')).to_have_text(str(reported))

    # Read now: the next Keep dismisses it, and the card leaves the tab.
    expect(card).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator("#announcer")).to_have_text(
        f"Comment #{comment_id} kept, reports dismissed."
    )
    expect(card).to_have_count(0)
    expect(page.locator('[data-count="reported"]')).to_have_text(str(reported - 1))


def test_a_bulk_keep_leaves_open_what_each_card_did_not_show(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    first, second = (reported_comment(live, thread) for _ in range(2))
    sign_in(page, live, f"/moderation/?status=reported&thread={thread}")
    report(live, second, "and again", reader="127.0.0.2")
    for comment_id in (first, second):
        page.get_by_role("checkbox", name=f"Select comment {comment_id}").check()
    page.get_by_role("button", name="Approve 2 selected comments").click()
    expect(page.locator("#announcer")).to_have_text(
        f"2 comments kept, reports dismissed. #{second}: 1 newer report is still open."
    )
    expect(page.locator(f"#comment-{first}")).to_have_count(0)
    expect(page.locator(f"#comment-{second} .reports li")).to_have_count(1)
    expect(page.locator(f"#comment-{second} .reports")).to_contain_text("Abusive: and again")
