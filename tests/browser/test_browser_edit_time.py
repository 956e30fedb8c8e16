"""The time to edit one's own comment is a time limit its author is warned about and can
extend (WCAG 2.2.1, Timing Adjustable): a countdown with an Extend button named for the
comment, announced politely without taking focus; Extend moves the deadline, and the edit
then saves after the site's own window has closed.

First with the API answered by the test and the page's clock driven by Playwright, to walk
through a long window and refusals; then against the real service with a short window.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from browser_support import FakeApi, LiveServer, OtherSite, PageIssues, Widget, own
from flask import Flask
from playwright.sync_api import Locator, Page, Route, expect
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment

pytestmark = pytest.mark.browser

ANNOUNCED = re.compile(r"^Editing time ends in \d+ s\. Extend gives more time\.$")
COUNTDOWN = re.compile(r"^Editing time ends in \d+ s\.$")
EXTENDED = re.compile(r"^Editing time extended to \d{1,2}:\d{2}")
LIMIT = "The editing time of this comment was already extended 10 times, the most allowed."


def announcer(card: Locator) -> Locator:
    """The polite live region of the card's edit time."""
    return card.locator(".cw-edit-time").get_by_role("status")


def test_warned_a_minute_before_then_extended_then_refused(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page_issues.expected_statuses.add(409)
    first: dict[str, Any] = {}

    def answer(route: Route) -> None:
        first.update(own(api.posted[-1], seconds=90))
        route.fulfill(**first)

    api.answers.append(answer)
    page.clock.install()  # time flows as usual, and the test moves it on
    widget.open(live_server.url)
    widget.post("Quickly written.", name="Ann")
    mine = page.locator("#comment-100")
    warning = mine.locator(".cw-time-warning")
    said = announcer(mine)
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()
    expect(said).to_be_attached()  # in the page before its message, so it is heard
    expect(said).to_have_attribute("aria-live", "polite")
    expect(said).to_have_text("")
    expect(warning).to_be_hidden()

    mine.get_by_role("button", name="Edit").click()
    box = mine.get_by_role("textbox", name="Edit your comment")
    box.press("End")
    box.press_sequentially(" And more.")
    page.clock.run_for(31_000)  # less than a minute left
    expect(warning).to_be_visible()
    expect(warning.get_by_role("timer")).to_have_text(COUNTDOWN)
    expect(said).to_have_text(ANNOUNCED)
    expect(box).to_be_focused()  # warned without losing their place

    until = datetime.fromisoformat(first["json"]["editable_until"])
    later = until + timedelta(minutes=5)
    api.extend_answers += [
        {"json": {"id": 100, "editable_until": later.isoformat(), "edit_extensions_left": 9}},
        {"status": 409, "json": {"code": 409, "status": "Conflict", "message": LIMIT}},
    ]
    extend = mine.get_by_role("button", name=re.compile(r"^Extend time for Ann's comment, "))
    extend.press("Enter")
    status = mine.locator(".cw-edit-status")
    expect(status).to_have_text(EXTENDED)
    expect(warning).to_be_hidden()
    expect(said).to_have_text("")
    expect(box).to_be_focused()  # back to the text, as the button went
    assert api.extend_tokens == ["edit-100"]
    stored = page.evaluate(
        """() => [JSON.parse(localStorage.getItem("comments-widget:edits"))["100"],
                  JSON.parse(localStorage.getItem("comments-widget:own"))[0]]"""
    )
    deadline = later.timestamp() * 1000
    assert stored[0]["until"] == pytest.approx(deadline, abs=1) and stored[0]["left"] == 9
    assert stored[1]["until"] == pytest.approx(deadline, abs=1) and stored[1]["token"]

    page.clock.run_for(60_000)  # past the first deadline: still open, no warning
    expect(box).to_be_editable()
    expect(mine.get_by_role("button", name="Save")).to_be_visible()
    expect(warning).to_be_hidden()

    page.clock.run_for(4 * 60_000 + 5_000)  # a minute before the new deadline: warned again
    expect(warning).to_be_visible()
    expect(said).to_have_text(ANNOUNCED)
    extend.press("Enter")
    expect(status).to_have_text(LIMIT)  # the server's reason, in words
    expect(extend).to_be_hidden()
    expect(box).to_be_focused()
    expect(warning.get_by_role("timer")).to_have_text(COUNTDOWN)  # the countdown goes on

    page.clock.run_for(60_000)  # and then the window closes as before
    expect(status).to_have_text("The time to edit this comment is over.")
    expect(mine.get_by_role("textbox", name="Your unsaved edit")).to_have_value(
        "Quickly written. And more."
    )
    expect(mine.locator(".cw-edit-time")).to_have_count(0)


WINDOW_SECONDS = 20
# Texts of this file's own: the browser tests share one server, and the edit tests post theirs.
FIRST = "A first reading of the pledge, typed before the second paragraph was read."
SECOND = "A second reading: the pledge matters less than the soldiers already sent."


@pytest.fixture
def short_window_page(live_app: Flask, live_server: LiveServer, other_site: OtherSite) -> str:
    """A page of another blog embedding the widget for a site with a 20-second edit window."""
    name = f"brief-{uuid.uuid4().hex[:8]}"
    result = live_app.test_cli_runner().invoke(
        args=[
            *("sites", "create", name, "--origin", other_site.origin),
            *("--edit-window-seconds", str(WINDOW_SECONDS), "--min-form-seconds", "0"),
        ]
    )
    assert result.exit_code == 0, result.output
    path = f"/{name}/post"
    other_site.pages[path] = (
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Brief</title>
</head><body><div id="comments" data-site="{name}" data-thread="/post"></div>
<script src="{live_server.url}/embed.js" defer></script></body></html>""",
        {},
    )
    return other_site.origin + path


def test_extended_on_the_real_service_the_edit_saves_after_the_sites_window(
    page: Page, widget: Widget, live_app: Flask, short_window_page: str
) -> None:
    page.goto(short_window_page)
    before_posting = time.monotonic()
    widget.post(FIRST, name="Ann")
    expect(widget.status).to_have_text("Your comment has been published.")
    mine = widget.comment(FIRST)
    warning = mine.locator(".cw-time-warning")
    expect(warning).to_be_visible()  # a 20-second window is warned about at once
    expect(announcer(mine)).to_have_text(ANNOUNCED)
    expect(announcer(mine)).to_have_attribute("aria-live", "polite")

    mine.get_by_role("button", name="Edit").click()
    box = mine.get_by_role("textbox", name="Edit your comment")
    box.fill(SECOND)
    mine.get_by_role("button", name=re.compile(r"^Extend time for Ann's comment, ")).click()
    expect(mine.locator(".cw-edit-status")).to_have_text(EXTENDED)
    expect(warning).to_be_hidden()
    expect(box).to_be_focused()
    with live_app.app_context():
        comment = db.session.scalars(select(Comment).where(Comment.body_raw == FIRST)).one()
        assert comment.edit_extensions == 1

    time.sleep(max(0.0, before_posting + WINDOW_SECONDS + 1 - time.monotonic()))
    mine.get_by_role("button", name="Save").click()  # after the site's own window
    edited = widget.comment(SECOND)
    expect(edited.locator(".cw-edit-status")).to_have_text("Your comment was updated.")
    with live_app.app_context():
        assert db.session.get(Comment, comment.id).body_raw == SECOND  # type: ignore[union-attr]

    page.reload()  # the new deadline is remembered: the reader still has their buttons
    expect(widget.comment(SECOND).get_by_role("button", name="Edit")).to_be_visible()
    expect(widget.comment(SECOND).locator(".cw-time-warning")).to_be_hidden()
