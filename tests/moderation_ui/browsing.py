"""What the moderation UI's browser tests share: their own threads, posting, signing in."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.moderation_ui.conftest import PASSWORD, Live, painted


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


def button_of(
    within: Page | Locator, comment_id: object, words: str, author: str = "Reader"
) -> Locator:
    """A card's button by its whole accessible name: its words, then the comment it acts on
    ("Approve comment #12 by Reader"; "Trust author of comment #12 by Reader")."""
    return within.get_by_role(
        "button", name=f"{words} comment #{comment_id} by {author}", exact=True
    )


def button_texts(comment_id: object, *shown: str, author: str = "Reader") -> list[str]:
    """The text of a card's decision buttons, each given as shown ("Approve a"): its word, the
    visually hidden words naming the comment, then its key."""
    words_and_keys = (label.rsplit(" ", 1) for label in shown)
    return [f"{word} comment #{comment_id} by {author} {key}" for word, key in words_and_keys]
