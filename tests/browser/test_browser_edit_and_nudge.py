"""Readers edit and delete their own comments in the widget, and meet the rephrase nudge,
against the real API and model.

The edit-window tests embed the widget on another origin (so edits cross CORS with the
X-Edit-Token header) for a site whose window is a few seconds long.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
from browser_support import Blog, LiveServer, OtherSite, Widget
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from comments.extensions import db
from comments.models import Nudge

pytestmark = pytest.mark.browser

WINDOW_SECONDS = 10
FIRST = "A first thought about the article, written a little too quickly."
SECOND = "A second thought: the article is right about the history of the alliance."
ABUSE = "You are a fucking idiot and a moron, shut up you stupid piece of shit"
KIND = "I disagree with you, but I appreciate that you explained your reasoning."


@pytest.fixture
def quick_page(live_app: Flask, live_server: LiveServer, other_site: OtherSite) -> str:
    """A page of another blog embedding the widget for a new site with a short edit window."""
    name = f"quick-{uuid.uuid4().hex[:8]}"
    result = live_app.test_cli_runner().invoke(
        args=[
            *("sites", "create", name, "--origin", other_site.origin),
            *("--edit-window-seconds", str(WINDOW_SECONDS), "--min-form-seconds", "0"),
        ]
    )
    assert result.exit_code == 0, result.output
    path = f"/{name}/post"
    other_site.pages[path] = (
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quick</title>
</head><body><div id="comments" data-site="{name}" data-thread="/post"></div>
<script src="{live_server.url}/embed.js" defer></script></body></html>""",
        {},
    )
    return other_site.origin + path


def test_edit_within_the_window_then_the_buttons_go(
    page: Page, widget: Widget, quick_page: str
) -> None:
    page.goto(quick_page)
    posted_at = time.monotonic()
    widget.post(FIRST, name="Ann")
    expect(widget.status).to_have_text("Your comment has been published.")
    mine = widget.comment(FIRST)
    row = [mine.get_by_role("button", name=name).bounding_box() for name in ("Reply", "Edit")]
    assert row[0] and row[1] and abs(row[0]["y"] - row[1]["y"]) < 2, "Edit on Reply's line"
    mine.get_by_role("button", name="Edit").click()
    box = mine.get_by_role("textbox", name="Edit your comment")
    expect(box).to_have_value(FIRST)
    box.fill(SECOND)
    mine.get_by_role("button", name="Save").click()
    edited = widget.comment(SECOND)
    expect(edited.locator(".cw-edit-status")).to_have_text("Your comment was updated.")
    expect(edited.locator(".cw-body")).to_have_text(SECOND)
    expect(edited.get_by_role("button", name="Edit")).to_be_focused()

    # The token outlives a reload: the reader's own comment still offers Edit, others do not.
    page.reload()
    edited = widget.comment(SECOND)
    expect(edited.get_by_role("button", name="Edit")).to_be_visible()
    assert time.monotonic() - posted_at < WINDOW_SECONDS, "too slow to see the open window"
    expect(edited.get_by_role("button", name="Edit")).to_have_count(
        0, timeout=(WINDOW_SECONDS + 5) * 1000
    )
    expect(edited.get_by_role("button", name="Delete")).to_have_count(0)
    expect(edited.locator(".cw-body")).to_have_text(SECOND)


def test_an_edit_that_holds_or_publishes_the_comment_changes_its_card(
    page: Page, widget: Widget, live_server: LiveServer
) -> None:
    widget.open(live_server.url)
    kind = f"A fair point, and well argued ({uuid.uuid4().hex[:6]})."
    widget.post(kind, name="Ann")
    expect(widget.status).to_have_text("Your comment has been published.")
    published = int(widget.count.inner_text().split()[0])
    comment_id = page.locator("#comments li.cw-comment", has_text=kind).get_attribute("data-id")
    mine = page.locator(f'#comments li.cw-comment[data-id="{comment_id}"]')
    expect(mine.get_by_role("button", name=re.compile("^Reply"))).to_be_visible()

    def edit_to(text: str) -> None:
        mine.get_by_role("button", name="Edit").click()
        mine.get_by_role("textbox", name="Edit your comment").fill(text)
        mine.get_by_role("button", name="Save").click()

    edit_to(ABUSE)  # held: no longer public, so no Reply or Report, and not counted
    expect(mine.locator(".cw-edit-status")).to_have_text(re.compile("awaiting moderation"))
    expect(mine.locator(".cw-notice")).to_have_text(
        "Your comment is awaiting moderation. Only you can see it until it is approved."
    )
    expect(mine.get_by_role("button", name=re.compile("^(Reply|Report)"))).to_have_count(0)
    expect(widget.count).to_contain_text(
        str(published - 1) if published > 1 else "No published comments"
    )
    assert mine.get_attribute("id") is None

    edit_to(kind + " Edited.")  # published again by the model: public again
    expect(mine.locator(".cw-edit-status")).to_have_text("Your comment was updated.")
    expect(mine.locator(".cw-notice")).to_have_count(0)
    expect(mine.get_by_role("button", name=re.compile("^Reply"))).to_be_visible()
    # Nobody is offered to report their own comment.
    expect(mine.get_by_role("button", name=re.compile("^Report"))).to_have_count(0)
    expect(widget.count).to_have_text(f"{published} Comment" + ("s" if published > 1 else ""))
    expect(mine).to_have_attribute("id", f"comment-{comment_id}")


def test_the_form_no_longer_says_published_of_a_comment_its_reader_edited(
    page: Page, widget: Widget, blog: Blog
) -> None:
    """The form's status speaks of the comment just posted; once its reader edits that one,
    the card says what became of it, and the form does not go on saying "published"."""
    page.goto(blog.url())
    widget.post(FIRST, name="Ann")
    expect(widget.status).to_have_text("Your comment has been published.")
    widget.post(KIND, name="Ann")  # the status now speaks of this one
    expect(widget.comment(KIND)).to_be_visible()
    expect(widget.status).to_have_text("Your comment has been published.")
    first, second = (
        page.locator(
            f'#comments li.cw-comment[data-id="{widget.comment(text).get_attribute("data-id")}"]'
        )
        for text in (FIRST, KIND)
    )

    def edit(mine: Locator, text: str) -> None:
        mine.get_by_role("button", name="Edit").click()
        mine.get_by_role("textbox", name="Edit your comment").fill(text)
        mine.get_by_role("button", name="Save").click()

    edit(first, FIRST + " Corrected.")  # not the comment the status speaks of: it stays true
    expect(first.locator(".cw-edit-status")).to_have_text("Your comment was updated.")
    expect(widget.status).to_have_text("Your comment has been published.")
    edit(second, ABUSE)  # held now: "published" would contradict its card
    expect(second.locator(".cw-notice")).to_contain_text("awaiting moderation")
    expect(widget.status).to_have_text("")


def test_delete_takes_the_comment_out_of_the_thread(
    page: Page, widget: Widget, quick_page: str
) -> None:
    page.goto(quick_page)
    widget.post(FIRST, name="Ann")
    expect(widget.count).to_have_text("1 Comment")
    mine = widget.comment(FIRST)
    mine.get_by_role("button", name="Delete").click()
    mine.get_by_role("button", name="Yes, delete it").click()
    expect(widget.comment(FIRST)).to_have_count(0)
    expect(widget.status).to_have_text("Your comment was deleted.")
    expect(widget.status).to_be_focused()  # where the reader can go on from, not <body>
    expect(widget.count).to_have_text("No comments yet")
    page.reload()
    expect(widget.count).to_have_text("No comments yet")
    expect(page.get_by_text(FIRST)).to_have_count(0)


def test_the_nudge_shows_the_words_then_an_edit_is_published(
    page: Page, widget: Widget, live_server: LiveServer, live_app: Flask
) -> None:
    widget.open(live_server.url)
    widget.post(ABUSE, name="Tom")
    panel = page.locator(".cw-nudge")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("highlighted words")
    marks = panel.locator("mark")
    expect(marks.first).to_be_visible()
    highlighted = {text.lower() for text in marks.all_inner_texts()}
    assert {"fucking", "idiot"} <= {word for text in highlighted for word in text.split()}
    assert all(text in ABUSE.lower() for text in highlighted)
    expect(widget.comment(ABUSE)).to_have_count(0)  # nothing was stored or shown
    expect(widget.comment_box).to_have_value(ABUSE)

    panel.get_by_role("button", name="Edit").click()
    expect(widget.comment_box).to_be_focused()
    widget.comment_box.fill(KIND)
    widget.submit.click()
    expect(widget.status).to_have_text("Your comment has been published.")
    expect(widget.comment(KIND)).to_be_visible()
    expect(panel).to_be_hidden()
    with live_app.app_context():
        latest = db.session.scalars(select(Nudge).order_by(Nudge.id.desc())).first()
        assert latest is not None and latest.outcome == "edited" and latest.comment_id


def test_posting_anyway_goes_to_the_moderators(
    page: Page, widget: Widget, live_server: LiveServer
) -> None:
    widget.open(live_server.url)
    text = ABUSE + " " + uuid.uuid4().hex[:6]
    widget.post(text, name="Tom")
    page.locator(".cw-nudge").get_by_role("button", name="Post anyway").press("Enter")
    expect(widget.status).to_have_text(re.compile("awaiting moderation"))
    expect(page.locator(".cw-nudge")).to_be_hidden()
    # The button pressed goes with the nudge: focus stays in the form, by the status that
    # says what happened, rather than falling to the top of the page.
    expect(widget.submit).to_be_focused()
