"""Relative times ("3 minutes ago") keep up with the clock while the page stays open, with the
API answered by the test (FakeApi in browser_support) and the page's clock driven by
Playwright's clock API.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from browser_support import NOW, FakeApi, LiveServer, Widget, comment
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Records every change under the widget from here on: whether an element was added or
# removed (a re-render), and whether the change was inside a live region (announced).
WATCH = """() => {
  window.changes = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      window.changes.push({
        elements: [...record.addedNodes, ...record.removedNodes].some((n) => n.nodeType === 1),
        live: Boolean(target.closest("[aria-live], [role=status], [role=alert], [role=log]")),
        where: target.closest("time, .cw-visually-hidden, [id$=-about]")?.tagName || target.tagName,
      });
    }
  }).observe(document.querySelector("#comments"), {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
}"""


def test_times_move_on_in_place_without_moving_focus(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    posted = datetime.fromisoformat(NOW)
    api.pages[None] = {"comments": [comment(1, author_name="Ann")], "total": 1, "next": None}
    page.clock.install(time=posted)
    widget.open(live_server.url)
    ann = widget.comment("Comment number 1.")
    time = ann.locator("time")
    expect(time).to_have_text("just now")
    report = ann.get_by_role("button", name=re.compile("^Report Ann's comment, "))
    expect(report).to_have_accessible_name("Report Ann's comment, just now")
    report.focus()
    card = ann.get_by_role("article")
    before = card.element_handle()
    page.evaluate(WATCH)

    page.clock.run_for(3 * 60 * 1000)  # the page stays open three minutes
    expect(time).to_have_text("3 minutes ago")
    # The card and its buttons are named from the same words, so they change with them.
    expect(report).to_have_accessible_name("Report Ann's comment, 3 minutes ago")
    expect(card).to_have_accessible_name(re.compile(r"^Ann 3 minutes ago \(\w+day, "))
    expect(report).to_be_focused()
    assert card.evaluate("(node, before) => node === before", before)  # the same card
    expect(time).to_have_attribute("datetime", "2026-11-27T23:50:00.000Z")
    changes = page.evaluate("window.changes")
    assert changes, "nothing was updated"
    assert not any(change["elements"] or change["live"] for change in changes), changes

    # A tab left in the background for two hours: its timers barely ran, so the times are
    # brought up to date as soon as it is seen again.
    page.clock.set_system_time(posted + timedelta(hours=2, minutes=5))
    expect(time).to_have_text("3 minutes ago")  # no timer has fired since
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(time).to_have_text("2 hours ago")
    # Coarser than a minute, so the time of day is added (NOW is 12:50 PM in Auckland).
    expect(report).to_have_accessible_name(
        re.compile(r"^Report Ann's comment, 2 hours ago at 12:50\sPM$")
    )
    expect(report).to_be_focused()

    page.clock.run_for(8 * 24 * 3600 * 1000)  # over a week: the date, read with its time
    expect(time).to_have_text("November 28, 2026")
    expect(card).to_have_accessible_name(re.compile(r"^Ann November 28, 2026 \(12:50\sPM\)$"))
    expect(report).to_be_focused()
