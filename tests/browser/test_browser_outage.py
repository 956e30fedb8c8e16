"""A widget on another site during a database outage: the reader is told when to try again.

Another process holds SQLite's write lock past the busy timeout (a maintenance job, a backup),
so the post answers 503 while reads go on. The browser shows a cross-origin answer to the page
only with its CORS headers; without them the widget can only say the server was unreachable.
"""

from __future__ import annotations

import sqlite3

import pytest
from browser_support import LiveServer, OtherSite, PageIssues, Widget
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TEXT = "Posted while the database was busy, and posted again once it was back."
#: The busy timeout (5 s) and a slow machine.
OUTAGE_TIMEOUT_MS = 30_000


def test_a_widget_on_another_site_says_when_to_retry_and_the_retry_is_stored(
    page: Page,
    widget: Widget,
    live_server: LiveServer,
    other_site: OtherSite,
    page_issues: PageIssues,
) -> None:
    other_site.pages["/blog/outage"] = (
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Outage</title>
</head><body><div id="comments" data-thread="/elsewhere/outage"></div>
<script src="{live_server.url}/embed.js" defer></script></body></html>""",
        {},
    )
    page.goto(f"{other_site.origin}/blog/outage")
    expect(widget.count).to_have_text("No comments yet")
    page_issues.expected_statuses.add(503)  # Chromium logs it as a console error
    holder = sqlite3.connect(live_server.database_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        widget.post(TEXT, name="Ann")
        expect(widget.status).to_have_text(
            "The comment server had a problem (error 503). Your comment is still here; "
            "please try again in 5 seconds.",
            timeout=OUTAGE_TIMEOUT_MS,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    expect(widget.comment_box).to_have_value(TEXT)
    widget.submit.click()
    expect(widget.status).to_have_text("Your comment has been published.")
    expect(widget.comment(TEXT)).to_have_count(1)
