"""The reader's own comments: one held for moderation stays in view for its author after a
reload, in its place and marked so, until a moderator decides; and nobody is offered to
report a comment they posted.

End to end with the real API and a moderator first, then the widget's side of the contract
with /api/v1/ answered by the test (FakeApi in browser_support): placement among pages and
replies, what the browser forgets, and hostile HTML in a held comment.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from browser_support import (
    Decide,
    FakeApi,
    LiveServer,
    OtherSite,
    PageIssues,
    Widget,
    comment,
    own,
)
from flask import Flask
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

NOTICE = "Your comment is awaiting moderation. Only you can see it until it is approved."
FIRST = "A first thought, which every comment on this site waits with for a moderator."
SECOND = "A second thought, which the moderator will not like as much as the first one."
OWN_KEY = "comments-widget:own"


@pytest.fixture
def moderated_page(live_app: Flask, live_server: LiveServer, other_site: OtherSite) -> str:
    """A blog on another origin whose new site holds every comment for a moderator."""
    name = f"held-{uuid.uuid4().hex[:8]}"
    result = live_app.test_cli_runner().invoke(
        args=[
            *("sites", "create", name, "--origin", other_site.origin),
            *("--moderation", "all", "--min-form-seconds", "0"),
        ]
    )
    assert result.exit_code == 0, result.output
    path = f"/{name}/post"
    other_site.pages[path] = (
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Held</title>
</head><body><div id="comments" data-site="{name}" data-thread="/post"></div>
<script src="{live_server.url}/embed.js" defer></script></body></html>""",
        {},
    )
    return other_site.origin + path


def remembered(page: Page) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        page.evaluate(f"() => localStorage.getItem('{OWN_KEY}') || '[]'")
    )
    return records


def test_a_held_comment_stays_in_view_for_its_author_until_a_moderator_decides(
    page: Page, widget: Widget, moderated_page: str, decide: Decide, browser: Browser
) -> None:
    page.goto(moderated_page)
    widget.post(FIRST, name="Ann")
    expect(widget.status).to_contain_text("awaiting moderation")
    first_id = widget.comment(FIRST).get_attribute("data-id") or ""

    page.reload()
    held = widget.comment(FIRST)
    expect(held).to_have_class(re.compile(r"\bcw-pending\b"))
    notice = held.locator(".cw-notice")
    expect(notice).to_have_text(NOTICE)
    expect(notice).to_be_visible()
    # Text a screen reader reads: in the card's content, and said on entering the card.
    card = held.get_by_role("article")
    expect(card).to_have_accessible_name(re.compile(r"^Ann just now"))
    expect(card).to_have_accessible_description(NOTICE)
    assert NOTICE in card.aria_snapshot()
    expect(held.get_by_role("button", name=re.compile("^(Reply|Report)"))).to_have_count(0)
    expect(held.get_by_role("button", name=re.compile("^Edit"))).to_be_visible()
    expect(widget.count).to_have_text("No published comments yet")  # not "no comments" above it

    # Anyone else, in a browser of their own, is shown nothing of it.
    other = browser.new_context()
    try:
        stranger = other.new_page()
        stranger.goto(moderated_page)
        expect(Widget(stranger).count).to_have_text("No comments yet")
        expect(stranger.get_by_text(FIRST)).to_have_count(0)
    finally:
        other.close()

    decide(first_id, "approve")
    page.reload()
    published = page.locator(f"#comment-{first_id}")
    expect(published).to_contain_text(FIRST)
    expect(published).not_to_have_class(re.compile(r"\bcw-pending\b"))
    expect(published.locator(".cw-notice")).to_have_count(0)
    expect(published.get_by_role("button", name=re.compile("^Reply to Ann"))).to_be_visible()
    expect(published.get_by_role("button", name=re.compile("^Report"))).to_have_count(0)
    expect(widget.count).to_have_text("1 Comment")
    (record,) = remembered(page)
    assert record["id"] == int(first_id) and "held" not in record  # still known as the author's

    widget.post(SECOND, name="Ann")
    expect(widget.status).to_contain_text("awaiting moderation")
    second_id = widget.comment(SECOND).get_attribute("data-id") or ""
    decide(second_id, "reject")
    page.reload()
    expect(page.locator(f"#comment-{first_id}")).to_be_visible()
    expect(page.get_by_text(SECOND)).to_have_count(0)
    expect(widget.count).to_have_text("1 Comment")
    assert [r["id"] for r in remembered(page)] == [int(first_id)]  # the rejected one forgotten


# --- the widget's side, with the API answered by the test --------------------------------


def held_comment(id_: int, parent_id: int | None = None, **fields: Any) -> dict[str, Any]:
    return comment(id_, parent_id, **{"author_name": "Ann", "status": "pending", **fields})


def test_a_held_reply_keeps_its_place_and_the_replies_under_it(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """Ann's reply, published then held by her edit, has Bob's answer under it: after a reload
    she sees her reply where it was, with Bob's under it, not a "removed" placeholder."""
    api.pages[None] = {"comments": [comment(1)], "total": 1, "next": None}
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1], id_=2)))
    edited = "<p>My reply, edited.</p>"
    api.edit_answers.append({"status": 200, "json": {"id": 2, "status": "pending", "html": edited}})
    widget.open(live_server.url)
    widget.comment("Comment number 1.").get_by_role("button", name="Reply to Reader 1").click()
    widget.post("My reply.", name="Ann")
    mine = page.locator("#comment-2")
    expect(mine.get_by_role("button", name=re.compile("^Reply to Ann"))).to_be_visible()
    expect(mine.get_by_role("button", name=re.compile("^Report"))).to_have_count(0)
    mine.get_by_role("button", name="Edit").click()
    mine.get_by_role("textbox", name="Edit your comment").fill("My reply, edited.")
    mine.get_by_role("button", name="Save").click()
    held = page.locator('li.cw-pending[data-id="2"]')
    expect(held.locator(".cw-notice")).to_have_text(NOTICE)
    assert api.held_asked == []  # nothing was held when the page loaded

    api.pages[None] = {
        "comments": [comment(1), comment(3, 2, author_name="Bob")],
        "total": 2,
        "next": None,
        "removed": [{"id": 2, "parent_id": 1}],
    }
    api.held_answers.append(
        {
            "json": {
                "held": [held_comment(2, 1, html=edited)],
                "published": [],
                "gone": [],
                "removed": [],
            }
        }
    )
    page.reload()
    expect(page.locator("#comment-1 > .cw-replies > li.cw-pending[data-id='2']")).to_be_visible()
    expect(held.locator(":scope > .cw-replies > #comment-3")).to_contain_text("Comment number 3.")
    expect(page.locator(".cw-removed")).to_have_count(0)
    expect(held.get_by_role("article").first).to_have_accessible_description(NOTICE)
    expect(held.locator(":scope > .cw-card .cw-body")).to_have_text("My reply, edited.")
    expect(held.locator(":scope > .cw-card").get_by_role("button", name="Edit")).to_be_visible()
    expect(widget.count).to_have_text("2 Comments")  # Reader 1's and Bob's
    assert api.held_asked == [{"comments": [{"id": 2, "edit_token": "edit-2"}]}]
    for other in ("Reader 1", "Bob"):
        report = widget.thread.get_by_role("button", name=re.compile(f"^Report {other}'s"))
        expect(report).to_have_count(1)


def test_held_comments_go_in_among_the_pages_in_order(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.pages[None] = {"comments": [comment(1), comment(2)], "total": 5, "next": "2"}
    api.pages["2"] = {"comments": [comment(4, 3), comment(5), comment(7)], "total": 5, "next": None}
    api.answers += [
        lambda route: route.fulfill(**own(api.posted[-1], id_=3, status="pending")),
        lambda route: route.fulfill(**own(api.posted[-1], id_=6, status="pending")),
    ]
    widget.open(live_server.url)
    widget.post("Mine, number three.", name="Ann")
    expect(widget.status).to_contain_text("awaiting moderation")
    widget.post("Mine, number six.", name="Ann")
    expect(widget.comment("Mine, number six.")).to_be_visible()

    api.held_answers.append(
        {
            "json": {
                "held": [held_comment(6), held_comment(3)],
                "published": [],
                "gone": [],
                "removed": [],
            }
        }
    )
    page.reload()
    top = page.locator(".cw-thread > li")
    expect(top).to_have_count(6)
    assert [li.get_attribute("data-id") for li in top.all()] == ["1", "2", "3", "5", "6", "7"]
    expect(page.locator(".cw-thread > li[data-id='3'] > .cw-replies > #comment-4")).to_be_visible()
    expect(page.locator(".cw-pending")).to_have_count(2)
    expect(page.locator(".cw-removed")).to_have_count(0)
    expect(widget.count).to_have_text("5 Comments")  # the published ones only
    (asked,) = api.held_asked
    assert [claim["id"] for claim in asked["comments"]] == [3, 6]


def test_published_or_gone_the_browser_stops_asking(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    api.pages[None] = {"comments": [comment(1)], "total": 1, "next": None}
    api.answers += [
        lambda route: route.fulfill(**own(api.posted[-1], id_=7, status="pending")),
        lambda route: route.fulfill(**own(api.posted[-1], id_=8, status="pending")),
    ]
    widget.open(live_server.url)
    widget.post("Approved later.", name="Ann")
    expect(widget.comment("Approved later.")).to_be_visible()
    widget.post("Rejected later.", name="Ann")
    expect(widget.comment("Rejected later.")).to_be_visible()

    approved = comment(7, author_name="Ann", html="<p>Approved later.</p>")
    api.pages[None] = {"comments": [comment(1), approved], "total": 2, "next": None}
    api.held_answers.append({"json": {"held": [], "published": [7], "gone": [8], "removed": []}})
    page.reload()
    expect(page.locator("#comment-7")).to_contain_text("Approved later.")
    expect(page.locator(".cw-pending")).to_have_count(0)
    expect(page.get_by_text("Rejected later.")).to_have_count(0)
    expect(widget.count).to_have_text("2 Comments")
    # Ann's own comment offers her Reply, not Report; Reader 1's offers both.
    expect(
        page.locator("#comment-7").get_by_role("button", name=re.compile("^Report"))
    ).to_have_count(0)
    expect(
        page.locator("#comment-1").get_by_role("button", name=re.compile("^Report"))
    ).to_have_count(1)
    assert [(r["id"], r.get("held")) for r in remembered(page)] == [(7, None)]

    page.reload()
    expect(page.locator("#comment-7")).to_be_visible()
    assert len(api.held_asked) == 1  # nothing held is left to ask about


def test_a_held_comment_is_rendered_through_the_sanitiser(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer, page_issues: PageIssues
) -> None:
    # Parsing HTML with handlers makes Chromium report (and block) them even in an inert
    # document; the real API never sends such HTML. Any dialog still fails the test.
    page_issues.expected_csp_directives.update({"script-src-attr", "style-src-attr"})
    api.answers.append(lambda route: route.fulfill(**own(api.posted[-1], id_=9, status="pending")))
    widget.open(live_server.url)
    widget.post("Soon hostile.", name="Ann")
    expect(widget.comment("Soon hostile.")).to_be_visible()
    hostile = (
        "<p>Held <strong>text</strong> <a href='javascript:alert(1)'>js</a></p>"
        "<img src=x onerror=alert(2)><script>alert(3)</script><svg onload=alert(4)></svg>"
        "<p style='color:red' onmouseover='alert(5)'>styled</p>"
    )
    api.held_answers.append(
        {
            "json": {
                "held": [
                    held_comment(9, author_name="<img src=x onerror=alert(6)>Ann", html=hostile)
                ],
                "published": [],
                "gone": [],
                "removed": [],
            }
        }
    )
    page.reload()
    held = page.locator("li.cw-pending[data-id='9']")
    expect(held.locator(".cw-body")).to_contain_text("Held text js")
    expect(held.locator(".cw-author")).to_have_text("<img src=x onerror=alert(6)>Ann")
    dangerous = held.evaluate(
        """(li) => [...li.querySelectorAll("*")].flatMap((node) => [
             ...(node.matches("script,img,svg,style,iframe") ? [node.outerHTML] : []),
             ...[...node.attributes]
               .filter((a) => a.name.startsWith("on") || a.name === "style"
                 || /^javascript:/i.test(a.value.trim()))
               .map((a) => `${node.tagName} ${a.name}`),
           ])"""
    )
    assert dangerous == []
