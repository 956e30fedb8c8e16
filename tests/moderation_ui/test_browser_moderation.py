"""The moderation UI in Debian's Chromium against gunicorn: sign in, keys, bulk, reports.

Each test works in a thread of its own (filtered with ?thread=), so tests share the server
without seeing each other's comments; counts are compared before and after, not absolutely.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import button_texts, count, new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, NICE, Live, Problems, painted

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


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
    # A key's keydown handlers run before its letter reaches the field, so once the field
    # holds the word, a key taken as a shortcut would show: the card busy or gone, an alert.
    # (A fixed pause said nothing when the page was slower than the pause.)
    expect(author).to_have_value("rasa")
    expect(cards).to_have_count(1)
    expect(page.locator('#cards .card[aria-busy="true"]')).to_have_count(0)
    expect(page.locator("#alerts")).to_have_text("")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{ids[0]} approved.")


def test_under_a_filter_the_counts_are_the_filters_after_a_decision_too(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    post(live, new_thread(), ABUSIVE + " (not counted)", author_email=f"{uuid.uuid4().hex}@x.org")
    ids = [
        post(live, thread, f"{ABUSIVE} (counted {n})", author_email=f"{uuid.uuid4().hex}@x.org")
        for n in range(2)
    ]
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    expect(page.locator('[data-count="pending"]')).to_have_text("2")
    expect(page.locator('[data-count="published"]')).to_have_text("0")
    expect(page).to_have_title(re.compile(r"^Pending \(2\)"))
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{ids[0]} approved.")
    # Counted again under the same filter, not over the whole queue.
    expect(page.locator('[data-count="published"]')).to_have_text("1")
    expect(page.locator('[data-count="pending"]')).to_have_text("1")
    expect(page).to_have_title(re.compile(r"^Pending \(1\)"))


def test_with_caps_lock_on_every_key_works_as_without_it(browser_page: Page, live: Live) -> None:
    """Caps Lock gives "J" without Shift: it moves, "X" selects, as "R" rejects."""
    page, thread = browser_page, new_thread()
    ids = [
        post(live, thread, f"{ABUSIVE} (caps {n})", author_email=f"c{n}@x.org") for n in range(3)
    ]
    sign_in(page, live, f"/moderation/?status=pending&sort=oldest&thread={thread}")
    page.keyboard.press("J")
    expect(page.locator(f"#comment-{ids[0]}")).to_be_focused()
    page.keyboard.press("X")
    expect(page.locator("[data-selected-count]")).to_have_text("1")
    page.keyboard.press("J")
    page.keyboard.press("K")
    expect(page.locator(f"#comment-{ids[0]}")).to_be_focused()
    page.keyboard.press("J")
    page.keyboard.press("R")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{ids[1]} rejected.")
    expect(page.locator(f"#comment-{ids[0]}")).to_be_visible()
    # Shift with Caps Lock on gives "r" with shiftKey: the selection's Reject, as Shift+R.
    page.evaluate(
        """() => document.body.dispatchEvent(new KeyboardEvent("keydown",
            { key: "r", shiftKey: true, bubbles: true, cancelable: true }))"""
    )
    expect(page.locator("#announcer")).to_have_text("1 comment rejected.")
    expect(page.locator(f"#comment-{ids[0]}")).to_have_count(0)
    expect(page.locator(f"#comment-{ids[2]}")).to_be_visible()


def test_bulk_reject_with_x_and_shift_r(browser_page: Page, live: Live) -> None:
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, f"{ABUSIVE} [{n}]", author_email=f"b{n}@x.org") for n in range(3)]
    sign_in(page, live, f"/moderation/?sort=oldest&thread={thread}")
    pending, rejected = count(page, "pending"), count(page, "rejected")

    # Each key once the one before it has shown, so a failure names the key that did nothing.
    page.keyboard.press("j")
    expect(page.locator(f"#comment-{ids[0]}")).to_be_focused()
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("1")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"#comment-{ids[2]}")).to_be_focused()
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
    expect(page.locator("#announcer")).to_have_text(
        f"Comment #{comment_id} kept, reports dismissed."
    )
    expect(page.locator('[data-count="reported"]')).to_have_text(str(reported))


def test_bulk_keep_in_the_reported_tab_says_kept(browser_page: Page, live: Live) -> None:
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, NICE, author_email=f"{uuid.uuid4().hex}@x.org") for _ in range(2)]
    for comment_id in ids:
        live.post(f"/api/v1/comments/{comment_id}/reports", {"reason": "spam"})
    sign_in(page, live, f"/moderation/?status=reported&thread={thread}")
    for selected, comment_id in enumerate(ids, start=1):
        page.get_by_role("checkbox", name=f"Select comment {comment_id}").check()
        expect(page.locator("[data-selected-count]")).to_have_text(str(selected))
    page.get_by_role("button", name="Approve 2 selected comments").click()
    expect(page.locator("#announcer")).to_have_text("2 comments kept, reports dismissed.")
    expect(page.locator("#cards .card")).to_have_count(0)


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
    expect(buttons).to_have_text(
        button_texts(comment_id, "Keep (dismiss reports) a", "Reject r", "Spam s", "Unpublish p")
    )

    page.keyboard.press("j")
    expect(card).to_be_focused()  # or "a" would be refused: no comment chosen
    page.keyboard.press("a")
    expect(page.locator("#announcer")).to_have_text(
        f"Comment #{comment_id} kept, reports dismissed."
    )
    expect(buttons).to_have_text(button_texts(comment_id, "Reject r", "Spam s", "Unpublish p"))
    expect(card.locator(".reports")).to_have_count(0)
    expect(card).to_be_focused()
    page.keyboard.press("a")
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{comment_id} is published: a does not apply now. "
        "It offers Reject (r), Spam (s), Unpublish (p)."
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


def test_a_key_pressed_outside_the_cards_decides_nothing_unseen(
    browser_page: Page, live: Live
) -> None:
    """With focus on a tab link, the card last chosen may be scrolled out of sight: r used to
    reject it all the same. Now it is refused, and j goes back to that card."""
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (unseen)", author_email=f"{uuid.uuid4().hex}@x.org")
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    card = page.locator(f"#comment-{held}")
    page.keyboard.press("j")
    expect(card).to_be_focused()
    page.get_by_role("link", name="Statistics").focus()

    page.keyboard.press("r")
    expect(page.get_by_role("alert")).to_have_text(
        "Focus is not on a comment: press j to go back to the one you chose."
    )
    expect(card.locator(".card-meta .status")).to_have_text("pending")
    page.keyboard.press("j")
    expect(card).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{held} rejected.")
