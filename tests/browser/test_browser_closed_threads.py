"""A thread closed to new comments: the form gives way to "Comments are closed.", no comment
offers Reply (Report stays, and the reader's own Edit and Delete), and reopening brings the
form back on the next load. A post refused because the thread closed after the page loaded
shows the server's words and keeps the text.

End to end with the real API, on a page of another origin; staff close and open the thread
with `flask threads update`, from this process.
"""

from __future__ import annotations

import re

import pytest
from browser_support import Blog, PageIssues, Widget
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TOP = "The opening comment, posted before the thread was closed."
MINE = "My own comment, posted just before the thread was closed."
EDITED = "My own comment, corrected after the thread was closed."
LATE = "A comment written while the thread was being closed."


def set_closed(blog: Blog, option: str) -> None:
    result = blog.live_app.test_cli_runner().invoke(
        args=["threads", "update", blog.site, blog.thread, option]
    )
    assert result.exit_code == 0, result.output


def test_a_closed_thread_says_so_offers_no_reply_and_opens_again_on_reload(
    page: Page, widget: Widget, blog: Blog
) -> None:
    blog.post(TOP, name="Ann")
    page.goto(blog.url(live="off"))
    widget.post(MINE, name="Zoe")
    expect(widget.status).to_have_text("Your comment has been published.")

    set_closed(blog, "--close")
    page.reload()
    expect(widget.count).to_have_text("2 Comments")
    notice = widget.root.get_by_text("Comments are closed.", exact=True)
    expect(notice).to_be_visible()
    expect(notice).to_have_js_property("tagName", "P")  # plain text, nothing to operate
    expect(widget.form).to_be_hidden()
    expect(widget.root.get_by_role("button", name=re.compile("^Reply"))).to_have_count(0)
    # Others' comments can still be reported; the reader's own still be edited.
    expect(widget.comment(TOP).get_by_role("button", name=re.compile("^Report"))).to_be_visible()
    mine = widget.comment(MINE)
    mine.get_by_role("button", name="Edit").click()
    mine.get_by_role("textbox", name="Edit your comment").fill(EDITED)
    mine.get_by_role("button", name="Save").click()
    expect(widget.comment(EDITED).locator(".cw-body")).to_have_text(EDITED)
    # Edit and Delete start their line, with neither Reply nor Report before them.
    own = widget.comment(EDITED).locator(".cw-own-actions")
    article = widget.comment(EDITED).locator(":scope > .cw-card")
    left = [box["x"] for box in (own.bounding_box(), article.bounding_box()) if box]
    assert len(left) == 2 and left[0] - left[1] < 24, left

    set_closed(blog, "--open")
    page.reload()
    expect(widget.form).to_be_visible()
    expect(notice).to_be_hidden()
    expect(widget.comment(TOP).get_by_role("button", name=re.compile("^Reply"))).to_be_visible()


def test_a_post_refused_because_the_thread_closed_meanwhile_keeps_the_text(
    page: Page, widget: Widget, blog: Blog, page_issues: PageIssues
) -> None:
    page_issues.expected_statuses.add(409)  # Chromium logs the refusal as a console error
    blog.post(TOP, name="Ann")
    page.goto(blog.url(live="off"))
    expect(widget.comment(TOP).get_by_role("button", name=re.compile("^Reply"))).to_be_visible()
    widget.write(LATE, name="Bob")

    set_closed(blog, "--close")
    widget.submit.click()
    expect(widget.summary).to_have_text("Comments are closed on this page.")
    expect(widget.summary).to_be_focused()
    expect(widget.comment_box).to_have_value(LATE)  # the reader's words are not lost
    expect(widget.root.get_by_role("button", name=re.compile("^Reply"))).to_have_count(0)
    expect(widget.comment(LATE)).to_have_count(0)
    expect(widget.count).to_have_text("1 Comment")
