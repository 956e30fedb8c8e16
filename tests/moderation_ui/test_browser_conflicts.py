"""Two moderators, or a moderator and an author, acting on one comment at once (Chromium).

A key press decides what the card showed: a comment decided since (even when its status is
unchanged) or edited by its author since is refused, and the card shows it as it is now.
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import button_of, button_texts, new_thread, sign_in
from tests.moderation_ui.conftest import ABUSIVE, PASSWORD, Live, Problems, painted

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
    button_of(other.locator(f"#comment-{ids[0]}"), ids[0], "Approve").click()
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


def second_moderator(live: Live) -> tuple[str, str]:
    """Another moderator's account, with an API token of their own: its name and token."""
    name = f"mod-{uuid.uuid4().hex[:6]}"
    live.flask("users", "create", name, "--role", "moderator", "--password-stdin", stdin=PASSWORD)
    return name, live.flask("users", "token", name).strip().splitlines()[-1]


def decide_as(live: Live, token: str, comment_id: object, action: str, seen: str) -> str:
    request = urllib.request.Request(
        f"{live.url}/api/v1/moderation/comments/{comment_id}/decision",
        data=json.dumps({"action": action, "expected_status": seen}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        status: str = json.load(response)["status"]
    return status


def test_a_card_decided_meanwhile_offers_what_its_status_allows_now(
    browser_page: Page, live: Live, problems: Problems
) -> None:
    """The refused card shows the status someone else left AND that status's buttons (and
    keys): no Reject on a rejected comment, a Restore instead, usable without a reload."""
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (stale buttons)", "stale-buttons@x.org")["id"]
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    card = page.locator(f"#comment-{held}")
    buttons = card.locator("form.decide .buttons button")
    expect(buttons).to_have_text(button_texts(held, "Approve a", "Reject r", "Spam s"))

    decisions: list[str] = []  # what A's page sends
    page.on(
        "request",
        lambda r: decisions.append(r.url) if r.url.endswith(f"/{held}/decision") else None,
    )
    other, token = second_moderator(live)
    assert decide_as(live, token, held, "reject", seen="pending") == "rejected"

    page.locator("body").press("j")
    page.keyboard.press("r")
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{held}: The comment is rejected now, not pending: {other} decided it "
        "meanwhile. Nothing was changed."
    )
    problems.console[:] = [line for line in problems.console if "409" not in line]
    expect(card.locator(".card-meta .status")).to_have_text("rejected")
    expect(buttons).to_have_text(button_texts(held, "Approve a", "Spam s", "Restore p"))
    restore = button_of(card, held, "Restore")  # redrawn, and named after its comment still
    expect(restore).to_have_attribute("aria-keyshortcuts", "p")
    expect(card.locator('form.decide [name="expected_status"]')).to_have_value("rejected")
    expect(card).to_be_focused()  # the keys still have a card to act on

    page.keyboard.press("r")  # nothing to reject: said at once, nothing sent
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{held} is rejected: r does not apply now. "
        "It offers Approve (a), Spam (s), Restore (p)."
    )
    assert len(decisions) == 1
    page.keyboard.press("p")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{held} restored to pending.")
    # Back in the queue it is shown in, with a pending comment's buttons.
    expect(card.locator(".card-meta .status")).to_have_text("pending")
    expect(buttons).to_have_text(button_texts(held, "Approve a", "Reject r", "Spam s"))
    expect(card).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{held} rejected.")
    expect(card).to_have_count(0)
    assert len(decisions) == 3


def test_a_button_the_new_status_no_longer_offers_hands_focus_to_one_it_does(
    browser_page: Page, live: Live, problems: Problems
) -> None:
    """Pressed with the keys turned off, Reject is refused (rejected meanwhile) and goes:
    focus moves to the first button now offered, not to the top of the page, and the new
    buttons announce no keys while the keys are off."""
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (focus)", "stale-focus@x.org")["id"]
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    page.get_by_role("button", name="Keyboard shortcuts", exact=True).click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.get_by_role("checkbox", name="Use single-key shortcuts").uncheck()
    dialog.get_by_role("button", name="Close").click()
    card = page.locator(f"#comment-{held}")
    _other, token = second_moderator(live)
    assert decide_as(live, token, held, "reject", seen="pending") == "rejected"

    button_of(card, held, "Reject").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(f"Comment #{held}: The comment is rejected")
    problems.console[:] = [line for line in problems.console if "409" not in line]
    buttons = card.locator("form.decide .buttons button")
    expect(buttons).to_have_text(button_texts(held, "Approve a", "Spam s", "Restore p"))
    expect(button_of(card, held, "Approve")).to_be_focused()
    for button in buttons.all():
        expect(button).not_to_have_attribute("aria-keyshortcuts", re.compile(".*"))

    page.get_by_role("button", name="Keyboard shortcuts", exact=True).click()
    dialog.get_by_role("checkbox", name="Use single-key shortcuts").check()
    dialog.get_by_role("button", name="Close").click()
    expect(card.get_by_role("button", name="Restore")).to_have_attribute("aria-keyshortcuts", "p")
