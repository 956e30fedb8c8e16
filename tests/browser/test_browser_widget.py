"""The widget's side of the API contract, with the API answered by the test.

The demo page, embed.js, embed.css and the CSP all come from the live server; only requests
to /api/v1/ are fulfilled here, to provoke what the real service rarely does on demand:
hostile stored data, several pages, 429, 5xx and dropped connections.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import LiveServer, PageIssues, Widget, contrast_ratio
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

THREAD = "/2024/11/north-korea-backs-russia"
NOW = "2026-11-27T23:50:00+00:00"

Answer = dict[str, Any] | Callable[[Route], None]


def comment(id_: int, parent_id: int | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "parent_id": parent_id,
        "author_name": f"Reader {id_}",
        "author_url": None,
        "html": f"<p>Comment number {id_}.</p>",
        "created_at": NOW,
        **fields,
    }


@dataclass
class FakeApi:
    """Answers /api/v1/ requests from canned pages and a queue of POST answers."""

    pages: dict[str | None, dict[str, Any]] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    post_headers: list[dict[str, str]] = field(default_factory=list)
    cursors: list[str | None] = field(default_factory=list)
    tokens_issued: int = 0
    #: Answers to POST .../comments/ID/reports, in order, and the bodies sent.
    report_answers: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    #: Answers to PATCH and DELETE .../comments/ID (one's own comment), in order.
    edit_answers: list[dict[str, Any]] = field(default_factory=list)
    #: How many of the next thread reads fail with a 503.
    failing_reads: int = 0

    def install(self, page: Page) -> None:
        page.route(re.compile(r"^http://127\.0\.0\.1:\d+/api/v1/"), self.handle)

    def handle(self, route: Route) -> None:
        request = route.request
        path = urlsplit(request.url).path
        if path.endswith("/form-token"):
            self.tokens_issued += 1
            route.fulfill(json={"token": f"token-{self.tokens_issued}", "min_seconds": 0})
        elif path.endswith("/comments") and request.method == "GET":
            query = parse_qs(urlsplit(request.url).query)
            assert query["thread"] == [THREAD] and query["site"] == ["default"]
            cursor = query.get("cursor", [None])[0]
            self.cursors.append(cursor)
            if self.failing_reads:
                self.failing_reads -= 1
                route.fulfill(status=503, json={"code": 503, "message": "Try later."})
                return
            route.fulfill(json=self.pages.get(cursor, {"comments": [], "total": 0, "next": None}))
        elif re.search(r"/comments/\d+$", path) and request.method in ("PATCH", "DELETE"):
            route.fulfill(**self.edit_answers.pop(0))
        elif path.endswith("/comments") and request.method == "POST":
            self.posted.append(json.loads(request.post_data or "null"))
            self.post_headers.append(request.headers)
            answer = self.answers.pop(0)
            if callable(answer):
                answer(route)
            else:
                route.fulfill(**answer)
        elif path.endswith("/reports") and request.method == "POST":
            self.reports.append(json.loads(request.post_data or "null"))
            route.fulfill(**self.report_answers.pop(0))
        else:  # pragma: no cover - a request the contract does not know
            route.fulfill(status=404, json={"code": 404, "status": "Not Found", "message": path})


def created(payload: dict[str, Any], status: str = "published", id_: int = 100) -> dict[str, Any]:
    body = {
        "id": id_,
        "status": status,
        "html": "<p>" + payload.get("body", "") + "</p>",
        "parent_id": payload.get("parent_id"),
        "author_name": payload.get("author_name", ""),
        "author_url": payload.get("author_url") or None,
        "created_at": NOW,
    }
    return {"status": 201, "json": body}


@pytest.fixture
def api(page: Page) -> FakeApi:
    fake = FakeApi()
    fake.install(page)
    return fake


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


def test_payload_matches_the_contract(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.pages[None] = {"comments": [comment(1, author_name="Ann")], "total": 1, "next": None}
    api.answers.append(lambda route: route.fulfill(**created(api.posted[-1], id_=2)))
    widget.open(live_server.url)

    widget.comment("Comment number 1.").get_by_role("button", name="Reply to Ann").click()
    widget.write("A *reply*.", "Bob", "bob@example.org", "https://bob.example/")
    widget.submit.click()
    expect(page.locator("#comment-1 > .cw-replies > #comment-2")).to_be_visible()

    (sent,) = api.posted
    key = sent.pop("idempotency_key")
    assert uuid.UUID(key).version == 4
    assert sent == {
        "site": "default",
        "thread": THREAD,
        "thread_title": "We Will Back Russia Until Victory in Ukraine: North Korea",
        "thread_url": live_server.url + "/",
        "parent_id": 1,
        "author_name": "Bob",
        "author_email": "bob@example.org",
        "author_url": "https://bob.example/",
        "body": "A *reply*.",
        "form_token": "token-1",
        "honeypot": "",
        "nudge": True,  # embed-edit.js: tell the poster before holding a toxic comment
        "notify_replies": False,  # the box is unticked
    }
    assert api.post_headers[0]["content-type"] == "application/json"
    expect(widget.count).to_have_text("2 Comments")
    assert api.tokens_issued == 2  # a fresh token for the next comment


def test_reply_notifications_are_offered_only_with_an_email(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.answers.append(lambda route: route.fulfill(**created(api.posted[-1], id_=2)))
    widget.open(live_server.url)
    box = widget.form.get_by_label("E-mail me replies")
    widget.write("A thought.", "Cy")
    expect(box).to_be_hidden()
    widget.email.fill("cy@example.org")
    expect(box).to_be_visible()
    box.check()
    widget.submit.click()
    expect(page.locator("#comment-2")).to_be_visible()
    assert api.posted[0]["notify_replies"] is True


def test_rate_limit_shows_retry_after(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page_issues.expected_statuses.add(429)
    api.answers.append(
        {
            "status": 429,
            "headers": {"Retry-After": "7"},
            "json": {"code": 429, "status": "Too Many Requests", "message": "Slow down."},
        }
    )
    widget.open(live_server.url)
    widget.post("Posting again so soon.")
    expect(widget.status).to_have_text("You are posting too fast, try again in 7 seconds.")
    expect(widget.comment_box).to_have_value("Posting again so soon.")
    widget.submit.click()  # within the wait: refused locally, nothing sent
    expect(widget.status).to_contain_text("try again in")
    assert len(api.posted) == 1


def test_failures_keep_the_text_and_retries_reuse_the_key(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page_issues.expect_network_errors = True
    page_issues.expected_statuses.update({400, 429, 503})
    unavailable = {"code": 503, "status": "Service Unavailable", "message": "Try later."}
    too_fast = {"code": 429, "status": "Too Many Requests", "message": "Slow down."}
    api.answers += [
        lambda route: route.abort("connectionreset"),
        {"status": 503, "headers": {"Retry-After": "3"}, "json": unavailable},
        {"status": 429, "headers": {"Retry-After": "1"}, "json": too_fast},
        lambda route: route.fulfill(**created(api.posted[-1])),
        {"status": 400, "json": {"code": 400, "status": "Bad Request", "message": "Bad JSON."}},
    ]
    widget.open(live_server.url)
    text = "A thoughtful comment that must survive a flaky connection."

    widget.post(text, name="Eve")
    expect(widget.status).to_contain_text("Could not reach the comment server")
    expect(widget.comment_box).to_have_value(text)
    expect(widget.submit).to_be_enabled()

    widget.submit.click()
    expect(widget.status).to_contain_text("error 503")
    expect(widget.status).to_contain_text("in 3 seconds")
    expect(widget.comment_box).to_have_value(text)

    # Any of those attempts may have been stored: a refusal to take more for now does not
    # make the next attempt a new submission.
    widget.submit.click()
    expect(widget.status).to_contain_text("You are posting too fast, try again in 1 second")
    page.wait_for_timeout(1200)
    widget.submit.click()
    expect(widget.status).to_have_text("Your comment has been published.")
    keys = {sent["idempotency_key"] for sent in api.posted}
    assert len(api.posted) == 4 and len(keys) == 1  # one submission, sent four times

    widget.post("Another comment.")
    expect(widget.status).to_contain_text("error 400")
    expect(widget.comment_box).to_have_value("Another comment.")
    assert api.posted[-1]["idempotency_key"] not in keys  # a new submission, a new key


def test_keyboard_reply_and_escape(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.pages[None] = {"comments": [comment(1, author_name="Ann")], "total": 1, "next": None}
    widget.open(live_server.url)
    reply = widget.comment("Comment number 1.").get_by_role("button", name="Reply to Ann")

    reply.focus()
    page.keyboard.press("Enter")
    expect(widget.comment_box).to_be_focused()
    expect(reply).to_have_attribute("aria-expanded", "true")
    expect(widget.root.get_by_text("Replying to Ann")).to_be_visible()
    page.keyboard.type("Half-written reply")

    page.keyboard.press("Escape")
    expect(reply).to_be_focused()
    expect(reply).to_have_attribute("aria-expanded", "false")
    expect(widget.root.get_by_text("Replying to Ann")).to_be_hidden()
    expect(widget.comment("Comment number 1.").get_by_role("form")).to_have_count(0)
    expect(widget.comment_box).to_have_value("Half-written reply")  # moving the form keeps it


def test_empty_comment_is_refused_locally(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    widget.open(live_server.url)
    widget.post("   ", name="Fay")
    expect(widget.comment_box).to_have_attribute("aria-invalid", "true")
    expect(widget.comment_box).to_be_focused()
    expect(widget.summary).to_contain_text("Please write a comment.")
    assert api.posted == []


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
    first.get_by_role("button", name="Report", exact=True).click()
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
    second.get_by_role("button", name="Report", exact=True).click()
    second.get_by_label("Something else").check()
    second.get_by_role("button", name="Send report").click()
    expect(second.locator(".cw-report-form").get_by_role("status")).to_have_text(
        "This comment can no longer be reported."
    )
    expect(second.get_by_role("button", name="Unavailable")).to_be_disabled()
    page.reload()
    report_again = widget.comment("Comment number 2.").get_by_role(
        "button", name="Report", exact=True
    )
    expect(report_again).to_be_enabled()
    expect(
        widget.comment("Comment number 1.").get_by_role("button", name="Reported")
    ).to_be_disabled()


def own(payload: dict[str, Any], id_: int = 100, seconds: float = 600) -> dict[str, Any]:
    """A published comment as its poster gets it: with the edit token and its window."""
    answer = created(payload, id_=id_)
    until = datetime.now(UTC) + timedelta(seconds=seconds)
    answer["json"].update(edit_token=f"edit-{id_}", editable_until=until.isoformat())
    return answer


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
    gone = re.compile("^(Save|Cancel|Edit|Delete)$")
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
    first.get_by_role("button", name="Report", exact=True).press("Enter")
    spam = first.get_by_label("Spam or advertising")
    expect(spam).to_be_focused()
    page.keyboard.press("Space")
    send = first.get_by_role("button", name="Send report")
    send.press("Enter")
    said = first.locator(".cw-report-form").get_by_role("status")
    expect(said).to_contain_text("try again in 5 seconds")
    expect(send).to_be_focused()  # disabled while sending, then given focus back
    send.press("Enter")
    expect(said).to_have_text("Thank you. A moderator will look at this comment.")
    expect(said).to_be_focused()
    expect(first.get_by_role("button", name="Reported")).to_be_disabled()


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


def test_the_nudge_highlights_are_readable_in_both_colour_schemes(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    text = "You are an idiot."
    nudge = {"id": "n1", "words": [{"start": 11, "end": 16}], "text": text, "message": "Hm?"}
    api.answers.append({"status": 202, "json": {"nudge": nudge}})
    widget.open(live_server.url)
    widget.post(text, name="Tom")
    word = widget.root.locator(".cw-nudge mark")
    expect(word).to_have_text("idiot")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        ratio = contrast_ratio(word)
        assert ratio >= 4.5, f"highlighted words in the {scheme} scheme: contrast {ratio:.2f}"


def test_a_reply_to_a_comment_gone_meanwhile_becomes_a_new_comment(
    page: Page, page_issues: PageIssues, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    page_issues.expected_statuses.add(422)
    api.pages[None] = {"comments": [comment(1, author_name="Ann")], "total": 1, "next": None}
    api.answers += [
        {
            "status": 422,
            "json": {
                "code": 422,
                "status": "Unprocessable Entity",
                "message": "The request was not valid.",
                "errors": {"parent_id": ["Not a published comment of this thread."]},
            },
        },
        lambda route: route.fulfill(**created(api.posted[-1], id_=2)),
    ]
    widget.open(live_server.url)
    ann = widget.comment("Comment number 1.")
    ann.get_by_role("button", name="Reply to Ann").click()
    widget.post("Well said.", name="Bob")

    expect(widget.summary).to_have_text(
        "The comment you are replying to is no longer available; your text is still here "
        "and you can post it as a new comment."
    )
    expect(widget.summary).to_be_focused()
    expect(widget.root.get_by_text("Replying to Ann")).to_be_hidden()
    expect(ann.locator("form.cw-form")).to_have_count(0)  # back at the top
    expect(widget.comment_box).to_have_value("Well said.")
    expect(ann.get_by_role("button", name="Reply to Ann")).to_have_count(0)
    expect(widget.comment_box).not_to_have_attribute("aria-invalid", "true")

    widget.submit.click()
    expect(page.locator(".cw-thread > #comment-2")).to_be_visible()
    assert api.posted[-1]["parent_id"] is None
