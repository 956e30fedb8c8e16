"""Taking comments out of the spam folder by key, restoring several at once, and unpublishing
a wrongly approved comment by key, one or the selection (Chromium)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import button_of, button_texts, count, new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, NICE, Live, painted

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def email() -> str:
    """An address of its own, so no other test's comments count as this author's history."""
    return f"{uuid.uuid4().hex[:12]}@x.org"


def test_n_takes_a_comment_out_of_spam_where_the_card_offers_it(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    filed = post(live, thread, NICE + " (honeypot)", honeypot="x", author_email=email())
    held = post(live, thread, ABUSIVE + " (not spam key)", author_email=email())
    sign_in(page, live, f"/moderation/?status=spam&thread={thread}")
    card = page.locator(f"#comment-{filed}")
    not_spam = button_of(card, filed, "Not spam")
    expect(not_spam).to_have_attribute("aria-keyshortcuts", "n")
    expect(not_spam.locator("kbd")).to_have_text("n")

    page.keyboard.press("j")
    page.keyboard.press("n")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{filed} marked as not spam.")
    expect(card).to_have_count(0)
    page.goto(live.url + f"/moderation/?status=published&thread={thread}")
    expect(page.locator(f"#comment-{filed} .card-meta .status")).to_have_text("published")

    # A held comment is no spam to take out: the key is refused, and nothing is sent.
    page.goto(live.url + f"/moderation/?status=pending&thread={thread}")
    painted(page)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.keyboard.press("j")
    page.keyboard.press("n")
    expect(page.get_by_role("alert")).to_have_text(
        f"Comment #{held} is pending: n does not apply now. "
        "It offers Approve (a), Reject (r), Spam (s)."
    )
    assert sent == []
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
        "Mark the focused comment as not spam"
    )


def test_shift_p_restores_the_selection_but_not_a_comment_decided_meanwhile(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, f"{ABUSIVE} [restore {n}]", author_email=email()) for n in range(3)]
    path = f"/moderation/?status=pending&sort=oldest&thread={thread}"
    sign_in(page, live, path)
    for _ in ids:
        page.keyboard.press("j")
        page.keyboard.press("x")
    expect(page.locator('#bulk button[value="restore"]')).to_have_count(0)
    page.keyboard.press("Shift+P")  # nothing here to restore: said, not sent
    expect(page.get_by_role("alert")).to_have_text("Shift+P does nothing to the selection.")
    page.keyboard.press("Shift+R")
    expect(page.locator("#announcer")).to_have_text("3 comments rejected.")

    page.goto(live.url + path.replace("pending", "rejected"))
    painted(page)
    restore = page.locator('#bulk button[value="restore"]')
    expect(restore).to_have_accessible_name("Restore 0 selected comments")
    expect(restore).to_have_attribute("aria-keyshortcuts", "Shift+P")
    restored_before = count(page, "pending")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    # Another moderator approves the first meanwhile: its Restore would undo that unseen.
    other = page.context.new_page()
    other.goto(live.url + path.replace("pending", "rejected"))
    button_of(other.locator(f"#comment-{ids[0]}"), ids[0], "Approve").click()
    expect(other.locator("#announcer")).to_have_text(f"Comment #{ids[0]} approved.")
    other.close()

    page.keyboard.press("Shift+P")
    expect(page.get_by_role("alert")).to_have_text(
        f"1 comment restored to pending. #{ids[0]}: The comment is published now: mod decided "
        "it since you loaded it. Nothing was changed."
    )
    expect(page.locator(f"#comment-{ids[1]}")).to_have_count(0)
    kept = page.locator(f"#comment-{ids[0]}")
    expect(kept.locator(".card-meta .status")).to_have_text("published")
    expect(page.locator(f"#comment-{ids[2]}")).to_be_visible()  # not selected, not restored
    expect(page.locator('[data-count="pending"]')).to_have_text(str(restored_before + 1))

    # The button does what the key does. The card still selected now shows the comment
    # published, offering Unpublish: the next decision is about that, as a single one would
    # be, and says so apart from the restored one.
    page.locator(f"#comment-{ids[2]}").get_by_role("checkbox").check()
    restore.click()
    expect(page.locator("#announcer")).to_have_text(
        "1 comment restored to pending; 1 comment unpublished, back to pending."
    )
    expect(page.locator(f"#comment-{ids[2]}")).to_have_count(0)
    expect(kept).to_have_count(0)
    page.goto(live.url + path)
    expect(page.locator("#cards .card")).to_have_count(3)


def test_p_unpublishes_a_published_comment_and_shift_p_the_selection(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    ids = [post(live, thread, f"{NICE} [unpublish {n}]", author_email=email()) for n in range(3)]
    path = f"/moderation/?status=published&sort=oldest&thread={thread}"
    sign_in(page, live, path)
    first = page.locator(f"#comment-{ids[0]}")
    expect(first.locator("form.decide .buttons button")).to_have_text(
        button_texts(ids[0], "Reject r", "Spam s", "Unpublish p")
    )
    unpublish = button_of(first, ids[0], "Unpublish")
    expect(unpublish).to_have_attribute("aria-keyshortcuts", "p")
    bulk = page.locator('#bulk button[value="restore"]')
    expect(bulk).to_have_accessible_name("Unpublish 0 selected comments")
    expect(bulk).to_have_attribute("aria-keyshortcuts", "Shift+P")
    pending, published = count(page, "pending"), count(page, "published")

    page.keyboard.press("j")
    page.keyboard.press("p")
    expect(page.locator("#announcer")).to_have_text(
        f"Comment #{ids[0]} unpublished, back to pending."
    )
    expect(first).to_have_count(0)
    expect(page.locator('[data-count="pending"]')).to_have_text(str(pending + 1))
    expect(page.locator('[data-count="published"]')).to_have_text(str(published - 1))

    for _ in ids[1:]:
        page.keyboard.press("x")
        page.keyboard.press("j")
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    page.keyboard.press("Shift+P")
    expect(page.locator("#announcer")).to_have_text("2 comments unpublished, back to pending.")
    expect(page.locator("#cards .card")).to_have_count(0)
    expect(page.locator('[data-count="pending"]')).to_have_text(str(pending + 3))

    page.goto(live.url + path.replace("published", "pending"))
    cards = page.locator("#cards .card")
    expect(cards).to_have_count(3)
    expect(cards.locator(".card-meta .status")).to_have_text(["pending"] * 3)
    expect(cards.first.locator("form.decide .buttons button")).to_have_text(
        button_texts(ids[0], "Approve a", "Reject r", "Spam s")
    )
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
        "or unpublish it (published)"
    )


def test_p_in_the_reported_queue_keeps_the_card_with_its_reports(
    browser_page: Page, live: Live
) -> None:
    """Unpublishing resolves no report (the moderator who decides it sees them), so the
    comment stays in the Reported queue: its card stays too, pending, as the tab counts it."""
    page, thread = browser_page, new_thread()
    comment_id = post(live, thread, f"{NICE} [reported unpublish]", author_email=email())
    live.post(f"/api/v1/comments/{comment_id}/reports", {"reason": "abusive", "text": "rude"})
    sign_in(page, live, f"/moderation/?status=reported&thread={thread}")
    card = page.locator(f"#comment-{comment_id}")
    expect(page.locator('[data-count="reported"]')).to_have_text("1")

    page.keyboard.press("j")
    page.keyboard.press("p")
    expect(page.locator("#announcer")).to_have_text(
        f"Comment #{comment_id} unpublished, back to pending."
    )
    expect(card.locator(".card-meta .status")).to_have_text("pending")
    expect(card.locator(".reports")).to_contain_text("Abusive: rude")
    expect(card.locator("form.decide .buttons button")).to_have_text(
        button_texts(comment_id, "Approve a", "Reject r", "Spam s")
    )
    expect(page.locator('[data-count="reported"]')).to_have_text("1")
    expect(page.locator("#queue-empty")).to_be_hidden()
