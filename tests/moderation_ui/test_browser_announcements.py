"""The moderation UI as a keyboard and screen-reader user notices it, in Debian's Chromium:
what is announced and when, where focus goes, and the keys on a phone.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import button_of, button_texts, new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, Live, Problems, painted

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


# Every change to the live region once the page is parsed: what a screen reader announces.
# (Content the page arrives with is not announced; the parser's insertions are not counted.)
RECORD_ANNOUNCEMENTS = """
window.announced = [];
document.addEventListener("DOMContentLoaded", () => {
  const region = document.getElementById("announcer");
  if (!region) return;
  new MutationObserver(() => {
    const text = region.textContent.trim();
    if (text) window.announced.push(text);
  }).observe(region, { childList: true, subtree: true, characterData: true });
});
"""


def ban_from_the_queue(page: Page, live: Live) -> int:
    """Ban the author of a new held comment with the keys; returns the comment's id."""
    thread = new_thread()
    target = post(live, thread, ABUSIVE + " (a11y)", author_email=f"{uuid.uuid4().hex}@x.org")
    page.goto(live.url + f"/moderation/?thread={thread}")
    painted(page)
    page.locator("body").press("j")
    page.keyboard.press("b")
    page.get_by_role("dialog", name="Ban this author?").get_by_role(
        "button", name="Ban author"
    ).click()
    expect(page.locator("#announcer")).to_contain_text(f"comment #{target} is banned")
    return target


def test_a_refused_decision_is_announced_and_focus_stays_on_the_button(
    browser_page: Page, live: Live, problems: Problems
) -> None:
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (refused)", author_email="refused@x.org")
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    alert = page.get_by_role("alert")

    other = page.context.new_page()  # another moderator rejects it meanwhile
    other.goto(live.url + f"/moderation/?status=pending&thread={thread}")
    painted(other)
    other.locator("body").press("j")
    other.keyboard.press("r")
    expect(other.locator("#announcer")).to_have_text(f"Comment #{held} rejected.")

    approve = button_of(page.locator(f"#comment-{held}"), held, "Approve")
    approve.focus()
    page.keyboard.press("Enter")
    expect(alert).to_contain_text(f"Comment #{held}: The comment is rejected now")
    problems.console[:] = [line for line in problems.console if "409" not in line]
    # Disabled while the request ran, the button had dropped focus to the top of the page.
    expect(approve).to_be_focused()


def test_errors_are_announced_at_once_and_successes_politely(
    browser_page: Page, live: Live, problems: Problems
) -> None:
    """A refusal or a failure must not wait behind whatever the screen reader is saying, nor
    share the polite region where a success was announced: each has its region, both in the
    accessibility tree before their first message."""
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (offline)", author_email="offline@x.org")
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    status, alert = page.get_by_role("status"), page.get_by_role("alert")
    for region in (status, alert):
        expect(region).to_have_count(1)
        expect(region).to_have_text("")

    decision = re.compile(rf"/api/v1/moderation/comments/{held}/decision$")
    page.route(decision, lambda route: route.abort())  # the network fails
    page.locator("body").press("j")
    page.keyboard.press("a")
    expect(alert).to_have_text(
        f"Comment #{held}: The server could not be reached; nothing was changed."
    )
    expect(status).to_have_text("")
    problems.console[:] = [line for line in problems.console if "net::ERR_FAILED" not in line]

    page.unroute(decision)
    page.keyboard.press("a")
    expect(status).to_have_text(f"Comment #{held} approved.")
    expect(alert).to_have_text("")  # only the latest message stays shown


def test_a_message_after_a_form_post_is_announced(browser_page: Page, live: Live) -> None:
    """Lifting a ban is a form post (the bans page has no script for it): the message the
    next page carries is put into the live region after load, so it is read out."""
    page = browser_page
    page.add_init_script(RECORD_ANNOUNCEMENTS)
    sign_in(page, live, f"/moderation/?thread={new_thread()}")
    # The live region is in the accessibility tree before its first message, as screen
    # readers need to announce that message (display:none while empty hid it from them).
    announcer = page.get_by_role("status")
    expect(announcer).to_have_count(1)
    expect(announcer).to_have_text("")
    comment_id = ban_from_the_queue(page, live)
    page.goto(live.url + "/moderation/bans")
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=f"#{comment_id}", exact=True)
    )
    row.get_by_role("button", name=re.compile(r"^Lift ban #\d+$")).click()
    expect(announcer).to_contain_text("is lifted")
    page.wait_for_function(
        "() => window.announced.some((text) => text.includes('is lifted'))", timeout=5_000
    )


def test_bans_reflow_at_320px_and_a_wide_table_scrolls_by_keyboard(
    browser_page: Page, live: Live
) -> None:
    page = browser_page
    sign_in(page, live, f"/moderation/?thread={new_thread()}")
    ban_from_the_queue(page, live)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live.url + "/moderation/bans")
    painted(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the bans page scrolls sideways by {overflow}px at 320px"

    table = page.get_by_role("region", name="Bans, newest first")
    page.get_by_role("link", name="Show lifted bans too").focus()
    page.keyboard.press("Tab")
    expect(table).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")

    page.set_viewport_size({"width": 1280, "height": 900})  # nothing to scroll: no tab stop
    expect(table).to_have_count(0)


def test_the_shortcuts_can_be_found_on_a_phone_and_turned_off(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (keys)", author_email="keys@x.org")
    sign_in(page, live, f"/moderation/?thread={thread}")
    card = page.locator(f"#comment-{held}")
    approve = button_of(card, held, "Approve")
    expect(approve).to_have_attribute("aria-keyshortcuts", "a")
    page.set_viewport_size({"width": 320, "height": 800})  # also 1280px zoomed to 400%
    help_button = page.get_by_role("button", name="Keyboard shortcuts", exact=True)
    expect(help_button).to_be_visible()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    switch = dialog.get_by_role("checkbox", name="Use single-key shortcuts")

    help_button.click()
    expect(switch).to_be_checked()
    switch.uncheck()
    dialog.get_by_role("button", name="Close").click()
    page.locator("body").press("j")
    page.keyboard.press("?")
    expect(dialog).to_be_hidden()
    expect(card).not_to_be_focused()
    expect(approve).not_to_have_attribute("aria-keyshortcuts", "a")  # not announced either

    page.reload()  # this browser remembers
    painted(page)
    help_button.click()
    expect(switch).not_to_be_checked()
    switch.check()
    dialog.get_by_role("button", name="Close").click()
    page.locator("body").press("j")
    expect(card).to_be_focused()
    expect(approve).to_have_attribute("aria-keyshortcuts", "a")


def test_a_card_s_keys_are_its_buttons_and_p_restores(browser_page: Page, live: Live) -> None:
    """A rejected comment offers no Reject, so r is refused on the page; p is its Restore."""
    page, thread = browser_page, new_thread()
    comment_id = post(live, thread, ABUSIVE + " (restore)", author_email="restore@x.org")
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{comment_id} rejected.")
    page.goto(live.url + f"/moderation/?status=rejected&thread={thread}")
    painted(page)
    card = page.locator(f"#comment-{comment_id}")
    restore = button_of(card, comment_id, "Restore")
    expect(restore).to_have_attribute("aria-keyshortcuts", "p")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)

    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{comment_id} is rejected: r does not apply now. "
        "It offers Approve (a), Spam (s), Restore (p)."
    )
    assert sent == []
    page.keyboard.press("p")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{comment_id} restored to pending.")
    expect(card).to_have_count(0)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
        "Restore the focused comment to pending"
    )


def test_each_cards_buttons_name_the_comment_they_act_on(browser_page: Page, live: Live) -> None:
    """A screen reader's list of the page's buttons tells the cards apart: each button is named
    by its words and its comment ("Approve comment #12 by Ann"), in visually hidden text."""
    page, thread = browser_page, new_thread()
    authors = ("Ann", "Bob")
    ids = [
        post(live, thread, f"{ABUSIVE} (named {n})", author_name=name, author_email=f"{name}@x.org")
        for n, name in enumerate(authors)
    ]
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    for comment_id, author in zip(ids, authors, strict=True):
        card = page.locator(f"#comment-{comment_id}")
        for words in ("Approve", "Reject", "Spam", "Trust author of"):
            expect(button_of(card, comment_id, words, author)).to_be_visible()
        shown = card.locator("form.decide .buttons button")
        expect(shown).to_have_text(
            button_texts(comment_id, "Approve a", "Reject r", "Spam s", author=author)
        )
        # What shows is the word and the key; the rest is there for assistive technology.
        expect(shown.locator(".visually-hidden")).to_have_text(
            [f" comment #{comment_id} by {author}"] * 3
        )
        card.get_by_text("Ban author…").click()
        expect(button_of(card, comment_id, "Ban this author of", author)).to_be_visible()
    cards = page.locator("#cards")  # the selection's own Approve, Reject... are outside them
    for words in ("Approve", "Reject", "Spam", "Trust author", "Ban this author"):
        expect(cards.get_by_role("button", name=words, exact=True)).to_have_count(0)
