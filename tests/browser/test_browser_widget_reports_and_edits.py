"""Reporting a comment and editing one's own, with the API answered by the test (FakeApi in
browser_support): refusals explained, and where keyboard focus goes after each action,
including an edit window that closes on unsaved text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from browser_support import FakeApi, LiveServer, PageIssues, Widget, comment, own
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser


def test_report_refusals_are_explained(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """Over the limit, the reader is told when to try again and can; a comment taken down
    meanwhile says why it cannot be reported, and is not remembered as this reader's report."""
    page_issues.expected_statuses.update({429, 404})
    api.pages[None] = {"comments": [comment(1), comment(2)], "total": 2, "next": None}
    api.report_answers = [
        {
            "status": 429,
            "headers": {"Retry-After": "30"},
            "json": {"code": 429, "status": "Too Many Requests", "message": "Too many"},
        },
        {"status": 201, "json": {"id": 7, "reason": "spam"}},
        {"status": 404, "json": {"code": 404, "status": "Not Found", "message": "gone"}},
    ]
    widget.open(live_server.url)
    first = widget.comment("Comment number 1.")
    first.get_by_role("button", name="Report Reader 1's comment").click()
    first.get_by_label("Spam or advertising").check()
    send = first.get_by_role("button", name="Send report")
    said = first.locator(".cw-report-form").get_by_role("status")
    send.click()
    expect(said).to_have_text("Too many reports from your connection; try again in 30 seconds.")
    expect(send).to_be_enabled()
    send.click()
    expect(said).to_have_text("Thank you. A moderator will look at this comment.")
    assert api.reports == [{"reason": "spam", "text": ""}] * 2

    second = widget.comment("Comment number 2.")
    second.get_by_role("button", name="Report Reader 2's comment").click()
    second.get_by_label("Something else").check()
    second.get_by_role("button", name="Send report").click()
    expect(second.locator(".cw-report-form").get_by_role("status")).to_have_text(
        "This comment can no longer be reported."
    )
    unavailable = second.get_by_role("button", name="Unavailable to report: Reader 2's comment")
    expect(unavailable).to_be_disabled()
    page.reload()
    report_again = widget.comment("Comment number 2.").get_by_role(
        "button", name="Report Reader 2's comment"
    )
    expect(report_again).to_be_enabled()
    expect(
        widget.comment("Comment number 1.").get_by_role("button", name="Reported")
    ).to_be_disabled()


def test_a_report_the_server_failed_to_take_says_to_try_again(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """A 503 (the database down) is the server's failure, not a refusal: the reader is told to
    send the report again and when, and the same report sent again is taken."""
    page_issues.expected_statuses.add(503)
    api.pages[None] = {"comments": [comment(1)], "total": 1, "next": None}
    api.report_answers = [
        {
            "status": 503,
            "headers": {"Retry-After": "5"},
            "json": {"code": 503, "message": "The database is unavailable; try again shortly."},
        },
        {"status": 201, "json": {"id": 7, "reason": "abusive"}},
    ]
    widget.open(live_server.url)
    first = widget.comment("Comment number 1.")
    first.get_by_role("button", name="Report Reader 1's comment").click()
    first.get_by_label("Abusive, hateful or harassing").check()
    first.get_by_label("Anything the moderators should know").fill("Insults in the last line.")
    send = first.get_by_role("button", name="Send report")
    said = first.locator(".cw-report-form").get_by_role("status")
    send.click()
    expect(said).to_have_text(
        "The comment server had a problem (error 503), so the report was not sent; "
        "please try again in 5 seconds."
    )
    expect(first.get_by_label("Anything the moderators should know")).to_have_value(
        "Insults in the last line."
    )
    send.click()
    expect(said).to_have_text("Thank you. A moderator will look at this comment.")
    assert api.reports == [{"reason": "abusive", "text": "Insults in the last line."}] * 2


def test_keyboard_focus_stays_put_after_saving_and_deleting(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1])))
    api.edit_answers += [
        {"status": 200, "json": {"id": 100, "status": "published", "html": "<p>Better.</p>"}},
        {"status": 200, "json": {"id": 100, "status": "deleted"}},
    ]
    widget.open(live_server.url)
    widget.post("First draft.", name="Ann")
    mine = page.locator("#comment-100")
    edit = mine.get_by_role("button", name="Edit")
    edit.press("Enter")
    box = mine.get_by_role("textbox", name="Edit your comment")
    expect(box).to_be_focused()
    box.fill("Better.")
    mine.get_by_role("button", name="Save").press("Enter")
    expect(mine.locator(".cw-body")).to_have_text("Better.")
    expect(mine.locator(".cw-edit-status")).to_have_text("Your comment was updated.")
    expect(edit).to_be_focused()  # not dropped to the top of the page with the editor

    mine.get_by_role("button", name="Delete").press("Enter")
    mine.get_by_role("button", name="Yes, delete it").press("Enter")
    expect(mine).to_have_count(0)
    expect(widget.status).to_have_text("Your comment was deleted.")
    expect(widget.status).to_be_focused()


def test_saving_an_emptied_edit_puts_focus_back_in_the_box(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """As in the comment form: the box is marked and described by what is wrong, and the
    keyboard is back where the reader writes; the next Save, with text, is sent."""
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1])))
    api.edit_answers.append(
        {"status": 200, "json": {"id": 100, "status": "published", "html": "<p>Again.</p>"}}
    )
    widget.open(live_server.url)
    widget.post("First draft.", name="Ann")
    mine = page.locator("#comment-100")
    mine.get_by_role("button", name="Edit").press("Enter")
    box = mine.get_by_role("textbox", name="Edit your comment")
    box.fill("   ")
    save = mine.get_by_role("button", name="Save")
    save.press("Enter")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description("Please write a comment.")
    page.keyboard.type("Again.")
    save.press("Enter")
    expect(mine.locator(".cw-body")).to_have_text("Again.")
    expect(mine.get_by_role("button", name="Edit")).to_be_focused()
    mine.get_by_role("button", name="Edit").press("Enter")
    expect(box).not_to_have_attribute("aria-invalid", "true")


def test_an_edit_window_closing_keeps_the_unsaved_text(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1], seconds=5)))
    widget.open(live_server.url)
    widget.post("Soon closed.", name="Ann")
    mine = widget.comment("Soon closed.")
    mine.get_by_role("button", name="Edit").press("Enter")
    mine.get_by_role("textbox", name="Edit your comment").press_sequentially(" And more.")

    status = mine.locator(".cw-edit-status")
    expect(status).to_have_text("The time to edit this comment is over.", timeout=10_000)
    kept = mine.get_by_role("textbox", name="Your unsaved edit")
    expect(kept).to_have_value("Soon closed. And more.")
    expect(kept).not_to_be_editable()  # to copy, not to save
    expect(kept).to_be_focused()
    gone = re.compile(r"^(Save|Cancel|Edit|Delete)\b")
    expect(mine.get_by_role("button", name=gone)).to_have_count(0)
    expect(mine.locator(".cw-body")).to_have_text("Soon closed.")


def test_sending_a_report_keeps_keyboard_focus_in_the_form(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page_issues.expected_statuses.add(429)
    api.pages[None] = {"comments": [comment(1)], "total": 1, "next": None}
    api.report_answers = [
        {"status": 429, "headers": {"Retry-After": "5"}, "json": {"code": 429}},
        {"status": 201, "json": {"id": 7, "reason": "spam"}},
    ]
    widget.open(live_server.url)
    first = widget.comment("Comment number 1.")
    first.get_by_role("button", name="Report Reader 1's comment").press("Enter")
    spam = first.get_by_label("Spam or advertising")
    expect(spam).to_be_focused()
    page.keyboard.press("Space")
    send = first.get_by_role("button", name="Send report")
    send.press("Enter")
    said = first.locator(".cw-report-form").get_by_role("status")
    expect(said).to_contain_text("try again in 5 seconds")
    expect(send).to_be_focused()  # kept while sending, and after the refusal
    send.press("Enter")
    expect(said).to_have_text("Thank you. A moderator will look at this comment.")
    expect(said).to_be_focused()
    expect(first.get_by_role("button", name="Reported")).to_be_disabled()


def test_focus_stays_on_send_report_while_a_slow_report_is_sent(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    # "Send report" was disabled while sending, which dropped focus to the top of the page
    # until the answer came: a keyboard reader pressing Tab meanwhile started again from there.
    held: list[Route] = []
    api.pages[None] = {"comments": [comment(1)], "total": 1, "next": None}
    api.report_answers = [held.append]
    widget.open(live_server.url)
    first = widget.comment("Comment number 1.")
    first.get_by_role("button", name="Report Reader 1's comment").press("Enter")
    page.keyboard.press("Space")
    send = first.get_by_role("button", name="Send report")
    send.press("Enter")
    said = first.locator(".cw-report-form").get_by_role("status")
    expect(said).to_have_text("Sending…")
    expect(send).to_be_focused()
    send.press("Enter")  # pressed again while waiting: still one report
    for _ in range(200):  # until the report is out and waiting for its answer
        if held:
            break
        page.wait_for_timeout(50)
    held[0].fulfill(status=201, json={"id": 7, "reason": "spam"})
    expect(said).to_have_text("Thank you. A moderator will look at this comment.")
    expect(said).to_be_focused()
    assert len(api.reports) == 1


def test_every_comment_action_says_which_comment_it_is(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """Listed by a screen reader, a row of "Report" buttons cannot be told apart: each says
    which comment it acts on by its author and time, after the word shown, even for two
    comments by one name; so do the report form's and the editor's buttons."""
    recent = datetime.now(UTC).isoformat()
    api.pages[None] = {
        "comments": [
            comment(1, author_name="Ann"),
            comment(2, author_name="Ann", created_at="2026-11-28T01:05:00+00:00"),
            comment(3, author_name="Ann", created_at=recent),
            comment(4, author_name=""),
        ],
        "total": 4,
        "next": None,
    }
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1], id_=5)))
    api.report_answers.append({"status": 201, "json": {"id": 7, "reason": "spam"}})
    widget.open(live_server.url)
    # NOW is 12:50 PM on 28 November in Auckland (the context's zone); the date is shown,
    # so the time of day is added. \s: ICU may put a narrow no-break space before PM.
    older = "Ann's comment, November 28, 2026 at 12:50\\sPM"
    for verb, about in [
        ("Reply to", older),
        ("Report", older),
        ("Reply to", "Ann's comment, November 28, 2026 at 2:05\\sPM"),
        ("Report", "Ann's comment, just now"),
        ("Report", "Anonymous's comment, November 28, 2026 at 12:50\\sPM"),
    ]:
        named = re.compile(f"^{verb} {about}$")
        expect(widget.thread.get_by_role("button", name=named)).to_have_count(1)

    widget.post("My own two cents.", name="Cy")
    mine = page.locator("#comment-5")
    edit = mine.get_by_role("button", name=re.compile(r"^Edit Cy's comment, November 28, "))
    edit.click()
    for name in ("Save changes to", "Cancel editing"):
        named = re.compile(f"^{name} Cy's comment, November 28, ")
        expect(mine.get_by_role("button", name=named)).to_be_visible()
    mine.get_by_role("button", name="Cancel editing").click()
    mine.get_by_role("button", name="Delete Cy's comment").click()
    expect(mine.get_by_role("button", name="Yes, delete it")).to_have_accessible_description(
        re.compile(r"^Cy's comment, November 28, ")
    )
    mine.get_by_role("button", name="Keep it").click()

    ann = widget.comment("Comment number 3.")
    ann.get_by_role("button", name="Report Ann's comment, just now", exact=True).click()
    ann.get_by_label("Spam or advertising").check()
    cancel = ann.get_by_role("button", name="Cancel report on Ann's comment, just now", exact=True)
    expect(cancel).to_be_visible()
    ann.get_by_role("button", name="Send report on Ann's comment, just now", exact=True).click()
    expect(ann.get_by_role("button", name="Reported Ann's comment, just now")).to_be_disabled()
    # No two of the thread's 11 buttons (Reply on five comments, Report on the four that are
    # not Cy's own, Edit and Delete on Cy's) share a name, as a screen reader's list of
    # buttons shows.
    names = re.findall(r'- button "([^"]+)"', widget.thread.aria_snapshot())
    assert len(names) == 11 and len(set(names)) == len(names), names
    assert not any(name.startswith("Report Cy's") for name in names)
    page.reload()  # remembered, and still named
    expect(ann.get_by_role("button", name="Reported Ann's comment, ")).to_be_disabled()
