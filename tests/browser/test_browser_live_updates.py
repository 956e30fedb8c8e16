"""Live updates: comments published while a page is open wait behind a "Show N new comments"
button, announced politely, and go in their place once, when the reader asks.

End to end with the real API, on a page of another origin (so through CORS) whose widget
checks every fraction of a second (data-live-interval) instead of every 30 seconds. Others
post through the API from this process; a hidden tab is simulated by overriding
document.hidden and firing visibilitychange, which is all the widget reads of it. The
widget's side of the contract, with the API answered by the test, is in
test_browser_widget_live.py.
"""

from __future__ import annotations

import re
import time
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import pytest
from browser_support import Blog, Widget, wait_until
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Request as Sent

pytestmark = pytest.mark.browser

TOP = "The opening comment, which the others answer or follow."
ANSWER = "An early answer to the opening comment, loaded with the page."
LATE_REPLY = "A reply to the opening comment posted while the page was open."
LATE_TOP = "A comment of its own, posted while the page was open."


def checks(page: Page) -> list[Sent]:
    """The widget's live checks (thread reads with since=), as they are sent."""
    sent: list[Sent] = []

    def note(request: Sent) -> None:
        if "/api/v1/comments?" in request.url and "since=" in request.url:
            sent.append(request)

    page.on("request", note)
    return sent


def set_hidden(page: Page, hidden: bool) -> None:
    page.evaluate(
        """(hidden) => {
          for (const [name, value] of [["hidden", hidden],
                                       ["visibilityState", hidden ? "hidden" : "visible"]]) {
            Object.defineProperty(document, name, { configurable: true, get: () => value });
          }
          document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_new_comments_wait_behind_a_button_then_go_in_their_place_once(
    page: Page, widget: Widget, blog: Blog
) -> None:
    top = blog.post(TOP, name="Ann")
    answer = blog.post(ANSWER, parent_id=top)
    sent = checks(page)
    page.goto(blog.url(live_interval="0.3"))
    expect(widget.count).to_have_text("2 Comments")

    late_reply = blog.post(LATE_REPLY, name="Cleo", parent_id=top)
    late_top = blog.post(LATE_TOP, name="Dev")
    button = widget.root.get_by_role("button", name="Show 2 new comments")
    expect(button).to_be_visible()
    # Said once, politely, by a status region that was there before it spoke.
    status = widget.root.get_by_role("status").filter(has_text="new comment")
    expect(status).to_have_text("2 new comments.")
    # Nothing moved under the reader: the thread is as it was, focus where it was.
    expect(widget.thread.locator(".cw-comment")).to_have_count(2)
    expect(widget.count).to_have_text("2 Comments")
    page.evaluate("() => document.activeElement === document.body") or pytest.fail("focus moved")

    button.click()
    expect(button).to_be_hidden()
    expect(widget.count).to_have_text("4 Comments")
    replies = widget.comment(TOP).locator(":scope > .cw-replies > .cw-comment")
    expect(replies).to_have_count(2)
    assert [replies.nth(i).get_attribute("data-id") for i in range(2)] == [
        str(answer),
        str(late_reply),
    ]
    top_level = widget.thread.locator(":scope > .cw-comment")
    assert [top_level.nth(i).get_attribute("data-id") for i in range(2)] == [
        str(top),
        str(late_top),
    ]
    # Focus on the first new one in reading order, named by its author; both marked new.
    first_new = widget.comment(LATE_REPLY).get_by_role("article")
    expect(first_new).to_be_focused()
    expect(first_new).to_have_accessible_name(re.compile(r"^Cleo just now"))
    expect(widget.comment(LATE_TOP)).to_have_class(re.compile(r"\bcw-new\b"))
    expect(status).to_have_count(0)  # emptied, so the next news is announced afresh

    # Later checks bring the same comments again (the watermark's margin): never twice.
    count = len(sent)
    wait_until(page, lambda: len(sent) >= count + 2, 10)
    for id_ in (top, answer, late_reply, late_top):
        expect(page.locator(f'[data-id="{id_}"]')).to_have_count(1)
    expect(button).to_be_hidden()
    expect(widget.comment(LATE_TOP)).not_to_have_class(re.compile(r"\bcw-new\b"), timeout=12_000)

    # The reader's own post is shown by the form, and never offered as new.
    widget.post("My own view, posted from this page.", name="Eve")
    expect(widget.status).to_have_text("Your comment has been published.")
    count = len(sent)
    wait_until(page, lambda: len(sent) >= count + 2, 10)
    expect(button).to_be_hidden()
    expect(widget.comment("My own view")).to_have_count(1)


def test_a_hidden_tab_does_not_check_and_checks_at_once_when_shown(
    page: Page, widget: Widget, blog: Blog
) -> None:
    blog.post(TOP, name="Ann")
    sent = checks(page)
    page.goto(blog.url(live_interval="1.5"))
    expect(widget.count).to_have_text("1 Comment")
    wait_until(page, lambda: len(sent) >= 1, 5)
    set_hidden(page, True)
    page.wait_for_timeout(200)  # a check under way when the tab was hidden ends
    hidden_from = len(sent)
    blog.post(LATE_TOP, name="Dev")
    page.wait_for_timeout(4000)  # over two intervals
    assert len(sent) == hidden_from, "a hidden tab checked for comments"
    expect(widget.root.get_by_role("button", name=re.compile("new comment"))).to_be_hidden()

    shown_at = time.monotonic()
    set_hidden(page, False)
    expect(widget.root.get_by_role("button", name="Show 1 new comment")).to_be_visible()
    assert time.monotonic() - shown_at < 1.5  # at once, not after the interval
    assert len(sent) == hidden_from + 1


def test_quiet_threads_are_checked_less_often_and_unchanged_answers_are_304(
    browser: Browser, blog: Blog
) -> None:
    """In a context of its own: routing requests (as the other tests do, to keep them on
    127.0.0.1) turns Chromium's HTTP cache off, and with it the revalidation under test."""
    blog.post(TOP, name="Ann")
    context = browser.new_context()
    try:
        page = context.new_page()
        elsewhere: list[str] = []
        page.on(
            "request",
            lambda r: None if urlsplit(r.url).hostname == "127.0.0.1" else elsewhere.append(r.url),
        )
        sent = checks(page)
        page.goto(blog.url(live_interval="0.2"))
        expect(Widget(page).count).to_have_text("1 Comment")
        page.wait_for_timeout(6000)
        # Every 0.2 s would be 30 checks; waiting 1.5 x longer each time, it is about 8.
        assert 4 <= len(sent) <= 12, len(sent)
        # Revalidated: each later check sends the first answer's ETag, which the server
        # answers with a bodiless 304 that still carries CORS headers (Playwright reports the
        # cached 200 the page reads, so the 304 is asked for here directly).
        first = sent[0].response()
        assert first is not None
        etag = first.all_headers()["etag"]
        assert {r.all_headers().get("if-none-match") for r in sent[1:]} == {etag}
        origin = blog.other_site.origin
        headers = {"If-None-Match": etag, "Origin": origin}
        with pytest.raises(HTTPError) as unchanged:
            urlopen(Request(sent[-1].url, headers=headers), timeout=10)
        assert unchanged.value.code == 304 and unchanged.value.read() == b""
        assert unchanged.value.headers["Access-Control-Allow-Origin"] == origin
        assert elsewhere == []
    finally:
        context.close()


def test_a_comment_posted_in_another_tab_is_offered_at_once(
    context: BrowserContext, page: Page, widget: Widget, blog: Blog
) -> None:
    blog.post(TOP, name="Ann")
    url = blog.url(live_interval="600")  # no timed check during this test
    page.goto(url)
    expect(widget.count).to_have_text("1 Comment")
    other_tab = context.new_page()
    other = Widget(other_tab)
    other_tab.goto(url)
    other.post("Posted from my other tab.", name="Eve")
    expect(other.status).to_have_text("Your comment has been published.")

    button = widget.root.get_by_role("button", name="Show 1 new comment")
    expect(button).to_be_visible(timeout=3000)
    button.click()
    mine = widget.comment("Posted from my other tab.")
    expect(mine.get_by_role("article")).to_be_focused()
    # This browser posted it: no Report on it here either.
    expect(mine.get_by_role("button", name=re.compile("^Report"))).to_have_count(0)
    other_tab.close()


def test_data_live_off_never_checks(page: Page, widget: Widget, blog: Blog) -> None:
    blog.post(TOP, name="Ann")
    sent = checks(page)
    page.goto(blog.url(live="off", live_interval="0.2"))
    expect(widget.count).to_have_text("1 Comment")
    blog.post(LATE_TOP, name="Dev")
    page.wait_for_timeout(2000)
    assert sent == []
    expect(widget.root.get_by_role("button", name=re.compile("new comment"))).to_have_count(0)
