"""The widget's stylesheet, written in parts, reaches the host page as one request that styles
every part of the widget, with the API answered by the test (FakeApi in browser_support).
"""

from __future__ import annotations

import pytest
from browser_support import FakeApi, LiveServer, Widget, comment
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_one_stylesheet_request_styles_every_part_of_the_widget(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    # Five pages are loaded without asking; a sixth is offered with "Load more comments".
    cursors = [None, "p2", "p3", "p4", "p5"]
    for n, (cursor, after) in enumerate(zip(cursors, [*cursors[1:], "p6"], strict=True), 1):
        api.pages[cursor] = {"comments": [comment(n)], "total": 6, "next": after}
    sheets: list[str] = []
    page.on("request", lambda r: sheets.append(r.url) if r.resource_type == "stylesheet" else None)
    widget.open(live_server.url)
    first = widget.comment("Comment number 1.")
    expect(first).to_be_visible()
    widget_sheets = [url for url in sheets if url.startswith(live_server.url + "/embed")]
    assert widget_sheets == [live_server.url + "/embed.css"]
    expect(page.locator("link[data-comments-widget]")).to_have_count(1)

    # A rule from each part: buttons (base.css), the form, the cards (thread.css).
    load_more = widget.root.get_by_role("button", name="Load more comments")
    expect(load_more).to_have_css("margin-top", "16px")
    expect(widget.form).to_have_css("display", "grid")
    expect(first.locator(".cw-card")).to_have_css("padding-left", "14.4px")
    # own.css: the editor's and the nudge's rules, on elements embed-edit.js would build.
    nudge = page.evaluate_handle(
        """() => {
          const nudge = document.createElement("div");
          nudge.className = "cw-nudge";
          document.querySelector(".cw").append(nudge);
          return nudge;
        }"""
    )
    assert nudge.evaluate("n => getComputedStyle(n).borderTopStyle") == "solid"
