"""Two moderators, or a moderator and an author, acting on one comment at once (Chromium).

A key press decides what the card showed: a comment decided since (even when its status is
unchanged) or edited by its author since is refused, and the card shows it as it is now.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.conftest import ABUSIVE, Live, Problems, painted
from tests.moderation_ui.test_browser_moderation import new_thread, sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)

EDITED = "You are all worthless idiots and I will keep saying it"


def post(live: Live, thread: str, body: str, email: str) -> dict[str, object]:
    payload = {"thread": thread, "body": body, "author_name": "Reader", "author_email": email}
    return live.post("/api/v1/comments", payload)


def edit(live: Live, comment_id: object, token: object, body: str) -> str:
    request = urllib.request.Request(
        f"{live.url}/api/v1/comments/{comment_id}",
        data=json.dumps({"body": body}).encode(),
        headers={"Content-Type": "application/json", "X-Edit-Token": str(token)},
        method="PATCH",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        status: str = json.load(response)["status"]
    return status


def other_moderator(page: Page, live: Live, path: str) -> Page:
    """A second tab of the same account: the other moderator."""
    other = page.context.new_page()
    other.goto(live.url + path)
    painted(other)
    return other


def test_a_text_edited_by_its_author_meanwhile_is_shown_not_approved(
    browser_page: Page, live: Live, problems: Problems
) -> None:
    page, thread = browser_page, new_thread()
    posted = post(live, thread, ABUSIVE + " (edit race)", "edit-race@x.org")
    held = posted["id"]
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    card = page.locator(f"#comment-{held}")
    expect(card.locator(".drivers")).to_be_visible()

    assert edit(live, held, posted["edit_token"], EDITED) == "pending"
    page.locator("body").press("j")
    page.keyboard.press("a")
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{held}: Its author edited the comment since you loaded it: read the new "
        "text first. Nothing was changed."
    )
    problems.console[:] = [line for line in problems.console if "409" not in line]
    expect(card.locator(".comment-text")).to_have_text(EDITED)
    expect(card.locator(".drivers")).to_have_count(0)  # they were about the old text
    expect(card.locator(".edited-note")).to_contain_text("Edited by its author")
    expect(card.locator(".card-meta .status")).to_have_text("pending")

    page.keyboard.press("r")  # now a decision about the text on screen
    expect(page.locator("#announcer")).to_have_text(f"Comment #{held} rejected.")
    expect(card).to_have_count(0)


def test_bulk_keys_do_not_overrule_a_decision_made_meanwhile(
    browser_page: Page, live: Live, problems: Problems
) -> None:
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, f"{ABUSIVE} [bulk race {n}]", f"br{n}@x.org")["id"] for n in (0, 1)]
    path = f"/moderation/?status=pending&sort=oldest&thread={thread}"
    sign_in(page, live, path)
    page.locator("body").press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("2")

    other = other_moderator(page, live, path)
    other.locator(f"#comment-{ids[0]}").get_by_role("button", name="Approve", exact=True).click()
    expect(other.locator("#announcer")).to_have_text(f"Comment #{ids[0]} approved.")

    page.keyboard.press("Shift+R")
    expect(page.get_by_role("alert")).to_have_text(
        f"1 comment rejected. #{ids[0]}: The comment is published now: mod decided it since "
        "you loaded it. Nothing was changed."
    )
    expect(page.locator(f"#comment-{ids[1]}")).to_have_count(0)
    kept = page.locator(f"#comment-{ids[0]}")
    expect(kept.locator(".card-meta .status")).to_have_text("published")
    page.goto(live.url + f"/moderation/comments/{ids[0]}")
    expect(page.locator(".card-meta .status")).to_have_text("published")
