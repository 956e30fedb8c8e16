"""The moderation UI in Debian's Chromium against gunicorn: sign in, keys, bulk, reports.

Each test works in a thread of its own (filtered with ?thread=), so tests share the server
without seeing each other's comments; counts are compared before and after, not absolutely.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.conftest import ABUSIVE, NICE, PASSWORD, Live, Problems, painted

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def new_thread() -> str:
    return f"/ui-test/{uuid.uuid4().hex[:10]}"


def post(live: Live, thread: str, body: str, **fields: Any) -> int:
    payload = {"thread": thread, "thread_title": "Sanctions, explained", "body": body}
    data = live.post("/api/v1/comments", {"author_name": "Reader", **payload, **fields})
    return int(data["id"])


def sign_in(page: Page, live: Live, path: str) -> None:
    """Open a page, get sent to the form, sign in, and land back on the page."""
    page.goto(live.url + path)
    expect(page.get_by_role("heading", name="Sign in to moderate")).to_be_visible()
    page.get_by_label("Name").fill("mod")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#cards")).to_be_visible()
    # The script un-hides this button once its key handlers are in place.
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()
    assert page.url == live.url + path
    painted(page)


def count(page: Page, queue: str) -> int:
    return int(page.locator(f'[data-count="{queue}"]').inner_text())


def test_sign_in_and_triage_with_the_keyboard(browser_page: Page, live: Live) -> None:
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, f"{ABUSIVE} ({n})", author_email=f"k{n}@x.org") for n in range(2)]
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    cards = page.locator("#cards .card")
    expect(cards).to_have_count(2)
    pending = count(page, "pending")
    published = count(page, "published")

    page.keyboard.press("j")
    expect(page.locator(f"#comment-{ids[0]}")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator(f"#comment-{ids[1]}")).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator(f"#comment-{ids[0]}")).to_be_focused()
    page.keyboard.press("a")

    expect(page.locator(f"#comment-{ids[0]}")).to_have_count(0)
    expect(page.locator("#announcer")).to_have_text(f"Comment #{ids[0]} approved.")
    expect(page.locator('[data-count="pending"]')).to_have_text(str(pending - 1))
    expect(page.locator('[data-count="published"]')).to_have_text(str(published + 1))
    expect(page.locator(f"#comment-{ids[1]}")).to_be_focused()  # focus moves on

    # Typing in a field is not a shortcut.
    author = page.get_by_label("Author (e-mail or name)")
    expect(author).to_be_visible()  # the panel is open while a filter (thread) is set
    author.press_sequentially("rasa")
    page.wait_for_timeout(300)
    expect(cards).to_have_count(1)
    expect(page.locator("#announcer")).to_have_text(f"Comment #{ids[0]} approved.")


def test_bulk_reject_with_x_and_shift_r(browser_page: Page, live: Live) -> None:
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, f"{ABUSIVE} [{n}]", author_email=f"b{n}@x.org") for n in range(3)]
    sign_in(page, live, f"/moderation/?sort=oldest&thread={thread}")
    pending, rejected = count(page, "pending"), count(page, "rejected")

    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    expect(page.locator(".card.selected")).to_have_count(2)
    page.keyboard.press("Shift+R")

    expect(page.locator("#announcer")).to_have_text("2 comments rejected.")
    expect(page.locator("#cards .card")).to_have_count(1)
    expect(page.locator(f"#comment-{ids[1]}")).to_be_visible()
    expect(page.locator('[data-count="pending"]')).to_have_text(str(pending - 2))
    expect(page.locator('[data-count="rejected"]')).to_have_text(str(rejected + 2))
    page.goto(live.url + f"/moderation/?status=rejected&thread={thread}")
    expect(page.locator("#cards .card")).to_have_count(2)


def test_a_readers_report_reaches_the_reported_tab(browser_page: Page, live: Live) -> None:
    page, thread = browser_page, new_thread()
    # An e-mail of its own: known only by IP address, it would share its standing with other
    # tests' comments, and could be held (so not reportable) when it ran after them.
    comment_id = post(live, thread, NICE, author_email=f"{uuid.uuid4().hex}@x.org")
    sign_in(page, live, f"/moderation/?status=reported&thread={thread}")
    expect(page.locator("#cards .card")).to_have_count(0)
    reported = count(page, "reported")

    live.post(f"/api/v1/comments/{comment_id}/reports", {"reason": "abusive", "text": "rude"})
    page.reload()
    painted(page)
    card = page.locator(f"#comment-{comment_id}")
    expect(card).to_be_visible()
    expect(card.locator(".reports")).to_contain_text("Abusive: rude")
    expect(card.get_by_role("button", name="Keep (dismiss reports)")).to_be_visible()
    assert count(page, "reported") == reported + 1

    page.keyboard.press("j")
    page.keyboard.press("a")  # keep the comment: the report is resolved, it stays published
    expect(card).to_have_count(0)
    expect(page.locator('[data-count="reported"]')).to_have_text(str(reported))


def test_keeping_a_reported_comment_in_the_published_queue_redraws_its_card(
    browser_page: Page, live: Live
) -> None:
    """The card stays (still published) but its reports are resolved: "Keep" is no longer
    offered, nor are the reports shown, and a second a is refused without a request."""
    page, thread = browser_page, new_thread()
    # An e-mail of its own: known by IP address, it would share the rejections of other tests.
    comment_id = post(live, thread, NICE, author_email=f"{uuid.uuid4().hex}@x.org")
    live.post(f"/api/v1/comments/{comment_id}/reports", {"reason": "spam", "text": "an ad"})
    sign_in(page, live, f"/moderation/?status=published&thread={thread}")
    card = page.locator(f"#comment-{comment_id}")
    buttons = card.locator("form.decide .buttons button")
    expect(buttons).to_have_text(["Keep (dismiss reports) a", "Reject r", "Spam s"])

    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{comment_id} approved.")
    expect(buttons).to_have_text(["Reject r", "Spam s"])
    expect(card.locator(".reports")).to_have_count(0)
    expect(card).to_be_focused()
    page.keyboard.press("a")
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{comment_id} is published: a does not apply now. It offers Reject (r), Spam (s)."
    )


def test_a_card_someone_else_decided_meanwhile_is_refreshed_not_overruled(
    browser_page: Page, live: Live, problems: Problems
) -> None:
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (race)", author_email="race@x.org")
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    other = page.context.new_page()  # a second tab: the other moderator
    other.goto(live.url + f"/moderation/?status=pending&thread={thread}")
    painted(other)
    other.locator("body").press("j")
    other.keyboard.press("r")
    expect(other.locator("#announcer")).to_have_text(f"Comment #{held} rejected.")

    card = page.locator(f"#comment-{held}")
    page.locator("body").press("j")
    page.keyboard.press("a")
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{held}: The comment is rejected now, not pending: mod decided it meanwhile. "
        "Nothing was changed."
    )
    expect(card.locator(".card-meta .status")).to_have_text("rejected")
    # The refused request is the only console complaint the page may make.
    problems.console[:] = [line for line in problems.console if "409" not in line]

    page.keyboard.press("a")  # now a deliberate decision about what the card shows
    expect(page.locator("#announcer")).to_have_text(f"Comment #{held} approved.")


def test_question_mark_shows_the_keys(browser_page: Page, live: Live) -> None:
    page, thread = browser_page, new_thread()
    post(live, thread, ABUSIVE + " (help)")
    sign_in(page, live, f"/moderation/?thread={thread}")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    for text in ("Next comment", "Approve every selected comment", "Ban the focused"):
        expect(help_dialog).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(help_dialog).to_be_visible()
    help_dialog.get_by_role("button", name="Close").click()
    expect(help_dialog).to_be_hidden()


def test_queue_screenshots_at_laptop_and_phone_widths(
    browser_page: Page, live: Live, screenshot_dir: Path
) -> None:
    page, thread = browser_page, new_thread()
    parent = post(live, thread, NICE, author_email="ann@x.org", author_url="https://ann.example")
    post(live, thread, ABUSIVE + " <script>alert(1)</script>", author_email="t@x.org")
    post(live, thread, "Stupid moron, you are an idiot", parent_id=parent, author_email="u@x.org")
    sign_in(page, live, f"/moderation/?thread={thread}")
    for name, width, height in (("laptop", 1280, 900), ("phone", 390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        expect(page.locator("#cards .card").first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the {name} layout scrolls sideways by {overflow}px"
        page.screenshot(path=str(screenshot_dir / f"moderation-queue-{name}.png"), full_page=True)
    page.goto(live.url + "/moderation/stats")
    page.screenshot(path=str(screenshot_dir / "moderation-stats-phone.png"), full_page=True)


def test_ban_asks_first_and_the_buttons_work_too(browser_page: Page, live: Live) -> None:
    page, thread = browser_page, new_thread()
    target = post(live, thread, ABUSIVE + " (ban)", author_email=f"{uuid.uuid4().hex}@x.org")
    post(live, new_thread(), NICE, author_email=f"{uuid.uuid4().hex}@x.org")  # same address
    sign_in(page, live, f"/moderation/?thread={thread}")
    card = page.locator(f"#comment-{target}")
    expect(card).to_be_visible()
    # Into the page itself: a key pressed before anything has focus can go nowhere.
    page.locator("body").press("j")
    expect(card).to_be_focused()
    page.keyboard.press("b")
    dialog = page.get_by_role("dialog", name="Ban this author?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#comment-{target}")).to_be_focused()

    page.keyboard.press("b")
    # Every test posts from this process's address: the dialog says so, and offers a ban by
    # e-mail alone first, which leaves the others be.
    expect(dialog.locator("#ban-shared")).to_contain_text("came from the same IP address")
    expect(dialog.get_by_label("E-mail address only")).to_be_checked()
    dialog.get_by_label("Also reject their pending and published comments").uncheck()
    dialog.get_by_role("button", name="Ban author").click()
    expect(page.locator("#announcer")).to_have_text(f"The author of comment #{target} is banned.")
    neighbour = live.post(
        "/api/v1/comments", {"thread": thread, "body": "Same network, someone else."}
    )
    assert neighbour["status"] == "published"
    page.locator(f"#comment-{target}").get_by_role("button", name="Spam").click()
    expect(page.locator(f"#comment-{target}")).to_have_count(0)
    expect(page.locator("#queue-empty")).to_be_visible()


# --- what a keyboard and screen-reader user notices -------------------------------------

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

    approve = page.locator(f"#comment-{held}").get_by_role("button", name="Approve", exact=True)
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
    approve = card.get_by_role("button", name="Approve", exact=True)
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
    restore = card.get_by_role("button", name="Restore", exact=True)
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
