"""The editor of one's own comment, with the API answered by the test (FakeApi in
browser_support): the comment form's keys save and cancel an edit, and a refused edit marks
the box as an emptied one does.
"""

from __future__ import annotations

import pytest
from browser_support import FakeApi, LiveServer, PageIssues, Widget, own
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser


def posted_own(page: Page, widget: Widget, api: FakeApi, live_server: LiveServer) -> Locator:
    """The card of a comment this reader just posted, with its Edit and Delete."""
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1], seconds=55)))
    widget.open(live_server.url)
    widget.post("First draft.", name="Ann")
    mine = page.locator("#comment-100")
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()
    return mine


def test_ctrl_enter_saves_and_escape_cancels_as_in_the_comment_form(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.edit_answers += [
        {"status": 200, "json": {"id": 100, "status": "published", "html": "<p>Better.</p>"}},
        {"status": 200, "json": {"id": 100, "status": "published", "html": "<p>Best.</p>"}},
    ]
    mine = posted_own(page, widget, api, live_server)
    edit = mine.get_by_role("button", name="Edit")
    box = mine.get_by_role("textbox", name="Edit your comment")
    edit.press("Enter")
    box.fill("Never sent.")
    box.press("Escape")
    expect(box).to_be_hidden()
    expect(edit).to_be_focused()  # where Cancel sends it
    expect(mine.locator(".cw-body")).to_have_text("First draft.")
    assert len(api.edit_answers) == 2  # nothing was sent

    edit.press("Enter")
    box.fill("Better.")
    box.press("Control+Enter")
    expect(mine.locator(".cw-body")).to_have_text("Better.")
    expect(mine.locator(".cw-edit-status")).to_have_text("Your comment was updated.")
    expect(edit).to_be_focused()

    edit.press("Enter")
    box.fill("Best.")
    box.press("Meta+Enter")
    expect(mine.locator(".cw-body")).to_have_text("Best.")
    assert api.edit_answers == []


def test_a_refused_edit_marks_the_box_and_puts_focus_back_in_it(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """As an emptied box is refused before sending: marked invalid, described by the
    server's words, and focus where the reader writes."""
    page_issues.expected_statuses.add(422)
    refused = "Must contain visible text."
    api.edit_answers.append(
        {
            "status": 422,
            "json": {"code": 422, "message": "Invalid input.", "errors": {"body": [refused]}},
        }
    )
    mine = posted_own(page, widget, api, live_server)
    mine.get_by_role("button", name="Edit").press("Enter")
    box = mine.get_by_role("textbox", name="Edit your comment")
    box.fill("\u200b\u200b")
    mine.get_by_role("button", name="Save").press("Enter")
    expect(mine.locator(".cw-edit-status")).to_have_text(refused)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description(refused)
    expect(box).to_be_focused()
