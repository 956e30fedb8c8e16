"""The queue's bulk bar in Chromium: what its buttons say they act on, and its reason.

Each test works in a thread of its own (filtered with ?thread=), as the other browser tests do.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, NICE, PASSWORD, Live

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


def _history_row(page: Page, live: Live, comment_id: int, action: str) -> Any:
    page.goto(live.url + f"/moderation/comments/{comment_id}")
    return page.locator("table tr", has=page.get_by_role("cell", name=action, exact=True))


def test_the_selections_reason_is_recorded_on_each_decision(browser_page: Page, live: Live) -> None:
    """Typed in the bar, as on a card: Enter decides nothing, Esc goes back to the comment and
    Shift with a key decides the selection with it; then the field is empty for the next."""
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, f"{ABUSIVE} [why {n}]", author_email=email()) for n in range(3)]
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    for _ in range(2):
        page.keyboard.press("j")
        page.keyboard.press("x")
    reason = page.locator("#bulk").get_by_label("Reason (optional)")
    reason.fill("off-topic")
    reason.press("Enter")
    expect(page.locator("#announcer")).to_have_text(
        "Enter in the selection's reason does not decide. Press Esc, then Shift and a "
        "decision's key, or choose a button."
    )
    expect(page.locator(".card-meta .status")).to_have_text(["pending"] * 3)
    expect(reason).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.locator(f"#comment-{ids[1]}")).to_be_focused()
    page.keyboard.press("Shift+R")
    expect(page.locator("#announcer")).to_have_text("2 comments rejected.")
    expect(reason).to_have_value("")
    for comment_id in ids[:2]:
        expect(_history_row(page, live, comment_id, "reject")).to_contain_text("off-topic")
    expect(_history_row(page, live, ids[2], "hold")).to_be_visible()
    expect(_history_row(page, live, ids[2], "reject")).to_have_count(0)


def test_without_script_the_selections_reason_is_recorded_and_enter_decides_nothing(
    page_without_script: Page, live: Live
) -> None:
    page, thread = page_without_script, new_thread()
    ids = [post(live, thread, f"{ABUSIVE} [no js why {n}]", author_email=email()) for n in range(2)]
    path = f"/moderation/?status=pending&thread={thread}"
    page.goto(live.url + path)
    page.get_by_label("Name").fill("mod")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for comment_id in ids:
        page.locator(f"#comment-{comment_id}").get_by_role("checkbox").check()
    reason = page.locator("#bulk").get_by_label("Reason (optional)")
    reason.fill("duplicate")
    reason.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".card-meta .status")).to_have_text(["pending"] * 2)

    for comment_id in ids:
        page.locator(f"#comment-{comment_id}").get_by_role("checkbox").check()
    page.locator("#bulk").get_by_label("Reason (optional)").fill("duplicate")
    page.get_by_role("button", name="Reject the selected comments", exact=True).click()
    expect(page.get_by_text("2 comments rejected.")).to_be_visible()
    for comment_id in ids:
        expect(_history_row(page, live, comment_id, "reject")).to_contain_text("duplicate")
