"""The editor of one's own comment, with the API answered by the test (FakeApi in
browser_support, and a route of the test's own where it holds a PATCH or DELETE to press the
button again meanwhile): the comment form's keys save and cancel an edit, a refused edit
marks the box as an emptied one does, Save or "Yes, delete it" sends one request however
often it is pressed, and an unchanged edit sends none; the box takes no typing while its edit
is saved, Cancel and Escape wait for it, "Keep it" cannot pretend to cancel a delete already
sent, and Escape keeps it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from browser_support import FakeApi, LiveServer, PageIssues, Widget, own, wait_until
from playwright.sync_api import Locator, Page, Route, expect

pytestmark = pytest.mark.browser


def posted_own(page: Page, widget: Widget, api: FakeApi, live_server: LiveServer) -> Locator:
    """The card of a comment this reader just posted, with its Edit and Delete."""
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1], seconds=55)))
    widget.open(live_server.url)
    widget.post("First draft.", name="Ann")
    mine = page.locator("#comment-100")
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()
    return mine


def held_edits(page: Page) -> list[Route]:
    """PATCH and DELETE of comment 100, kept waiting for the test to answer."""
    held: list[Route] = []
    page.route(re.compile(r"/api/v1/comments/100$"), lambda route: held.append(route))
    return held


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


def test_save_pressed_twice_sends_one_edit_and_is_pressable_again_after_a_failure(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page_issues.expected_statuses.add(429)
    mine = posted_own(page, widget, api, live_server)
    held = held_edits(page)
    mine.get_by_role("button", name="Edit").click()
    mine.get_by_role("textbox", name="Edit your comment").fill("Better.")
    save = mine.get_by_role("button", name="Save")
    save.dblclick()
    wait_until(page, lambda: bool(held), 5)
    expect(save).to_have_attribute("aria-disabled", "true")
    expect(save).to_be_focused()  # not dropped to the top of the page meanwhile
    held[0].fulfill(status=429, headers={"Retry-After": "5"}, json={"code": 429})
    status = mine.locator(".cw-edit-status")
    expect(status).to_have_text("Too many changes, try again in 5 seconds.")
    expect(save).not_to_have_attribute("aria-disabled", "true")
    assert len(held) == 1  # the second press sent nothing

    save.click()
    wait_until(page, lambda: len(held) == 2, 5)
    held[1].fulfill(json={"id": 100, "status": "published", "html": "<p>Better.</p>"})
    expect(status).to_have_text("Your comment was updated.")
    assert [route.request.method for route in held] == ["PATCH", "PATCH"]


def test_yes_delete_it_pressed_twice_sends_one_delete(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    mine = posted_own(page, widget, api, live_server)
    held = held_edits(page)
    mine.get_by_role("button", name="Delete").click()
    yes = mine.get_by_role("button", name="Yes, delete it")
    yes.dblclick()
    wait_until(page, lambda: bool(held), 5)
    expect(yes).to_have_attribute("aria-disabled", "true")
    held[0].fulfill(json={"id": 100, "status": "deleted"})
    expect(mine).to_have_count(0)
    expect(widget.status).to_have_text("Your comment was deleted.")
    assert [route.request.method for route in held] == ["DELETE"]


def test_saving_an_unchanged_edit_sends_nothing_and_extend_still_works(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """The comment is as it was: the editor closes as after Cancel. An Extend pressed while
    it was open keeps its new deadline, and a changed edit is still sent."""
    mine = posted_own(page, widget, api, live_server)  # under a minute left: Extend is offered
    held = held_edits(page)
    edit = mine.get_by_role("button", name="Edit")
    edit.click()
    later = datetime.now(UTC) + timedelta(minutes=5)
    api.extend_answers.append(
        {"json": {"id": 100, "editable_until": later.isoformat(), "edit_extensions_left": 9}}
    )
    mine.get_by_role("button", name=re.compile(r"^Extend time for Ann's comment")).click()
    status = mine.locator(".cw-edit-status")
    expect(status).to_have_text(re.compile(r"^Editing time extended to "))
    box = mine.get_by_role("textbox", name="Edit your comment")
    expect(box).to_have_value("First draft.")
    mine.get_by_role("button", name="Save").click()
    expect(box).to_be_hidden()
    expect(edit).to_be_focused()
    expect(mine.locator(".cw-time-warning")).to_be_hidden()
    stored = page.evaluate("""() => JSON.parse(localStorage.getItem("comments-widget:edits"))""")
    assert stored["100"]["until"] == pytest.approx(later.timestamp() * 1000, abs=1)

    edit.click()
    box.fill("Second thoughts.")
    mine.get_by_role("button", name="Save").click()
    wait_until(page, lambda: bool(held), 5)
    held[0].fulfill(
        json={
            "id": 100,
            "status": "published",
            "html": "<p>Second thoughts.</p>",
            "editable_until": later.isoformat(),
            "edit_extensions_left": 9,
        }
    )
    expect(status).to_have_text("Your comment was updated.")
    assert [route.request.method for route in held] == ["PATCH"]  # the unchanged one: none


def test_the_box_is_read_only_while_its_edit_is_saved_and_writable_after_a_failure(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """As the comment form's box while it posts: words typed while the edit is on its way
    would be lost when the editor closes."""
    page_issues.expected_statuses.add(429)
    mine = posted_own(page, widget, api, live_server)
    held = held_edits(page)
    edit = mine.get_by_role("button", name="Edit")
    edit.click()
    box = mine.get_by_role("textbox", name="Edit your comment")
    box.fill("Better.")
    mine.get_by_role("button", name="Save").click()
    wait_until(page, lambda: bool(held), 5)
    expect(box).not_to_be_editable()
    box.focus()
    page.keyboard.type(" Lost?")
    expect(box).to_have_value("Better.")
    held[0].fulfill(status=429, headers={"Retry-After": "5"}, json={"code": 429})
    expect(mine.locator(".cw-edit-status")).to_have_text(re.compile("^Too many changes"))
    expect(box).to_be_editable()
    box.press("End")
    page.keyboard.type(" Kept.")
    expect(box).to_have_value("Better. Kept.")

    box.press("Control+Enter")
    wait_until(page, lambda: len(held) == 2, 5)
    held[1].fulfill(json={"id": 100, "status": "published", "html": "<p>Better. Kept.</p>"})
    expect(mine.locator(".cw-body")).to_have_text("Better. Kept.")
    edit.click()
    expect(box).to_be_editable()  # the next edit is written as any


def test_escape_and_cancel_do_nothing_while_the_edit_is_saved(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """Closed meanwhile, the editor would hide the reader's words and a failure would be told
    under it: Cancel is aria-disabled as Save is, Escape waits too, and both work again after
    the failure."""
    page_issues.expected_statuses.add(429)
    mine = posted_own(page, widget, api, live_server)
    held = held_edits(page)
    edit = mine.get_by_role("button", name="Edit")
    edit.click()
    box = mine.get_by_role("textbox", name="Edit your comment")
    box.fill("Better.")
    mine.get_by_role("button", name="Save").click()
    wait_until(page, lambda: bool(held), 5)
    cancel = mine.get_by_role("button", name="Cancel")
    expect(cancel).to_have_attribute("aria-disabled", "true")
    box.press("Escape")
    cancel.press("Enter")  # Playwright's click waits for an enabled button: a keyboard press
    expect(box).to_be_visible()
    held[0].fulfill(status=429, headers={"Retry-After": "5"}, json={"code": 429})
    expect(mine.locator(".cw-edit-status")).to_have_text(re.compile("^Too many changes"))
    expect(box).to_be_visible()
    expect(box).to_have_value("Better.")
    expect(cancel).not_to_have_attribute("aria-disabled", "true")

    box.press("Escape")
    expect(box).to_be_hidden()
    expect(edit).to_be_focused()
    expect(mine.locator(".cw-body")).to_have_text("First draft.")
    assert len(held) == 1


def test_keep_it_does_nothing_while_the_delete_is_on_its_way(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """The question cannot pretend to cancel a delete already sent: Keep it (or Escape) is
    aria-disabled as "Yes, delete it" is, and the comment goes once the server agrees."""
    mine = posted_own(page, widget, api, live_server)
    held = held_edits(page)
    mine.get_by_role("button", name="Delete").click()
    yes = mine.get_by_role("button", name="Yes, delete it")
    keep = mine.get_by_role("button", name="Keep it")
    yes.click()
    wait_until(page, lambda: bool(held), 5)
    expect(keep).to_have_attribute("aria-disabled", "true")
    keep.press("Enter")  # Playwright's click waits for an enabled button: a keyboard press
    keep.press("Escape")
    expect(mine.get_by_text("Delete your comment?")).to_be_visible()
    held[0].fulfill(json={"id": 100, "status": "deleted"})
    expect(mine).to_have_count(0)
    expect(widget.status).to_have_text("Your comment was deleted.")


def test_escape_on_the_delete_question_keeps_the_comment(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """As Escape cancels the editor and the reply form: Keep it, focus back on Delete."""
    mine = posted_own(page, widget, api, live_server)
    held = held_edits(page)
    delete = mine.get_by_role("button", name="Delete")
    delete.press("Enter")
    yes = mine.get_by_role("button", name="Yes, delete it")
    expect(yes).to_be_focused()
    yes.press("Escape")
    expect(mine.get_by_text("Delete your comment?")).to_have_count(0)
    expect(delete).to_be_focused()
    expect(mine.locator(".cw-body")).to_have_text("First draft.")
    assert held == []  # nothing was sent
