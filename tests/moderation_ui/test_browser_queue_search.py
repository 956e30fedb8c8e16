"""Searching the queue by words in Debian's Chromium: the field, its value across tabs and pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, Live

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)

SEARCH = "Search (words in the text or the author's name)"


def test_the_search_field_narrows_the_queue_and_stays_across_tabs_and_pages(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    # A word of the test's own, so other tests' comments on the shared server never match.
    word = f"zq{thread.rsplit('/', 1)[1]}"
    found = [post(live, thread, f"{ABUSIVE} ({word.upper()} {n})") for n in range(2)]
    post(live, thread, f"{ABUSIVE} (without it)")
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    expect(page.locator("#cards .card")).to_have_count(3)

    search = page.get_by_label(SEARCH)
    search.fill(word)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#cards .card")).to_have_count(2)
    for comment_id in found:
        # The word is marked in the text as the author wrote it, in its own letter case.
        hit = page.locator(f"#comment-{comment_id} .comment-text mark.search-hit")
        expect(hit).to_have_text(word.upper())
    expect(page.get_by_label(SEARCH)).to_have_value(word)
    expect(page.get_by_text("not counted under a signal or search filter")).to_be_visible()

    page.get_by_role("navigation", name="Queues").get_by_role("link", name="Published").click()
    expect(page.get_by_label(SEARCH)).to_have_value(word)
    expect(page.locator("#cards .card")).to_have_count(0)
    page.get_by_role("navigation", name="Queues").get_by_role("link", name="Pending").click()
    expect(page.locator("#cards .card")).to_have_count(2)

    page.goto(f"{live.url}/moderation/?status=pending&sort=oldest&per_page=1&q={word}")
    expect(page.locator(f"#comment-{found[0]}")).to_be_visible()
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#cards .card")).to_have_count(1)
    expect(page.locator(f"#comment-{found[1]}")).to_be_visible()
    expect(page.get_by_label(SEARCH)).to_have_value(word)
