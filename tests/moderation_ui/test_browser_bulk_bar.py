"""The queue's bulk bar in Debian's Chromium: what its buttons say they act on.

Each test works in a thread of its own (filtered with ?thread=), as the other browser tests do.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, NICE, Live

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def email() -> str:
    return f"{uuid.uuid4().hex}@x.org"


def test_bulk_buttons_name_how_many_comments_they_act_on(browser_page: Page, live: Live) -> None:
    """As a card's buttons name their comment, the bar's name the selection, kept current."""
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, f"{ABUSIVE} [bar {n}]", author_email=email()) for n in range(3)]
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    bar = page.locator("#bulk")

    def names(count: str) -> None:
        for word, key in (("Approve", "Shift+A"), ("Reject", "Shift+R"), ("Spam", "Shift+S")):
            button = bar.get_by_role("button", name=f"{word} {count}", exact=True)
            expect(button).to_have_attribute("aria-keyshortcuts", key)

    names("0 selected comments")
    page.keyboard.press("j")
    page.keyboard.press("x")
    names("1 selected comment")
    page.locator(f"#comment-{ids[2]}").get_by_role("checkbox").check()
    names("2 selected comments")
    page.keyboard.press("x")  # the first again: unselected
    names("1 selected comment")
    page.keyboard.press("j")
    page.keyboard.press("x")
    bar.get_by_role("button", name="Reject 2 selected comments", exact=True).click()
    expect(page.locator("#announcer")).to_have_text("2 comments rejected.")
    names("0 selected comments")  # decided and gone from the page: nothing selected


def test_bulk_unpublish_names_the_selection_too(browser_page: Page, live: Live) -> None:
    page, thread = browser_page, new_thread()
    for n in range(2):
        post(live, thread, f"{NICE} [bar unpublish {n}]", author_email=email())
    sign_in(page, live, f"/moderation/?status=published&sort=oldest&thread={thread}")
    unpublish = page.locator('#bulk button[value="restore"]')
    expect(unpublish).to_have_accessible_name("Unpublish 0 selected comments")
    for _ in range(2):
        page.keyboard.press("j")
        page.keyboard.press("x")
    expect(unpublish).to_have_accessible_name("Unpublish 2 selected comments")
