"""Taking comments out of the spam folder by key, and restoring several at once (Chromium)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.conftest import ABUSIVE, NICE, Live, painted
from tests.moderation_ui.test_browser_moderation import new_thread, post, sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def email() -> str:
    """An address of its own, so no other test's comments count as this author's history."""
    return f"{uuid.uuid4().hex[:12]}@x.org"


def test_n_takes_a_comment_out_of_spam_where_the_card_offers_it(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    filed = post(live, thread, NICE + " (honeypot)", honeypot="x", author_email=email())
    held = post(live, thread, ABUSIVE + " (not spam key)", author_email=email())
    sign_in(page, live, f"/moderation/?status=spam&thread={thread}")
    card = page.locator(f"#comment-{filed}")
    not_spam = card.get_by_role("button", name="Not spam", exact=True)
    expect(not_spam).to_have_attribute("aria-keyshortcuts", "n")
    expect(not_spam.locator("kbd")).to_have_text("n")

    page.keyboard.press("j")
    page.keyboard.press("n")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{filed} marked as not spam.")
    expect(card).to_have_count(0)
    page.goto(live.url + f"/moderation/?status=published&thread={thread}")
    expect(page.locator(f"#comment-{filed} .card-meta .status")).to_have_text("published")

    # A held comment is no spam to take out: the key is refused, and nothing is sent.
    page.goto(live.url + f"/moderation/?status=pending&thread={thread}")
    painted(page)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.keyboard.press("j")
    page.keyboard.press("n")
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{held} is pending: n does not apply now. "
        "It offers Approve (a), Reject (r), Spam (s)."
    )
    assert sent == []
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
        "Mark the focused comment as not spam"
    )
