"""Live updates, the widget's side, with /api/v1/ answered by the test (FakeApi.changes
answers the checks): an approved older comment and a reply to a removed one in their places,
a burst of changes read five pages at a time, failed checks backing off, and comments beyond
the pages loaded left to "Load more". End to end with the real API: test_browser_live_updates.py.
"""

from __future__ import annotations

import re

import pytest
from browser_support import NOW, FakeApi, LiveServer, PageIssues, Widget, comment, wait_until
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def fast_checks(page: Page, seconds: str) -> None:
    """The demo page's widget, checking every `seconds`: set before embed.js reads it."""
    page.add_init_script(
        f"""document.addEventListener("readystatechange", () => {{
          const root = document.getElementById("comments");
          if (!root || document.readyState !== "interactive") return;
          root.dataset.liveInterval = "{seconds}";
        }});"""
    )


def test_an_approved_older_comment_goes_in_order_and_a_reply_under_its_removed_parent(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    fast_checks(page, "0.3")
    api.pages[None] = {
        "comments": [comment(1), comment(3), comment(4, 3)],
        "total": 3,
        "next": None,
        "removed": [],
        "since": "2026-11-27T23:49:00+00:00",
    }
    api.changes = [
        {
            # 4 again (the watermark's margin), 2 approved late, 6 answering 5, removed.
            "comments": [comment(2), comment(4, 3), comment(6, 5)],
            "total": 5,
            "next": None,
            "removed": [{"id": 5, "parent_id": 1}],
            "since": "2026-11-27T23:55:00+00:00",
        },
    ]
    widget.open(live_server.url)
    button = widget.root.get_by_role("button", name="Show 2 new comments")
    expect(button).to_be_visible()
    expect(widget.count).to_have_text("3 Comments")
    button.press("Enter")
    top = widget.thread.locator(":scope > li")
    expect(top).to_have_count(3)
    assert [top.nth(i).get_attribute("data-id") for i in range(3)] == ["1", "2", "3"]
    reply = page.locator("#comment-1 > .cw-replies > [data-id='5'] > .cw-replies > #comment-6")
    expect(reply.locator(":scope > .cw-card")).to_be_focused()  # first in reading order
    expect(page.locator(".cw-removed")).to_have_count(1)
    expect(widget.count).to_have_text("5 Comments")
    # The next check asks after the watermark the last answer gave.
    count = len(api.since_asked)
    wait_until(page, lambda: len(api.since_asked) > count, 5)
    assert api.since_asked[0] == ("2026-11-27T23:49:00+00:00", None)
    assert api.since_asked[-1] == ("2026-11-27T23:55:00+00:00", None)


def test_a_check_reads_five_pages_at_most_and_the_next_goes_on_from_there(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    fast_checks(page, "0.3")
    api.pages[None] = {"comments": [comment(1)], "total": 1, "next": None, "since": "S0"}
    api.changes = [
        {"comments": [comment(id_)], "total": 7, "next": str(id_), "since": "S1"}
        for id_ in range(10, 15)
    ] + [{"comments": [comment(15)], "total": 7, "next": None, "since": "S1"}]
    widget.open(live_server.url)
    expect(widget.root.get_by_role("button", name="Show 5 new comments")).to_be_visible()
    expect(widget.root.get_by_role("button", name="Show 6 new comments")).to_be_visible()
    wait_until(page, lambda: len(api.since_asked) >= 7, 5)
    assert api.since_asked[:7] == [
        ("S0", None),
        *(("S0", str(id_)) for id_ in range(10, 15)),  # the second check goes on at 14
        ("S1", None),  # then the watermark moves on
    ]


def test_failed_checks_wait_longer_each_time(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page_issues.expected_statuses.add(503)
    fast_checks(page, "0.2")
    api.pages[None] = {"comments": [comment(1)], "total": 1, "next": None, "since": NOW}
    widget.open(live_server.url)
    expect(widget.count).to_have_text("1 Comment")
    api.failing_reads = 1000
    start = len(api.since_asked)
    page.wait_for_timeout(4000)
    # Every 0.2 s would be 20; waiting twice as long after each failure, about 5.
    assert 2 <= len(api.since_asked) - start <= 7, api.since_asked
    expect(widget.root.get_by_role("button", name=re.compile("new comment"))).to_be_hidden()


def test_comments_beyond_the_pages_loaded_are_left_to_load_more(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    fast_checks(page, "0.3")
    ids = [1, 3, 5, 7, 9]
    for n, id_ in enumerate(ids):
        cursor = str(ids[n - 1]) if n else None
        api.pages[cursor] = {"comments": [comment(id_)], "total": 7, "next": str(id_), "since": NOW}
    api.pages["9"] = {"comments": [comment(11)], "total": 7, "next": None, "since": NOW}
    api.changes = [{"comments": [comment(4), comment(11)], "total": 7, "next": None, "since": NOW}]
    widget.open(live_server.url)
    more = widget.root.get_by_role("button", name="Load more comments")
    expect(more).to_be_visible()
    button = widget.root.get_by_role("button", name="Show 1 new comment")  # 4, not 11
    expect(button).to_be_visible()
    more.press("Enter")
    expect(page.locator("#comment-11 > .cw-card")).to_be_focused()
    button.press("Enter")
    expect(page.locator("#comment-4 > .cw-card")).to_be_focused()
    top = widget.thread.locator(":scope > li")
    assert [top.nth(i).get_attribute("data-id") for i in range(7)] == [
        "1",
        "3",
        "4",
        "5",
        "7",
        "9",
        "11",
    ]
    page.wait_for_timeout(1000)  # later checks: still once each
    expect(page.locator("#comment-11")).to_have_count(1)
    expect(button).to_be_hidden()
