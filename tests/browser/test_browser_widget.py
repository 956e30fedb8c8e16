"""The widget's thread with the API answered by the test (FakeApi in browser_support): hostile
stored data, long names, pages and nesting, removed parents, "Load more" and "Try again".

The demo page, embed.js, embed.css and the CSP all come from the live server; only requests
to /api/v1/ are fulfilled by the test, to provoke what the real service rarely does on demand.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from browser_support import FakeApi, LiveServer, PageIssues, Widget, comment
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

HOSTILE_NAME = '<img src=x onerror="alert(1)">Mallory'
HOSTILE_HTML = (
    "<p>Hello <strong>there</strong> <a href='https://example.org/a' onclick='alert(1)'>link</a>"
    " <a href='javascript:alert(2)'>js link</a></p>"
    "<img src=x onerror=alert(3)><script>alert(4)</script>"
    "<svg onload=alert(5)></svg><iframe src='javascript:alert(6)'></iframe>"
    "<p style='background:url(javascript:alert(7))' onmouseover='alert(8)'>styled</p>"
    "<details open ontoggle=alert(9)>x</details><form action='javascript:alert(10)'>"
    "<button>go</button></form><math><mi xlink:href='javascript:alert(11)'>m</mi></math>"
)


def test_hostile_stored_data_renders_as_text(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    # Parsing HTML that holds handlers or style attributes makes Chromium report (and block)
    # them even in an inert document; the real API never sends such HTML. Anything else,
    # and any dialog, still fails the test.
    page_issues.expected_csp_directives.update({"script-src-attr", "style-src-attr"})
    api.pages[None] = {
        "comments": [
            comment(1, author_name=HOSTILE_NAME, author_url="javascript:alert(12)"),
            comment(2, author_name="Ann", author_url="https://ann.example.org/?a=1&b=2"),
            comment(
                3, 1, html=HOSTILE_HTML, author_url="data:text/html,<script>alert(13)</script>"
            ),
        ],
        "total": 3,
        "next": None,
    }
    widget.open(live_server.url)
    expect(widget.count).to_have_text("3 Comments")

    first = widget.comment("Comment number 1.")
    expect(first.locator(".cw-author").first).to_have_text(HOSTILE_NAME)  # literally, as text
    expect(first.locator("a.cw-author")).to_have_count(0)  # javascript: is not linked
    ann = widget.comment("Comment number 2.").locator(".cw-author")
    expect(ann).to_have_attribute("href", "https://ann.example.org/?a=1&b=2")
    expect(ann).to_have_attribute("rel", "nofollow ugc noopener")
    hostile = widget.comment("Hello")
    expect(hostile).to_contain_text("Hello there link js link")
    expect(hostile.locator("strong")).to_have_text("there")
    expect(hostile.locator(".cw-body a[href='https://example.org/a']")).to_have_count(1)

    # Poke every rendered node the way a reader might, then audit the DOM.
    page.evaluate(
        """() => {
          for (const node of document.querySelectorAll("#comments *")) {
            for (const type of ["mouseover", "focus", "toggle", "animationstart", "load"]) {
              node.dispatchEvent(new Event(type));
            }
          }
        }"""
    )
    dangerous = page.evaluate(
        """() => {
          const bad = [];
          const rendered = document.querySelectorAll("#comments .cw-card *");
          const forbidden = "script,iframe,object,embed,svg,math,img,style,form,details,base,input";
          for (const node of rendered) {
            if (node.matches(forbidden)) bad.push(node.outerHTML);
            for (const attr of node.attributes) {
              const value = attr.value.trim().toLowerCase();
              if (attr.name.startsWith("on") || attr.name === "style"
                  || /^(javascript|data|vbscript):/.test(value)) {
                bad.push(node.tagName + " " + attr.name + "=" + attr.value);
              }
            }
          }
          return bad;
        }"""
    )
    assert dangerous == []
    # the page fixture fails the test if any dialog opened or any CSP violation was reported


def test_long_unbroken_names_wrap_on_a_phone(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    name = "xXx_TheUltimateGamerWhoNeverSleeps" + "W" * 46  # 80 characters, no break point
    api.pages[None] = {
        "comments": [
            comment(1, author_name=name),
            comment(2, author_name=name, author_url="https://example.org/" + "w" * 150),
        ],
        "total": 2,
        "next": None,
    }
    page.set_viewport_size({"width": 375, "height": 800})
    widget.open(live_server.url)
    expect(widget.count).to_have_text("2 Comments")
    widget.comment("Comment number 1.").get_by_role("button", name="Reply").click()
    expect(widget.form).to_contain_text(f"Replying to {name}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_pages_are_followed_and_replies_nested(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.pages[None] = {
        "comments": [comment(1), comment(2, 1), comment(3)],
        "total": 5,
        "next": "page-2",
    }
    naive = comment(5, 3, created_at="2026-11-27T22:15:30.123456")  # no offset: read as UTC
    api.pages["page-2"] = {"comments": [comment(4, 2), naive], "total": 5, "next": None}
    widget.open(live_server.url)

    expect(widget.count).to_have_text("5 Comments")
    assert api.cursors == [None, "page-2"]
    top = widget.thread.locator(":scope > .cw-comment")
    expect(top).to_have_count(2)
    expect(top.nth(0)).to_have_attribute("id", "comment-1")  # oldest first
    expect(top.nth(1)).to_have_attribute("id", "comment-3")
    expect(
        page.locator("#comment-1 > .cw-replies > #comment-2 > .cw-replies > #comment-4")
    ).to_be_visible()
    expect(page.locator("#comment-3 > .cw-replies > #comment-5")).to_be_visible()
    expect(page.locator("#comment-1 > .cw-card time")).to_have_attribute(
        "datetime", "2026-11-27T23:50:00.000Z"
    )
    expect(page.locator("#comment-5 > .cw-card time")).to_have_attribute(
        "datetime", "2026-11-27T22:15:30.123Z"
    )


def test_a_reply_to_a_removed_comment_says_so_and_is_counted_alone(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.pages[None] = {"comments": [comment(1), comment(3, 2)], "total": 2, "next": None}
    widget.open(live_server.url)
    expect(page.locator(".cw-removed")).to_have_text("This comment was removed.")
    expect(page.locator('[data-id="2"] > .cw-replies > #comment-3')).to_be_visible()
    expect(widget.count).to_have_text("2 Comments")  # the placeholder is not a comment


def test_a_reply_to_a_removed_reply_stays_in_its_conversation(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """1 <- 2 (removed) <- 4, and 3 at the top: the placeholder for 2 sits under 1."""
    api.pages[None] = {
        "comments": [comment(1), comment(3), comment(4, 2)],
        "total": 3,
        "next": None,
        "removed": [{"id": 2, "parent_id": 1}],
    }
    widget.open(live_server.url)
    expect(
        page.locator("#comment-1 > .cw-replies > [data-id='2'] > .cw-replies > #comment-4")
    ).to_be_visible()
    expect(page.locator(".cw-thread > li")).to_have_count(2)  # 1 and 3 only
    expect(widget.count).to_have_text("3 Comments")


def test_a_parent_numbered_after_its_reply_replaces_the_placeholder(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """Imported threads can number a reply before its parent: the parent, once it arrives,
    takes the "removed" placeholder's place and keeps the reply under it."""
    api.pages[None] = {"comments": [comment(1, 2), comment(2)], "total": 2, "next": None}
    widget.open(live_server.url)
    expect(page.locator(".cw-thread > #comment-2 > .cw-replies > #comment-1")).to_be_visible()
    expect(page.locator(".cw-removed")).to_have_count(0)
    expect(widget.count).to_have_text("2 Comments")


def test_load_more_and_try_again_move_focus_to_what_loaded(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page_issues.expected_statuses.add(503)
    api.failing_reads = 2
    cursors = [None, "p2", "p3", "p4", "p5", "p6"]
    for n, (cursor, after) in enumerate(zip(cursors, [*cursors[1:], None], strict=True), 1):
        api.pages[cursor] = {"comments": [comment(n)], "total": 6, "next": after}
    widget.open(live_server.url)
    retry = widget.root.get_by_role("button", name="Try again")
    retry.press("Enter")  # fails again: the button is back, and so is focus
    expect(retry).to_be_focused()
    retry.press("Enter")
    expect(page.locator("#comment-1 > .cw-card")).to_be_focused()

    more = widget.root.get_by_role("button", name="Load more comments")
    expect(page.locator("#comment-5")).to_be_visible()  # five pages without asking
    more.press("Enter")
    expect(page.locator("#comment-6 > .cw-card")).to_be_focused()
    expect(more).to_be_hidden()


def test_a_failed_load_is_spoken_from_a_live_region_kept_while_empty(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """Screen readers announce changes to a live region they already know of: one that
    reappears from display:none with its message in it is often not read out at all."""
    page_issues.expected_statuses.add(503)
    cursors = [None, "p2", "p3", "p4", "p5", "p6"]
    for n, (cursor, after) in enumerate(zip(cursors, [*cursors[1:], None], strict=True), 1):
        api.pages[cursor] = {"comments": [comment(n)], "total": 6, "next": after}
    widget.open(live_server.url)
    more = widget.root.get_by_role("button", name="Load more comments")
    expect(more).to_be_visible()
    loading = widget.root.get_by_role("status").and_(widget.root.locator(".cw-load-status"))
    expect(loading).to_have_count(1)  # still in the accessibility tree while empty
    expect(loading).to_have_text("")

    api.failing_reads = 1
    more.press("Enter")
    expect(loading).to_have_text("Comments could not be loaded.")


def test_each_card_is_named_by_its_author_and_time_read_in_full(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """A screen reader says whose comment it enters, and reads "just now" with the date and
    time it stands for; an older comment shows its date and is read with the time of day."""
    recent = datetime.now(UTC).isoformat()
    api.pages[None] = {
        "comments": [
            comment(1, author_name="Ann", created_at=recent),
            comment(2, author_name="Bob", author_url="https://bob.example/"),
            comment(3, author_name="Cy", created_at="not a time"),
        ],
        "total": 3,
        "next": None,
    }
    widget.open(live_server.url)
    expect(widget.count).to_have_text("3 Comments")
    # The page's lang (en), and Auckland time (the context's zone). ICU may put a narrow
    # no-break space before AM/PM: \s matches it.
    in_full = r"\w+day, \w+ \d{1,2}, \d{4} at \d{1,2}:\d\d\s[AP]M"

    ann = widget.thread.get_by_role("article", name=re.compile(rf"^Ann just now \({in_full}\)$"))
    expect(ann).to_have_count(1)
    expect(ann.locator("time")).to_have_text("just now")  # what is shown is unchanged
    expect(ann.locator("time")).to_have_attribute("title", re.compile(rf"^{in_full}$"))
    stamp = ann.get_by_role("link", name=re.compile(rf"^just now \({in_full}\)$"))
    expect(stamp).to_have_attribute("href", "#comment-1")

    # NOW is 23:50 UTC on 27 November 2026: 12:50 on the 28th in Auckland. The date is shown,
    # and the time of day read after it.
    bob_name = re.compile(r"^Bob November 28, 2026 \(12:50\sPM\)$")
    bob = widget.thread.get_by_role("article", name=bob_name)
    expect(bob).to_have_count(1)
    expect(bob.locator("time")).to_have_text("November 28, 2026")
    expect(widget.thread.get_by_role("article", name="Cy", exact=True)).to_have_count(1)
