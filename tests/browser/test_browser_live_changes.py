"""Live updates of comments already on an open page: one its author edits shows its new words
in place, one a moderator takes down or a privacy erasure deletes becomes "This comment was
removed." (and stops being offered behind "Show N new comments"), also once the thread's
tombstones were pruned, and the reader's own comment held by their edit stays shown to them as
awaiting moderation; an edit saved in another tab is what the editor starts from.

End to end with the real API, on a page of another origin checking every fraction of a second
(data-live-interval), as test_browser_live_updates.py does; others edit through the API and a
moderator decides through the moderation API, from this process. The widget's side, with the
API answered by the test, is in test_browser_widget_live.py.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from browser_support import Blog, Decide, PageIssues, Widget
from playwright.sync_api import BrowserContext, Page, expect

from comments.extensions import db
from comments.network import ip_hash_keys
from comments.services import tombstones
from comments.services.privacy.erase import erase_address

pytestmark = pytest.mark.browser

TOP = "The opening comment, which the others answer or follow."
ANSWER = "An early answer to the opening comment, loaded with the page."
HASTY = "A hasty first version of a comment, soon to be edited."
EDITED = "The same comment, edited by its author once the page was open."
LATER = "A comment posted while the page was open, then taken down."
KEPT = "Another comment posted while the page was open, which stays up."
ABUSE = "You are a fucking idiot and a moron, shut up you stupid piece of shit"


def edit(blog: Blog, comment: dict[str, Any], body: str) -> None:
    """Its author's edit, with the edit token of its POST answer."""
    response = blog.live_app.test_client().patch(
        f"/api/v1/comments/{comment['id']}",
        json={"body": body},
        headers={"X-Edit-Token": comment["edit_token"]},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "published"


def test_a_comment_edited_while_the_page_is_open_shows_its_new_words(
    page: Page, widget: Widget, blog: Blog
) -> None:
    blog.post(TOP, name="Ann")
    hasty = blog.publish(HASTY, name="Bob")
    page.goto(blog.url(live_interval="0.3"))
    expect(widget.count).to_have_text("2 Comments")
    reply = widget.comment(TOP).get_by_role("button", name=re.compile("^Reply"))
    reply.focus()

    edit(blog, hasty, EDITED)
    card = page.locator(f'[data-id="{hasty["id"]}"] > .cw-card')
    expect(card.locator(".cw-body")).to_have_text(EDITED)
    # In place: nothing new is offered, nothing moved, focus where the reader left it.
    expect(widget.root.get_by_role("button", name=re.compile("new comment"))).to_be_hidden()
    expect(widget.count).to_have_text("2 Comments")
    expect(reply).to_be_focused()
    expect(card).to_have_accessible_name(re.compile(r"^Bob "))
    expect(widget.comment(HASTY)).to_have_count(0)


@pytest.mark.parametrize("action", ["reject", "restore"])  # restore: unpublished to pending
def test_a_comment_a_moderator_takes_down_becomes_a_placeholder_and_is_not_counted(
    page: Page, widget: Widget, blog: Blog, decide: Decide, action: str
) -> None:
    top = blog.post(TOP, name="Ann")
    answer = blog.post(ANSWER, parent_id=top)
    page.goto(blog.url(live_interval="0.3"))
    expect(widget.count).to_have_text("2 Comments")
    # The reader is on the comment's Report button when it is taken down.
    widget.comment(TOP).get_by_role("button", name=re.compile("^Report")).first.focus()

    decide(top, action)
    placeholder = page.locator(f'[data-id="{top}"] > .cw-card')
    expect(placeholder).to_have_text("This comment was removed.")
    expect(placeholder).to_be_focused()  # not dropped to the top of the page
    expect(widget.count).to_have_text("1 Comment")
    expect(widget.comment(TOP)).to_have_count(0)
    # Its answer stays in its place, under where it was.
    expect(page.locator(f'[data-id="{top}"] > .cw-replies > #comment-{answer}')).to_have_count(1)
    page.wait_for_timeout(1000)  # later checks list it again: taken away once
    expect(widget.count).to_have_text("1 Comment")
    expect(page.locator(".cw-removed")).to_have_count(1)


def test_a_comment_waiting_behind_the_button_and_then_rejected_is_no_longer_offered(
    page: Page, widget: Widget, blog: Blog, decide: Decide
) -> None:
    blog.post(TOP, name="Ann")
    page.goto(blog.url(live_interval="0.3"))
    expect(widget.count).to_have_text("1 Comment")
    later = blog.post(LATER, name="Cleo")
    blog.post(KEPT, name="Dev")
    expect(widget.root.get_by_role("button", name="Show 2 new comments")).to_be_visible()

    decide(later, "reject")
    button = widget.root.get_by_role("button", name="Show 1 new comment")
    expect(button).to_be_visible()
    expect(widget.root.get_by_role("status").filter(has_text="new comment")).to_have_text(
        "1 new comment."
    )
    button.click()
    expect(widget.count).to_have_text("2 Comments")
    expect(widget.comment(KEPT).get_by_role("article")).to_be_focused()
    expect(widget.comment(LATER)).to_have_count(0)
    expect(page.locator(".cw-removed")).to_have_count(0)

    # The only one waiting goes: so does the button, and focus on it goes to the count.
    again = blog.post(LATER + " Posted again.", name="Cleo")
    expect(button).to_be_visible()
    button.focus()
    decide(again, "spam")
    expect(button).to_be_hidden()
    expect(widget.count).to_be_focused()
    expect(widget.count).to_have_text("2 Comments")


def test_the_readers_own_comment_held_by_their_edit_stays_shown_to_them_as_held(
    page: Page, widget: Widget, blog: Blog
) -> None:
    blog.post(TOP, name="Ann")
    page.goto(blog.url(live_interval="0.3"))
    widget.post(HASTY, name="Eve")
    expect(widget.status).to_have_text("Your comment has been published.")
    expect(widget.count).to_have_text("2 Comments")
    mine = widget.comment(HASTY)
    mine.get_by_role("button", name="Edit").click()
    mine.get_by_role("textbox", name="Edit your comment").fill(ABUSE)
    mine.get_by_role("button", name="Save").click()
    mine = widget.comment(ABUSE)
    expect(mine.locator(".cw-notice")).to_contain_text("awaiting moderation")
    expect(widget.count).to_have_text("1 Comment")

    page.wait_for_timeout(1500)  # checks list it as withdrawn: it is the reader's, held
    expect(mine.locator(".cw-notice")).to_contain_text("awaiting moderation")
    expect(mine.locator(".cw-body")).to_have_text(ABUSE)
    expect(page.locator(".cw-removed")).to_have_count(0)
    expect(widget.count).to_have_text("1 Comment")


def publish_as(blog: Blog, body: str, email: str, parent_id: int | None = None) -> int:
    """A comment by an author with an address (to erase), published at once."""
    response = blog.live_app.test_client().post(
        "/api/v1/comments",
        json={
            "site": blog.site,
            "thread": blog.thread,
            "body": body,
            "author_name": "Fay",
            "author_email": email,
            "parent_id": parent_id,
        },
    )
    assert response.status_code == 201 and response.get_json()["status"] == "published"
    return int(response.get_json()["id"])


def test_comments_erased_while_the_page_is_open_are_removed_or_left_as_deleted(
    page: Page, widget: Widget, blog: Blog
) -> None:
    email = f"fay-{uuid.uuid4().hex[:8]}@example.org"
    top = blog.post(TOP, name="Ann")
    erased = publish_as(blog, LATER, email)
    answered = publish_as(blog, HASTY, email)
    blog.post(ANSWER, parent_id=answered)
    page.goto(blog.url(live_interval="0.3"))
    expect(widget.count).to_have_text("4 Comments")

    done = blog.live_app.test_cli_runner().invoke(
        args=["privacy", "erase", email, "--mode", "remove", "--yes"]
    )
    assert done.exit_code == 0, done.output
    expect(page.locator(f'[data-id="{erased}"] > .cw-card')).to_have_text(
        "This comment was removed."
    )
    expect(widget.count).to_have_text("3 Comments")
    # The one others answered stays, anonymous, as "[deleted]", its answer under it.
    kept = page.locator(f'[data-id="{answered}"] > .cw-card')
    expect(kept.locator(".cw-body")).to_have_text("[deleted]")
    expect(kept.locator(".cw-author")).to_have_text("Anonymous")
    expect(page.locator(f'[data-id="{answered}"] > .cw-replies .cw-card')).to_contain_text(ANSWER)
    expect(page.locator(f"#comment-{top}")).to_have_count(1)


def test_a_comment_posted_after_the_newest_one_was_erased_is_offered_and_shown(
    page: Page, widget: Widget, blog: Blog
) -> None:
    """Before migration 0023, SQLite gave it the erased comment's id: the page took it for the
    one it had, and the tombstone's id in ``withdrawn`` then hid it until a reload."""
    email = f"fay-{uuid.uuid4().hex[:8]}@example.org"
    blog.post(TOP, name="Ann")
    erased = publish_as(blog, LATER, email)
    page.goto(blog.url(live_interval="0.3"))
    expect(widget.count).to_have_text("2 Comments")

    done = blog.live_app.test_cli_runner().invoke(
        args=["privacy", "erase", email, "--mode", "remove", "--yes"]
    )
    assert done.exit_code == 0, done.output
    removed = page.locator(f'[data-id="{erased}"] > .cw-card')
    expect(removed).to_have_text("This comment was removed.")
    posted = blog.post(KEPT, name="Dev")
    assert posted > erased
    widget.root.get_by_role("button", name="Show 1 new comment").click()
    expect(widget.comment(KEPT).get_by_role("article")).to_be_focused()
    expect(widget.count).to_have_text("2 Comments")
    expect(removed).to_have_text("This comment was removed.")


def test_a_page_older_than_the_pruned_tombstones_still_takes_an_erased_comment_down(
    page: Page, page_issues: PageIssues, widget: Widget, blog: Blog
) -> None:
    """Erased, and its tombstone pruned before the page checked again (a tab hidden for
    weeks): the server answers 410 and the page reads the thread anew."""
    page_issues.expected_statuses.add(410)
    email = f"fay-{uuid.uuid4().hex[:8]}@example.org"
    blog.post(TOP, name="Ann")
    erased = publish_as(blog, LATER, email)
    page.goto(blog.url(live_interval="0.3"))
    expect(widget.count).to_have_text("2 Comments")

    app = blog.live_app
    with app.app_context():  # one transaction: no check comes between the two
        now = datetime.now(UTC)
        erase_address(db.session(), email, ip_hash_keys(app.config), now, mode="remove")
        tombstones.prune(db.session(), now + timedelta(days=tombstones.TOMBSTONE_DAYS + 1))
        db.session.commit()
    expect(page.locator(f'[data-id="{erased}"] > .cw-card')).to_have_text(
        "This comment was removed."
    )
    expect(widget.count).to_have_text("1 Comment")
    expect(widget.comment(TOP)).to_have_count(1)


def test_an_edit_saved_in_another_tab_is_what_the_editor_starts_from(
    context: BrowserContext, page: Page, widget: Widget, blog: Blog
) -> None:
    url = blog.url(live_interval="0.3")
    page.goto(url)
    widget.post(HASTY, name="Eve")
    expect(widget.status).to_have_text("Your comment has been published.")
    own_id = widget.comment(HASTY).get_attribute("data-id")
    mine = page.locator(f'[data-id="{own_id}"]')
    mine.get_by_role("button", name="Edit").click()
    box = mine.get_by_role("textbox", name="Edit your comment")
    expect(box).to_have_value(HASTY)  # open here, not typed in yet

    other = context.new_page()
    other.goto(url)
    elsewhere = other.locator(f'[data-id="{own_id}"]')
    elsewhere.get_by_role("button", name="Edit").click()
    elsewhere.get_by_role("textbox", name="Edit your comment").fill(EDITED + " **Really.**")
    elsewhere.get_by_role("button", name="Save").click()
    expect(Widget(other).comment(EDITED)).to_have_count(1)

    expect(box).to_have_value(EDITED + " **Really.**")  # the raw text, Markdown and all
    mine.get_by_role("button", name="Cancel").click()
    expect(mine.locator(":scope > .cw-card > .cw-body")).to_have_text(EDITED + " Really.")
    mine.get_by_role("button", name="Edit").click()
    expect(box).to_have_value(EDITED + " **Really.**")

    # Typed in here meanwhile: the reader's words stay, and saving is said to replace.
    box.fill("My own second thoughts, typed here.")
    elsewhere.get_by_role("button", name="Edit").click()
    elsewhere.get_by_role("textbox", name="Edit your comment").fill(KEPT)
    elsewhere.get_by_role("button", name="Save").click()
    expect(mine.locator(".cw-edit-status")).to_have_text(
        "This comment was edited in another tab: saving replaces that edit with yours."
    )
    expect(box).to_have_value("My own second thoughts, typed here.")
