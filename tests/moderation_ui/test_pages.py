"""The Pages section: a site's pages with whether each takes comments and why, and forms that
close a page, open it or let it follow the site's setting, without JavaScript."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from comments.extensions import db
from comments.models import Thread
from comments.services import sites
from tests.moderation_ui.conftest import (
    ABUSIVE,
    NICE,
    MakeStaff,
    PostComment,
    SignedIn,
    card_html,
    session_csrf,
    sign_in,
)

CLOSING = "/moderation/pages/default/closing"


def row_html(page: str, key: str) -> str:
    """One page's row of the table, so assertions cannot match a neighbour's."""
    start = page.index(f'<tr data-thread="{key}">')
    return html.unescape(page[start : page.index("</tr>", start)])


def stored(app: Flask) -> list[tuple[Any, ...]]:
    with app.app_context():
        rows = db.session.execute(
            select(Thread.key, Thread.closed, Thread.closed_changed_by).order_by(Thread.key)
        )
        return [tuple(row) for row in rows]


def choose(client: FlaskClient, key: str, choice: str, **extra: str) -> Any:
    data = {"csrf_token": session_csrf(client), "thread": key, "closed": choice, **extra}
    return client.post(CLOSING, data=data, follow_redirects=True)


def test_a_moderator_closes_a_page_and_readers_are_refused(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    post_comment(thread="/news", thread_title="Election night")
    post_comment(thread="/quiet", body="A kind word on a quiet page, nothing more.")
    with app.app_context():  # as `flask threads update --url` sets it
        db.session.execute(
            update(Thread).where(Thread.key == "/news").values(url="https://x.org/news")
        )
        db.session.commit()
    client = signed_in("moderator", name="maria")
    listing = client.get("/moderation/pages")
    assert listing.status_code == 200
    assert 'aria-current="page">Pages</a>' in listing.text
    row = row_html(listing.text, "/news")
    assert '<a href="https://x.org/news"' in row and "Election night" in row
    assert "Open" in row and "The site does not close pages" in row
    # Open already: its "Open" keeps it open whatever the site's limit, and says so.
    assert 'btn">Close<' in row and 'btn">Keep open<' in row and 'btn">Open<' not in row
    assert ">Follow site's setting<" not in row

    closed = choose(client, "/news", "close", next="/moderation/pages?site=default")
    assert closed.status_code == 200
    assert "“Election night” is closed: readers can no longer comment or reply." in html.unescape(
        closed.text
    )
    row = row_html(closed.text, "/news")
    assert "Closed by maria" in row and ">Close<" not in row and ">Open<" in row
    assert "Open" in row_html(closed.text, "/quiet")
    refused = app.test_client().post(
        "/api/v1/comments", json={"thread": "/news", "author_name": "Bo", "body": NICE}
    )
    assert refused.status_code == 409

    followed = choose(client, "/news", "follow_site")
    assert "“Election night” follows the site's setting again and is open now." in html.unescape(
        followed.text
    )
    assert stored(app)[0][:2] == ("/news", None)


def test_the_sites_limit_is_given_as_the_reason(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    post_comment(thread="/old", thread_title="Old post")
    with app.app_context():
        sites.update_site(db.session(), "default", {"close_after_days": 30})
        db.session.execute(update(Thread).values(created_at=datetime.now(UTC) - timedelta(days=40)))
        db.session.commit()
    client = signed_in("moderator")
    row = row_html(client.get("/moderation/pages").text, "/old")
    assert "Closed" in row and "Closed 30 days after its first comment" in row
    assert 'btn">Keep closed<' in row and 'btn">Open<' in row and 'btn">Close<' not in row
    kept = choose(client, "/old", "open")
    assert "“Old post” is open to comments and replies" in html.unescape(kept.text)
    assert "Kept open by moderator" in row_html(kept.text, "/old")
    assert "(even past the site's limit)" in row_html(kept.text, "/old")


def test_refused_forms_change_nothing_and_say_why(
    app: Flask, client: FlaskClient, signed_in: SignedIn, post_comment: PostComment
) -> None:
    post_comment(thread="/news")
    client = signed_in("moderator")
    before = stored(app)
    unknown = choose(client, "/nosuch", "close")
    assert "No thread '/nosuch' on this site. Nothing was changed." in html.unescape(unknown.text)
    wrong = choose(client, "/news", "lock")
    assert "Choose Close, Open or Follow site's setting; nothing was changed." in html.unescape(
        wrong.text
    )
    forged = client.post(CLOSING, data={"thread": "/news", "closed": "close"})
    assert forged.status_code == 403
    assert stored(app) == before


def test_a_forged_cursor_shows_the_first_page_and_says_so(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    post_comment(thread="/news")
    answer = signed_in("moderator").get("/moderation/pages?site=default&cursor=bm90IGl0")
    assert answer.status_code == 400
    assert "Not a cursor of this listing. Showing the first page." in answer.text
    assert '<tr data-thread="/news">' in answer.text


def test_analysts_see_the_pages_without_forms(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    post_comment(thread="/news")
    page = signed_in("analyst").get("/moderation/pages").text
    assert "/news" in page and "Open" in row_html(page, "/news")
    assert 'class="page-closing"' not in page


def test_the_site_picker_lists_only_the_sites_the_staff_member_sees(
    app: Flask, client: FlaskClient, make_staff: MakeStaff, post_comment: PostComment
) -> None:
    with app.app_context():
        sites.create_site(db.session(), "other", {}, by="cli")
        db.session.commit()
    post_comment(thread="/news")
    sign_in(client, make_staff("admin"))
    everything = client.get("/moderation/pages?site=other").text
    assert '<select id="pages-site" name="site">' in everything
    assert '<option value="other" selected>' in everything and "No pages yet" in everything
    local = app.test_client()
    sign_in(local, make_staff("moderator", "local", sites=("default",)))
    own = local.get("/moderation/pages").text
    assert 'id="pages-site"' not in own and "/news" in own
    assert local.get("/moderation/pages?site=other").status_code == 404


def test_a_queue_card_says_when_its_page_is_closed(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = post_comment(thread="/news", body=ABUSIVE)
    other = post_comment(thread="/other", body=ABUSIVE + " again")
    client = signed_in("moderator")
    choose(client, "/news", "close")
    queue = client.get("/moderation/").text
    assert "page closed" in card_html(queue, held)
    assert "page closed" not in card_html(queue, other)
