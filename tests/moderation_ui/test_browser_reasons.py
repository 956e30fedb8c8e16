"""A decision's reason typed on the card: Enter in it decides nothing (it used to press the
card's first button, Approve, publishing the comment being rejected), Esc goes back to the
card and the next key decides with the reason, which the comment's history shows. In the ban
dialog, Enter in the reason bans, as the dialog's "Ban author" does."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.moderation_ui.browsing import new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, PASSWORD, Live

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def _history_row(page: Page, live: Live, comment_id: int, action: str) -> Any:
    page.goto(live.url + f"/moderation/comments/{comment_id}")
    return page.locator("table tr", has=page.get_by_role("cell", name=action, exact=True))


def test_enter_in_the_reason_decides_nothing_and_esc_then_r_rejects_with_it(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (reason)", author_email=f"{uuid.uuid4().hex}@x.org")
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    card = page.locator(f"#comment-{held}")
    card.get_by_text("Reason and note").click()
    reason = card.get_by_label("Reason", exact=True)
    reason.fill("personal attack")
    reason.press("Enter")

    expect(page.locator("#announcer")).to_have_text(
        f"Comment #{held}: Enter does not decide. Press Esc, then a decision's key, "
        "or choose its button."
    )
    expect(card.locator(".card-meta .status")).to_have_text("pending")
    expect(reason).to_be_focused()

    page.keyboard.press("Escape")
    expect(card).to_be_focused()
    expect(reason).to_have_value("personal attack")
    page.keyboard.press("r")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{held} rejected.")

    row = _history_row(page, live, held, "reject")
    expect(row).to_contain_text("personal attack")
    expect(_history_row(page, live, held, "approve")).to_have_count(0)


def test_enter_in_the_ban_dialogs_reason_bans_as_its_button_does(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (ban on enter)", author_email=f"{uuid.uuid4().hex}@x.org")
    sign_in(page, live, f"/moderation/?status=pending&thread={thread}")
    page.locator("body").press("j")
    page.keyboard.press("b")
    dialog = page.get_by_role("dialog", name="Ban this author?")
    dialog.get_by_label("E-mail address only").check()  # spares the other tests' address
    reason = dialog.get_by_label("Reason for the ban")
    because = f"ban evasion {uuid.uuid4().hex[:8]}"
    reason.fill(because)
    reason.press("Enter")

    expect(dialog).to_be_hidden()
    expect(page.locator("#announcer")).to_contain_text(f"The author of comment #{held} is banned")
    page.goto(live.url + "/moderation/bans")
    expect(page.locator("tr", has_text=because)).to_have_count(1)


def test_without_script_enter_in_the_reason_decides_nothing(
    page_without_script: Page, live: Live
) -> None:
    page, thread = page_without_script, new_thread()
    held = post(live, thread, ABUSIVE + " (no js)", author_email=f"{uuid.uuid4().hex}@x.org")
    page.goto(live.url + f"/moderation/?status=pending&thread={thread}")
    page.get_by_label("Name").fill("mod")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    card = page.locator(f"#comment-{held}")
    card.get_by_text("Reason and note").click()
    card.get_by_label("Reason", exact=True).fill("personal attack")
    card.get_by_label("Reason", exact=True).press("Enter")
    page.wait_for_load_state()

    expect(card.locator(".card-meta .status")).to_have_text("pending")
    expect(_history_row(page, live, held, "approve")).to_have_count(0)


def test_a_card_that_stays_after_a_decision_does_not_reuse_its_reason_and_note(
    browser_page: Page, live: Live
) -> None:
    """Keeping a reported comment leaves its card in the Published tab: what was typed for
    the keep is recorded on it, and not on the card's next decision too."""
    page, thread = browser_page, new_thread()
    kept = post(live, thread, "A calm comment (kept)", author_email=f"{uuid.uuid4().hex}@x.org")
    live.post(f"/api/v1/comments/{kept}/reports", {"reason": "abusive"})
    sign_in(page, live, f"/moderation/?status=published&thread={thread}")
    card = page.locator(f"#comment-{kept}")
    card.get_by_text("Reason and note").click()
    reason = card.get_by_label("Reason", exact=True)
    note = card.get_by_label("Note for other moderators")
    reason.fill("within policy")
    note.fill("the report was a disagreement")
    note.press("Escape")
    page.keyboard.press("a")
    expect(page.locator("#announcer")).to_have_text(f"Comment #{kept} kept, reports dismissed.")
    expect(reason).to_have_value("")
    expect(note).to_have_value("")

    page.keyboard.press("p")
    expect(page.locator("#announcer")).to_have_text(
        f"Comment #{kept} unpublished, back to pending."
    )
    expect(_history_row(page, live, kept, "approve")).to_contain_text("within policy")
    restore = _history_row(page, live, kept, "restore")
    expect(restore).to_have_count(1)
    expect(restore).not_to_contain_text("within policy")
    expect(restore).not_to_contain_text("the report was a disagreement")
