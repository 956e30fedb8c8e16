"""Trust author follows the comment detail as the decision buttons do (Chromium).

Whenever a card is redrawn from the moderation API (after a refused or a kept decision, a
ban, or trust itself), its trust button is the one the author's standing allows now: none
for a banned author, "Stop trusting author" for a trusted one. A trust or a ban decided on
one card redraws every card of that author on the page, and each says the author's standing.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import button_of, new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, NICE, Live, Problems
from tests.moderation_ui.test_browser_conflicts import second_moderator

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def as_other(live: Live, token: str, path: str, payload: dict[str, Any]) -> Any:
    """Another moderator's request to the moderation API, with their own token."""
    request = urllib.request.Request(
        f"{live.url}/api/v1/moderation{path}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def email() -> str:
    return f"{uuid.uuid4().hex[:12]}@x.org"


def test_an_author_banned_elsewhere_is_no_longer_offered_trust(
    browser_page: Page, live: Live, problems: Problems
) -> None:
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (banned elsewhere)", author_email=email())
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    card = page.locator(f"#comment-{held}")
    trust = button_of(card, held, "Trust author of")
    expect(trust).to_be_visible()
    _other, token = second_moderator(live)
    as_other(live, token, f"/comments/{held}/ban", {"by": "email"})

    trust.click()  # what the page showed: refused, and the card shows the author as now
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{held}: The author is banned: lift the ban before trusting them."
    )
    problems.console[:] = [line for line in problems.console if "409" not in line]
    expect(trust).to_have_count(0)
    expect(card.locator(".author-actions form")).to_have_count(1)  # the ban form alone
    expect(card.locator(".card-meta .status")).to_have_text("pending")
    expect(button_of(card, held, "Approve")).to_be_focused()


def test_trust_given_elsewhere_shows_on_a_redraw_and_toggles_in_place(
    browser_page: Page, live: Live
) -> None:
    page, thread, address = browser_page, new_thread(), email()
    kept = post(live, thread, NICE + " (trusted elsewhere)", author_email=address)
    live.post(f"/api/v1/comments/{kept}/reports", {"reason": "abusive"})
    sign_in(page, live, f"/moderation/?status=published&thread={thread}")
    card = page.locator(f"#comment-{kept}")
    trust = button_of(card, kept, "Trust author of")
    stop = button_of(card, kept, "Stop trusting author of")
    expect(trust).to_be_visible()
    _other, token = second_moderator(live)
    as_other(live, token, f"/comments/{kept}/trust", {})

    page.keyboard.press("j")
    page.keyboard.press("a")  # Keep: it stays in this queue, and its card is redrawn
    expect(page.locator("#announcer")).to_have_text(f"Comment #{kept} kept, reports dismissed.")
    expect(card.get_by_role("button", name="Keep (dismiss reports)")).to_have_count(0)
    expect(stop).to_be_visible()
    expect(trust).to_have_count(0)

    stop.click()
    expect(page.locator("#announcer")).to_have_text(f"{address} is no longer trusted.")
    expect(trust).to_be_focused()  # the button that took its place
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text(
        f"{address} is now trusted: their comments skip the queue."
    )
    expect(stop).to_be_focused()
    page.reload()
    expect(stop).to_be_visible()  # stored, not only drawn


def test_a_ban_from_the_card_that_keeps_the_comment_takes_trust_away(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (banned here)", author_email=email())
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    card = page.locator(f"#comment-{held}")
    expect(button_of(card, held, "Trust author of")).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("b")
    dialog = page.get_by_role("dialog", name="Ban this author?")
    dialog.get_by_label("E-mail address only").check()  # spares the other tests' address
    dialog.get_by_label("Also reject their pending and published comments").uncheck()
    dialog.get_by_role("button", name="Ban author").click()
    expect(page.locator("#announcer")).to_have_text(f"The author of comment #{held} is banned.")
    expect(button_of(card, held, "Trust author of")).to_have_count(0)
    expect(card.locator(".standing")).to_have_text("banned")
    expect(card.locator(".card-meta .status")).to_have_text("pending")


def test_trusting_from_one_card_redraws_every_card_of_the_author(
    browser_page: Page, live: Live
) -> None:
    """Trust is by e-mail address on the site: the author's other card offers "Stop trusting
    author" at once, and a card by someone else (from the same IP address) stays as it was."""
    page, thread, address = browser_page, new_thread(), email()
    first = post(live, thread, ABUSIVE + " (first of two)", author_email=address)
    second = post(live, thread, ABUSIVE + " (second of two)", author_email=address)
    other = post(live, thread, ABUSIVE + " (someone else)", author_email=email())
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    cards = {i: page.locator(f"#comment-{i}") for i in (first, second, other)}

    def offers(comment_id: int, label: str) -> Any:
        return button_of(cards[comment_id], comment_id, f"{label} of")

    for comment_id in cards:
        expect(offers(comment_id, "Trust author")).to_be_visible()
        expect(cards[comment_id].locator(".standing")).to_have_text("—")

    offers(first, "Trust author").click()
    expect(page.locator("#announcer")).to_have_text(
        f"{address} is now trusted: their comments skip the queue."
    )
    for comment_id in (first, second):
        expect(offers(comment_id, "Stop trusting author")).to_be_visible()
        expect(offers(comment_id, "Trust author")).to_have_count(0)
        expect(cards[comment_id].locator(".standing")).to_have_text("trusted")
    expect(offers(other, "Trust author")).to_be_visible()
    expect(cards[other].locator(".standing")).to_have_text("—")
    expect(offers(first, "Stop trusting author")).to_be_focused()  # where the click was

    offers(second, "Stop trusting author").click()  # and back, from the other card
    expect(page.locator("#announcer")).to_have_text(f"{address} is no longer trusted.")
    for comment_id in (first, second):
        expect(offers(comment_id, "Trust author")).to_be_visible()
        expect(cards[comment_id].locator(".standing")).to_have_text("—")
    expect(offers(second, "Trust author")).to_be_focused()


def test_a_ban_from_one_card_shows_on_every_card_of_the_author(
    browser_page: Page, live: Live
) -> None:
    """A ban by e-mail address marks the author's other card banned (trust withdrawn from
    offer, as from the card it was decided on); a card by someone else stays as it was."""
    page, thread, address = browser_page, new_thread(), email()
    first = post(live, thread, ABUSIVE + " (banned, first)", author_email=address)
    second = post(live, thread, ABUSIVE + " (banned, second)", author_email=address)
    other = post(live, thread, ABUSIVE + " (not banned)", author_email=email())
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    cards = {i: page.locator(f"#comment-{i}") for i in (first, second, other)}
    expect(button_of(cards[second], second, "Trust author of")).to_be_visible()

    form = cards[first].locator("form.ban-form")
    cards[first].get_by_text("Ban author…").click()
    form.get_by_label("E-mail address only").check()  # spares the others at this address
    form.get_by_label("Also reject their pending and published comments").uncheck()
    button_of(form, first, "Ban this author of").click()
    expect(page.locator("#announcer")).to_have_text(f"The author of comment #{first} is banned.")
    for comment_id in (first, second):
        expect(cards[comment_id].locator(".standing")).to_have_text("banned")
        trust = button_of(cards[comment_id], comment_id, "Trust author of")
        expect(trust).to_have_count(0)
        expect(cards[comment_id].locator(".card-meta .status")).to_have_text("pending")
    expect(cards[other].locator(".standing")).to_have_text("—")
    expect(button_of(cards[other], other, "Trust author of")).to_be_visible()

    page.reload()  # the page as the server draws it says the same
    for comment_id in (first, second):
        expect(cards[comment_id].locator(".standing")).to_have_text("banned")
