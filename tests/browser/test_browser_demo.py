"""End to end: the demo post, the widget and the real API with the shipped model, in Chromium."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser_support import LiveServer, OtherSite, PageIssues, Widget
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from comments.extensions import db
from comments.models import Comment, Report, Site, Thread

pytestmark = pytest.mark.browser

TITLE = "We Will Back Russia Until Victory in Ukraine: North Korea"
KIND = "Thanks for the clear summary, the point about the alliance's history was new to me."
REPLY = "Same here. I had not realised how far back the ties between the two countries go."
ABUSE = "You are a fucking idiot and a moron, shut up you stupid piece of shit"
DEMO_THREAD = "/2024/11/north-korea-backs-russia"


@pytest.fixture
def fresh_demo_thread(live_app: Flask) -> None:
    """The demo post as a visitor of a new install finds it, whichever tests ran before on
    this server: what they left on its thread moves, untouched, to a thread of its own."""
    default_site = select(Site.id).where(Site.name == "default").scalar_subquery()
    with live_app.app_context():
        db.session.execute(
            update(Thread)
            .where(Thread.site_id == default_site, Thread.key == DEMO_THREAD)
            .values(key=f"{DEMO_THREAD}/moved-aside-{uuid.uuid4().hex[:8]}")
        )
        db.session.commit()


@pytest.mark.usefixtures("fresh_demo_thread")
def test_demo_page_embeds_the_widget_under_a_strict_policy(
    page: Page, widget: Widget, live_server: LiveServer
) -> None:
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'"):
        assert directive in csp
    assert "unsafe" not in csp
    assert page.locator("script:not([src]), [style]").count() == 0  # no inline script or style

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("heading", name="Leave a Comment")).to_be_visible()
    expect(page.locator(f'#comments[data-thread="{DEMO_THREAD}"]')).to_be_attached()
    expect(widget.count).to_have_text("No comments yet")
    for control in (widget.comment_box, widget.name, widget.email, widget.website):
        expect(control).to_be_visible()
        expect(control).to_be_editable()
    expect(widget.save_details).not_to_be_checked()
    expect(widget.submit).to_be_enabled()

    honeypot = page.locator("input[name=cw_hp]")
    expect(honeypot).to_have_attribute("tabindex", "-1")
    expect(honeypot).to_have_attribute("autocomplete", "off")
    expect(honeypot).to_have_attribute("aria-hidden", "true")

    # Tab order: the honeypot is skipped; every control is reachable from the keyboard.
    widget.comment_box.focus()
    for control in (widget.name, widget.email, widget.website, widget.save_details, widget.submit):
        page.keyboard.press("Tab")
        expect(control).to_be_focused()

    script = page.request.get(live_server.url + "/embed.js")
    assert script.status == 200
    assert script.headers["content-type"] == "application/javascript; charset=utf-8"
    assert re.search(r"max-age=\d+", script.headers["cache-control"])
    stylesheet = page.locator("link[rel=stylesheet][data-comments-widget]")
    expect(stylesheet).to_have_attribute("href", live_server.url + "/embed.css")
    css = page.request.get(live_server.url + "/embed.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")


@pytest.mark.usefixtures("fresh_demo_thread")
def test_publish_reply_and_moderation(
    page: Page,
    widget: Widget,
    live_server: LiveServer,
    screenshot_dir: Path,
) -> None:
    widget.open(live_server.url)

    widget.post(KIND, name="Ann", website="https://ann.example.org/")
    expect(widget.status).to_have_text("Your comment has been published.")
    first = widget.comment(KIND)
    expect(first).to_be_visible()
    expect(first).not_to_have_class(re.compile("cw-pending"))
    author = first.locator(".cw-author").first
    expect(author).to_have_text("Ann")
    expect(author).to_have_attribute("href", "https://ann.example.org/")
    expect(author).to_have_attribute("rel", "nofollow ugc noopener")
    stamp = first.locator("time").first.get_attribute("datetime") or ""
    age = datetime.now(UTC) - datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert timedelta(0) <= age < timedelta(minutes=5), stamp  # right instant, any time zone
    expect(first.locator("time").first).to_have_text("just now")
    expect(widget.comment_box).to_have_value("")
    expect(widget.count).to_have_text("1 Comment")

    # Reply: the form moves under the comment, Enter in a field submits it.
    first.get_by_role("button", name="Reply to Ann").click()
    expect(widget.comment_box).to_be_focused()
    expect(first.get_by_role("form", name="Leave a comment")).to_be_visible()
    expect(widget.root.get_by_text("Replying to Ann")).to_be_visible()
    expect(widget.status).to_have_text("")  # the last post's outcome does not follow the form
    widget.comment_box.fill(REPLY)
    widget.name.fill("Bob")
    widget.name.press("Enter")
    reply = first.locator(".cw-replies > .cw-comment").filter(has_text=REPLY)
    expect(reply).to_be_visible()
    expect(reply.locator(".cw-author").first).to_have_text("Bob")
    expect(widget.count).to_have_text("2 Comments")
    expect(first.get_by_role("form")).to_have_count(0)  # back in its place at the top

    # An abusive comment is first shown back with the words behind its score (the nudge);
    # posted anyway, it is held, and shown to its author as held, not as published.
    widget.post(ABUSE, name="Troll")
    widget.root.locator(".cw-nudge").get_by_role("button", name="Post anyway").click()
    expect(widget.status).to_contain_text("awaiting moderation")
    held = widget.comment(ABUSE)
    expect(held).to_have_class(re.compile("cw-pending"))
    expect(held).to_contain_text("Your comment is awaiting moderation.")
    expect(held.get_by_role("button", name=re.compile("Reply"))).to_have_count(0)
    expect(widget.count).to_have_text("2 Comments")
    page.screenshot(path=str(screenshot_dir / "demo-published-reply-pending.png"), full_page=True)

    # What the server kept: both published comments, nested; the abusive one is not public,
    # but its author's browser still shows it to them as held.
    page.reload()
    expect(widget.count).to_have_text("2 Comments")
    expect(widget.comment(KIND).locator(".cw-replies > .cw-comment")).to_contain_text(REPLY)
    held = widget.comment(ABUSE)
    expect(held).to_have_class(re.compile("cw-pending"))
    expect(held).to_contain_text("Your comment is awaiting moderation.")
    expect(held.get_by_role("button", name=re.compile("Reply"))).to_have_count(0)


def test_reader_reports_a_comment(
    page: Page, widget: Widget, live_server: LiveServer, live_app: Flask, browser: Browser
) -> None:
    off_topic = "Lovely weather in Lisbon today, the tram 28 was almost empty this morning."
    # Eve posts from her browser, which offers her no Report on her own comment.
    eves_browser = browser.new_context()
    try:
        eve = Widget(eves_browser.new_page())
        eve.open(live_server.url)
        eve.post(off_topic, name="Eve")
        expect(eve.status).to_have_text("Your comment has been published.")
        report_own = eve.comment(off_topic).get_by_role("button", name=re.compile("^Report"))
        expect(report_own).to_have_count(0)
    finally:
        eves_browser.close()
    widget.open(live_server.url)  # a reader who comes later, in a browser of their own
    card = widget.comment(off_topic)
    report = card.get_by_role("button", name="Report Eve's comment, just now", exact=True)

    report.click()  # the form opens under the comment; Escape closes it again
    form = card.get_by_role("group", name="Why should a moderator look at this comment?")
    expect(form).to_be_visible()
    expect(report).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(form).to_be_hidden()
    expect(report).to_be_focused()

    report.click()
    said = card.locator(".cw-report-form").get_by_role("status")
    send = card.get_by_role("button", name="Send report")
    send.click()
    expect(said).to_have_text("Choose a reason.")
    card.get_by_label("Off-topic").check()
    card.get_by_label("Anything the moderators should know").fill("Nothing to do with Korea.")
    send.click()
    expect(said).to_have_text("Thank you. A moderator will look at this comment.")
    expect(card.get_by_role("button", name="Reported")).to_be_disabled()
    page.reload()  # this browser remembers what it reported
    expect(widget.comment(off_topic).get_by_role("button", name="Reported")).to_be_disabled()

    with live_app.app_context():
        reports = db.session.scalars(
            select(Report).join(Comment).where(Comment.body_raw == off_topic)
        ).all()
        assert [(r.reason, r.text) for r in reports] == [("off-topic", "Nothing to do with Korea.")]


def test_validation_error_is_shown_next_to_its_field(
    page: Page, page_issues: PageIssues, widget: Widget, live_server: LiveServer
) -> None:
    page_issues.expected_statuses.add(422)
    widget.open(live_server.url)
    body = "A comment with a typo in the email address."

    widget.post(body, name="Cy", email="not-an-email")
    expect(widget.email).to_have_attribute("aria-invalid", "true")
    described_by = widget.email.get_attribute("aria-describedby") or ""
    error = widget.root.locator(f"#{described_by.split()[0]}")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile("email", re.IGNORECASE))
    expect(widget.summary).to_contain_text("Email")
    expect(widget.email).to_be_focused()
    expect(widget.comment_box).to_have_value(body)  # nothing typed is lost
    expect(widget.name).not_to_have_attribute("aria-invalid", "true")

    widget.email.fill("cy@example.org")
    widget.email.press("Enter")
    expect(widget.status).to_have_text("Your comment has been published.")
    expect(widget.email).not_to_have_attribute("aria-invalid", "true")
    expect(widget.summary).to_be_hidden()


def test_saved_details_prefill_after_reload(
    page: Page, widget: Widget, live_server: LiveServer
) -> None:
    widget.open(live_server.url)
    widget.write(
        "Saving my details for next time.", "Dee", "dee@example.org", "https://dee.example/"
    )
    widget.save_details.check()
    widget.submit.click()
    expect(widget.status).to_contain_text(re.compile("published|awaiting moderation"))

    page.reload()
    expect(widget.name).to_have_value("Dee")
    expect(widget.email).to_have_value("dee@example.org")
    expect(widget.website).to_have_value("https://dee.example/")
    expect(widget.save_details).to_be_checked()
    expect(widget.comment_box).to_have_value("")

    widget.save_details.uncheck()  # forgetting is immediate
    page.reload()
    expect(widget.save_details).not_to_be_checked()
    expect(widget.name).to_have_value("")
    expect(widget.email).to_have_value("")


def test_widget_embedded_on_another_origin(
    page: Page, widget: Widget, live_server: LiveServer, other_site: OtherSite
) -> None:
    """A third-party page with its own strict CSP: the widget talks to the API over CORS."""
    service = live_server.url
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {service}",
            f"style-src {service}",
            f"connect-src {service}",
            "base-uri 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types comments-widget",
        ]
    )
    host_page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Another blog</title></head><body><h1>Another blog</h1>
<div id="comments" data-thread="/elsewhere/first-post" data-thread-title="First post"></div>
<script src="{service}/embed.js" defer></script></body></html>"""

    other_site.pages["/blog/first-post"] = (host_page, {"Content-Security-Policy": csp})
    page.goto(f"{other_site.origin}/blog/first-post")
    expect(widget.form).to_be_visible()
    expect(widget.count).to_have_text("No comments yet")
    expect(page.locator("link[data-comments-widget]")).to_have_attribute(
        "href", f"{service}/embed.css"
    )

    with page.expect_request(lambda r: r.method == "POST" and "/api/v1/comments" in r.url) as sent:
        widget.post("Hello from another site, this widget fits right in.", name="Gus")
    expect(widget.status).to_have_text("Your comment has been published.")
    assert sent.value.headers.get("origin") == other_site.origin
    thread_url = (sent.value.post_data_json or {})["thread_url"]
    assert thread_url == f"{other_site.origin}/blog/first-post"
    expect(widget.comment("Hello from another site")).to_be_visible()
