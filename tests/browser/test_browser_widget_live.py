"""Live updates, the widget's side, with /api/v1/ answered by the test (FakeApi.changes answers
the checks): an approved older comment and a reply to a removed one in their places, a burst
of changes read five pages at a time, failed checks backing off, comments beyond the pages
loaded left to "Load more", edits shown in place and comments taken down (`withdrawn`)
dropped or replaced by a placeholder (the countdown of one's own stopped, the form's
"published" about it cleared), and a watermark the server no longer answers (410) met by
reading the shown pages anew; an empty thread's heading says "Comments" above a comment
waiting. End to end with the real API: test_browser_live_updates.py and
test_browser_live_changes.py.
"""

from __future__ import annotations

import re

import pytest
from browser_support import (
    NOW,
    FakeApi,
    LiveServer,
    PageIssues,
    Widget,
    comment,
    own,
    wait_until,
)
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


def changes(*comments: dict[str, object], withdrawn: tuple[int, ...] = ()) -> dict[str, object]:
    """A check's answer: these comments changed, these ids taken down."""
    return {
        "comments": list(comments),
        "total": 0,
        "next": None,
        "removed": [],
        "since": NOW,
        "withdrawn": list(withdrawn),
    }


def checked_twice(page: Page, api: FakeApi) -> None:
    """Until the widget has read the answer now set, and once more."""
    count = len(api.since_asked)
    wait_until(page, lambda: len(api.since_asked) >= count + 2, 5)


def test_an_edited_comment_is_shown_anew_in_place_and_a_waiting_one_as_it_is_now(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    fast_checks(page, "0.3")
    first = comment(1, author_url="https://one.example/")
    api.pages[None] = {**changes(first, comment(2, 1)), "total": 2}
    widget.open(live_server.url)
    expect(widget.count).to_have_text("2 Comments")
    card = page.locator("#comment-1 > .cw-card")
    card.locator(".cw-author").focus()  # the reader is on the author's link

    renamed = {"author_name": "Ann Renamed", "author_url": "https://ann.example/"}
    api.changes = [changes(comment(1, html="<p>Edited <em>words</em>.</p>", **renamed), comment(3))]
    expect(card.locator(".cw-body")).to_have_text("Edited words.")
    author = card.get_by_role("link", name="Ann Renamed")
    expect(author).to_have_attribute("href", "https://ann.example/")
    expect(author).to_be_focused()
    # The card and its buttons are named by the new name; the reply under it stays.
    expect(card).to_have_accessible_name(re.compile("^Ann Renamed "))
    reply = card.get_by_role("button", name=re.compile("^Reply"))
    expect(reply).to_have_accessible_name(re.compile("^Reply to Ann Renamed's comment, "))
    expect(page.locator("#comment-1 > .cw-replies > #comment-2")).to_have_count(1)
    button = widget.root.get_by_role("button", name="Show 1 new comment")
    expect(button).to_be_visible()
    expect(widget.count).to_have_text("2 Comments")

    api.changes = [changes(comment(3, html="<p>Edited while it waited.</p>"))]
    checked_twice(page, api)
    expect(button).to_be_visible()  # the same one, not a second
    button.press("Enter")
    expect(page.locator("#comment-3 > .cw-card > .cw-body")).to_have_text("Edited while it waited.")
    expect(widget.count).to_have_text("3 Comments")


def test_comments_taken_down_leave_the_waiting_and_become_placeholders_where_shown(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    fast_checks(page, "0.3")
    api.pages[None] = {**changes(comment(1), comment(2, 1), comment(3)), "total": 3}
    widget.open(live_server.url)
    expect(widget.count).to_have_text("3 Comments")
    api.changes = [changes(comment(4), comment(5, 1), comment(6))]
    expect(widget.root.get_by_role("button", name="Show 3 new comments")).to_be_visible()
    card = page.locator("[data-id='1'] > .cw-card")
    card.get_by_role("button", name=re.compile("^Report")).focus()

    # 1 shown and 4 waiting are taken down; 99 was never shown here.
    api.changes = [changes(comment(5, 1), comment(6), withdrawn=(1, 4, 99))]
    expect(card).to_have_text("This comment was removed.")
    expect(card).to_be_focused()  # from the Report button that went with the card
    expect(page.locator("[data-id='1'] > .cw-replies > #comment-2")).to_have_count(1)
    expect(page.locator("#comment-1")).to_have_count(0)  # no longer a link target
    expect(widget.count).to_have_text("2 Comments")
    button = widget.root.get_by_role("button", name="Show 2 new comments")
    expect(button).to_be_visible()
    expect(widget.root.get_by_role("status").filter(has_text="new comment")).to_have_text(
        "2 new comments."
    )
    checked_twice(page, api)  # listed again and again: taken away once
    expect(widget.count).to_have_text("2 Comments")
    expect(page.locator(".cw-removed")).to_have_count(1)

    button.press("Enter")
    # The reply to the comment taken down goes under its placeholder.
    expect(page.locator("[data-id='1'] > .cw-replies > #comment-5 > .cw-card")).to_be_focused()
    expect(page.locator("#comment-6")).to_have_count(1)
    expect(page.locator("#comment-4")).to_have_count(0)
    expect(widget.count).to_have_text("4 Comments")


def test_the_readers_own_comment_deleted_here_is_not_taken_away_twice(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    fast_checks(page, "0.3")
    api.pages[None] = {**changes(comment(1)), "total": 1}
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1])))
    api.edit_answers.append({"status": 200, "json": {"id": 100, "deleted": True}})
    widget.open(live_server.url)
    widget.post("My own comment, soon deleted.", name="Ann")
    expect(widget.count).to_have_text("2 Comments")
    mine = page.locator("#comment-100")
    mine.get_by_role("button", name="Delete").press("Enter")
    mine.get_by_role("button", name="Yes, delete it").press("Enter")
    expect(mine).to_have_count(0)
    expect(widget.count).to_have_text("1 Comment")

    api.changes = [changes(withdrawn=(100,))]
    checked_twice(page, api)
    expect(widget.count).to_have_text("1 Comment")
    expect(page.locator(".cw-removed")).to_have_count(0)
    expect(widget.status).to_be_focused()  # where the deletion left it


def test_the_form_no_longer_says_published_of_ones_comment_taken_down(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """Deleted in another tab, or rejected by a moderator: the card says it was removed, and
    the form's status no longer says it was published."""
    fast_checks(page, "0.3")
    api.pages[None] = {**changes(comment(1)), "total": 1}
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1])))
    widget.open(live_server.url)
    widget.post("My own comment, soon taken down.", name="Ann")
    expect(widget.status).to_have_text("Your comment has been published.")

    api.changes = [changes(withdrawn=(100,))]
    expect(page.locator("[data-id='100'] > .cw-card")).to_have_text("This comment was removed.")
    expect(widget.status).to_have_text("")


def test_a_forgotten_watermark_reads_the_shown_pages_anew(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """The thread's tombstones were pruned (410): what the page shows is compared with the
    thread as it is now, so a comment deleted meanwhile is not left up."""
    page_issues.expected_statuses.add(410)
    fast_checks(page, "0.3")
    api.pages[None] = {**changes(comment(1), comment(2), comment(3, 1)), "total": 3}
    api.forgotten = {NOW}
    widget.open(live_server.url)
    expect(widget.count).to_have_text("3 Comments")
    card = page.locator("[data-id='1'] > .cw-card")

    later = "2026-12-28T00:00:00+00:00"
    api.pages[None] = {**changes(comment(1), comment(3, 1), comment(4)), "since": later}
    api.pages[None]["removed"] = []
    expect(page.locator("[data-id='2'] > .cw-card")).to_have_text("This comment was removed.")
    expect(widget.count).to_have_text("2 Comments")
    expect(widget.root.get_by_role("button", name="Show 1 new comment")).to_be_visible()
    expect(card).not_to_have_text("This comment was removed.")
    wait_until(page, lambda: bool(api.since_asked) and api.since_asked[-1][0] == later, 5)
    expect(page.locator(".cw-removed")).to_have_count(1)


def test_the_countdown_of_ones_own_comment_taken_down_stops(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page.clock.install()  # the test moves time on: the countdown ticks only when it does
    fast_checks(page, "1")
    api.pages[None] = {**changes(comment(1)), "total": 1}
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1], seconds=90)))
    widget.open(live_server.url)
    widget.post("My own comment, soon rejected.", name="Ann")
    mine = page.locator("[data-id='100']")
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()
    page.clock.run_for(31_000)  # less than a minute left: the countdown runs
    countdown = mine.get_by_role("timer")
    expect(countdown).to_have_text(re.compile(r"^Editing time ends in \d+ s\.$"))
    ticking = countdown.element_handle()

    api.changes = [changes(withdrawn=(100,))]
    page.clock.run_for(11_000)  # the next check, the quiet ones having slowed to 10 s
    expect(mine.locator(":scope > .cw-card")).to_have_text("This comment was removed.")
    shown = ticking.text_content()
    page.clock.run_for(5_000)
    assert ticking.text_content() == shown  # stopped with the card it was in


def test_the_heading_does_not_say_no_comments_above_one_waiting(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """An empty thread's "No comments yet" would contradict "Show 1 new comment" below it;
    it comes back once that comment is taken down, and counts it once shown."""
    fast_checks(page, "0.3")
    api.pages[None] = changes()
    api.changes = [changes(comment(1))]
    widget.open(live_server.url)
    show = widget.root.get_by_role("button", name="Show 1 new comment")
    expect(show).to_be_visible()
    expect(widget.count).to_have_text("Comments")

    api.changes = [changes(withdrawn=(1,))]
    expect(show).to_be_hidden()
    expect(widget.count).to_have_text("No comments yet")

    api.changes = [changes(comment(2))]
    expect(show).to_be_visible()
    show.press("Enter")
    expect(widget.count).to_have_text("1 Comment")
