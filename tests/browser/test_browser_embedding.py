"""A site owner following the README's "Embedding the widget" literally: the snippet, on a page
of another origin whose Content-Security-Policy is strict, with the directives the README says
to add (read from the README itself, so the instructions cannot drift from what works).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import Blog, LiveServer, OtherSite, PageIssues, Widget, wait_until
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_ORIGIN = "https://comments.example.org"


def documented_directives() -> str:
    """The CSP directives the README tells a site owner to add, as one line."""
    section = README.read_text().split("## Embedding the widget", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```\n(script-src .*?)```", section, re.DOTALL)
    assert found, "the README's embedding section gives no Content-Security-Policy directives"
    return " ".join(found.group(1).split())


def test_the_widget_works_under_the_policy_the_readme_documents(
    page: Page, page_issues: PageIssues, widget: Widget, blog: Blog
) -> None:
    directives = documented_directives().replace(DOCUMENTED_ORIGIN, blog.server)
    # A strict page: nothing beyond its own origin unless named, Trusted Types enforced.
    policy = f"default-src 'self'; require-trusted-types-for 'script'; {directives}"
    path = f"/{blog.site}/strict"
    blog.other_site.pages[path] = (
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict</title>
</head><body><main><h1>A post</h1>
<div id="comments" data-site="{blog.site}" data-thread="/2024/11/my-post"
  data-thread-title="My post"></div></main>
<script src="{blog.server}/embed.js" defer></script></body></html>""",
        {"Content-Security-Policy": policy},
    )
    page.goto(blog.other_site.origin + path)

    widget.post("Posted from a page with a strict policy.", name="Ann")
    expect(widget.status).to_have_text("Your comment has been published.")
    mine = widget.comment("Posted from a page with a strict policy.")
    expect(mine.get_by_role("button", name=re.compile("^Edit"))).to_be_visible()  # embed-edit.js
    expect(widget.submit).to_have_css("color", "rgb(255, 255, 255)")  # embed.css applied
    assert not page_issues.csp_violations


@pytest.fixture
def stranger(page_issues: PageIssues, live_server: LiveServer) -> Iterator[OtherSite]:
    """A page with the widget on an origin no site lists: the API's answers it cannot read."""
    page_issues.expect_network_errors = True
    page_issues.expect_cors_refusals = True
    site = OtherSite()
    site.start()
    site.pages["/post"] = (
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Post</title>
</head><body><main><h1>A post</h1><div id="comments" data-thread="/refused"></div></main>
<script src="{live_server.url}/embed.js" defer></script></body></html>""",
        {},
    )
    yield site
    site.stop()


def test_a_page_on_an_origin_no_site_allows_tells_its_owner_why_in_the_console(
    page: Page, widget: Widget, live_server: LiveServer, stranger: OtherSite
) -> None:
    """Readers are told calmly that comments could not be loaded, and offered no form to post
    from (a post could not be sent either); the site owner, who opens the console, finds one
    warning naming the cause and the command that allows the page."""
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    with page.expect_console_message(lambda m: m.text.startswith("Comments widget:")):
        page.goto(stranger.origin + "/post")
    loading = widget.root.locator(".cw-load-status")
    expect(loading).to_have_text("Comments could not be loaded.")
    expect(widget.form).to_be_hidden()
    expect(widget.root).not_to_contain_text("flask")  # no commands for readers
    widget.root.get_by_role("button", name="Try again").click()
    expect(widget.root.get_by_role("button", name="Try again")).to_be_visible()
    page.wait_for_load_state("networkidle")  # a second warning would have had its probe
    expect(widget.form).to_be_hidden()
    ours = [text for text in warnings if text.startswith("Comments widget:")]
    assert len(ours) == 1, ours
    command = f"flask --app wsgi sites update default --add-origin {stranger.origin}"
    assert command in ours[0]
    # The service's operator, who sees no reader's console, finds the same in its log.
    assert f"refused origin {stranger.origin}" in live_server.log()
    assert command in live_server.log()


def test_a_dropped_connection_on_an_allowed_origin_blames_no_origin_list(
    page: Page, page_issues: PageIssues, widget: Widget, blog: Blog
) -> None:
    """The thread's first read lost on the way (a flaky network, a restart) fails as a refused
    origin does; the server answering afterwards does not make the page's origin the cause:
    the console says nothing, and "Try again" reads the thread."""
    page_issues.expect_network_errors = True
    blog.publish("Already here.")
    dropped: list[str] = []

    def drop_first_read(route: Route) -> None:
        if not dropped and "since=" not in route.request.url:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/api/v1/comments\?"), drop_first_read)
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(blog.url())
    expect(widget.root.locator(".cw-load-status")).to_have_text("Comments could not be loaded.")
    page.wait_for_load_state("networkidle")  # the widget's own second look has been answered
    assert dropped
    assert not [text for text in warnings if text.startswith("Comments widget:")], warnings
    widget.root.get_by_role("button", name="Try again").click()
    expect(widget.comment("Already here.")).to_be_visible()


def test_a_reader_writing_on_a_refused_origin_keeps_the_text_and_is_told_why_it_cannot_post(
    page: Page, widget: Widget, stranger: OtherSite
) -> None:
    """Text typed before the widget finds the origin refused stays in the form; a post from
    it says the page cannot post, not "check your connection"."""
    probes: list[Route] = []

    def hold_the_probe(route: Route) -> None:
        # The widget's look without CORS (no-cors: no Origin header) waits for the reader.
        if "origin" not in route.request.headers:
            probes.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/api/v1/comments\?"), hold_the_probe)
    page.goto(stranger.origin + "/post")
    widget.comment_box.fill("Written before the widget knew.")
    wait_until(page, lambda: bool(probes), 5)
    probes[0].continue_()
    page.wait_for_load_state("networkidle")
    expect(widget.form).to_be_visible()
    widget.submit.click()
    expect(widget.status).to_have_text(
        "Comments cannot be posted from this page. Your comment is still here to copy."
    )
    expect(widget.comment_box).to_have_value("Written before the widget knew.")


def test_try_again_once_the_origin_is_allowed_brings_the_form_back(
    page: Page, widget: Widget, stranger: OtherSite, live_server: LiveServer
) -> None:
    allowed: list[bool] = []

    def answer(route: Route) -> None:
        if not allowed:
            route.continue_()
            return
        headers = {"Access-Control-Allow-Origin": stranger.origin}
        route.fulfill(headers=headers, json={"comments": [], "next": None, "total": 0})

    page.route(re.compile(r"/api/v1/comments\?"), answer)
    with page.expect_console_message(lambda m: m.text.startswith("Comments widget:")):
        page.goto(stranger.origin + "/post")
    expect(widget.form).to_be_hidden()
    allowed.append(True)  # the operator ran the command the console gave
    widget.root.get_by_role("button", name="Try again").click()
    expect(widget.count).to_have_text("No comments yet")
    expect(widget.form).to_be_visible()
