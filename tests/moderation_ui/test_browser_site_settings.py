"""An admin changes a site's setting on the Site page with the keyboard and sees it confirmed
(Chromium), and the next comment on that site is decided by it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.conftest import PASSWORD, Live, painted

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def test_an_admin_changes_a_setting_and_sees_it_confirmed(
    browser_page: Page, live: Live, screenshot_dir: Path
) -> None:
    page, suffix = browser_page, uuid.uuid4().hex[:6]
    # A site and an admin of this test's own: the live server is shared with other tests.
    site, admin = f"site-{suffix}", f"admin-{suffix}"
    live.flask("sites", "create", site)
    live.flask("users", "create", admin, "--role", "admin", "--password-stdin", stdin=PASSWORD)

    page.goto(f"{live.url}/moderation/sites/{site}")
    page.get_by_label("Name").fill(admin)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name=f"Site settings: {site}")).to_be_visible()
    painted(page)
    page.get_by_label("Blocked words").fill("casino")
    most_links = page.get_by_label("Most links")
    expect(most_links).to_have_value("3")
    most_links.fill("0")
    most_links.press("Enter")  # the form's own submission, as a keyboard user sends it

    expect(page.get_by_role("status")).to_have_text(
        f"Saved on {site}. Most links: 3 → 0; Blocked words: added casino."
    )
    expect(page.get_by_label("Most links")).to_have_value("0")
    expect(page.get_by_role("link", name="Site", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.screenshot(path=str(screenshot_dir / "site-settings.png"), full_page=True)

    answer = live.post(
        "/api/v1/comments",
        {"site": site, "thread": "/t", "body": "More on this: https://news.example/analysis"},
    )
    assert answer["status"] == "pending"
