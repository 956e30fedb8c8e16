"""Banning and trusting authors from a card, and the bans page."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from comments.extensions import db
from comments.models import Ban, Comment, TrustedAuthor
from comments.services import accounts
from comments.services.moderation import authors
from tests.moderation_ui.conftest import (
    ABUSIVE,
    PASSWORD,
    PostComment,
    SignedIn,
    card_html,
    session_csrf,
    status_of,
)


def test_ban_and_trust_forms(app: Flask, signed_in: SignedIn, post_comment: PostComment) -> None:
    held = post_comment(body=ABUSIVE, author_email="troll@x.org")
    friend = post_comment(body=ABUSIVE + " friend", author_email="friend@x.org")
    client = signed_in("moderator")
    token = session_csrf(client)
    trusted = client.post(
        f"/moderation/comments/{friend}/trust", data={"csrf_token": token}, follow_redirects=True
    )
    assert "friend@x.org is now trusted" in trusted.text
    card = card_html(client.get("/moderation/").text, held)
    assert all(f'name="by" value="{by}"' in card for by in ("email_and_ip", "email", "ip"))
    banned = client.post(
        f"/moderation/comments/{held}/ban",
        data={"csrf_token": token, "reason": "abuse", "reject_comments": "1", "by": "email"},
        follow_redirects=True,
    )
    assert f"The author of comment #{held} is banned" in banned.text
    assert status_of(app, held) == "rejected"
    with app.app_context():
        ban = db.session.scalar(select(Ban))
        assert ban is not None and ban.email == "troll@x.org" and ban.reason == "abuse"
        assert ban.ip_hash is None  # by e-mail only, as chosen
        assert db.session.scalar(select(TrustedAuthor.email)) == "friend@x.org"
    history = client.get(f"/moderation/comments/{held}").text
    assert "pending → pending" in history and "<td>ban</td>" in history
    assert "<td>moderator</td>" in history


def test_a_trusted_authors_card_offers_to_stop_trusting(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    friend = post_comment(author_email="friend@x.org")
    client = signed_in("moderator")
    token = session_csrf(client)
    client.post(f"/moderation/comments/{friend}/trust", data={"csrf_token": token})
    card = card_html(client.get("/moderation/?status=published").text, friend)
    assert "Stop trusting author" in card and ">Trust author<span" not in card
    stopped = client.post(
        f"/moderation/comments/{friend}/untrust",
        data={"csrf_token": token, "next": "/moderation/?status=published"},
        follow_redirects=True,
    )
    assert "friend@x.org is no longer trusted." in stopped.text
    assert ">Trust author<span" in card_html(stopped.text, friend)
    with app.app_context():
        assert db.session.scalar(select(TrustedAuthor)) is None


def test_a_ban_form_warns_about_others_at_the_same_address_and_spares_them_by_default(
    app: Flask, signed_in: SignedIn
) -> None:
    def post(email: str, address: str) -> int:
        response = app.test_client().post(
            "/api/v1/comments",
            json={"thread": "/campus", "body": ABUSIVE, "author_email": email or ""},
            environ_base={"REMOTE_ADDR": address},
        )
        assert response.status_code == 201, response.get_json()
        return int(response.get_json()["id"])

    troll = post("troll@x.org", "198.51.100.5")
    post("student1@x.org", "198.51.100.5")
    post("student2@x.org", "198.51.100.5")
    post("", "198.51.100.5")  # no e-mail: one more author
    alone = post("alone@x.org", "203.0.113.77")
    client = signed_in("moderator")
    page = client.get("/moderation/?status=pending&thread=/campus").text
    card = card_html(page, troll)
    assert "3 comments by 3 other authors came from the same IP address" in card
    assert re.search(r'name="by" value="email"\s*checked', card)  # spares them by default
    quiet = card_html(page, alone)
    assert "came from the same IP address" not in quiet
    detail = client.get(f"/api/v1/moderation/comments/{troll}")
    assert detail.get_json()["author"]["shared_address"] == {"comments": 3, "authors": 3}


def test_the_bans_page_lists_bans_and_lifts_them(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE, author_email="troll@x.org")
    client = signed_in("moderator")
    token = session_csrf(client)
    ban = {"csrf_token": token, "reason": "abuse", "by": "email"}
    client.post(f"/moderation/comments/{held}/ban", data=ban)
    again = client.post(f"/moderation/comments/{held}/ban", data=ban, follow_redirects=True)
    assert f"The author of comment #{held} is already banned" in again.text

    page = client.get("/moderation/bans").text
    assert 'aria-current="page">Bans</a>' in page
    with app.app_context():
        [ban_id] = db.session.scalars(select(Ban.id)).all()  # banning twice made one ban
    row = page[page.index(f'id="ban-{ban_id}"') :]
    row = row[: row.index("</tr>")]
    assert "troll@x.org" in row and "abuse" in row and f"#{held}" in row
    lifted = client.post(
        f"/moderation/bans/{ban_id}/lift",
        data={"csrf_token": token, "next": "/moderation/bans"},
        follow_redirects=True,
    )
    assert f"Ban #{ban_id} is lifted" in lifted.text and "No live bans." in lifted.text
    assert post_comment(author_email="troll@x.org") and status_of(app, held + 1) == "published"
    history = client.get("/moderation/bans?lifted=1").text
    assert f'id="ban-{ban_id}"' in history and "Lifted" in history and "by moderator" in history
    twice = client.post(
        f"/moderation/bans/{ban_id}/lift", data={"csrf_token": token}, follow_redirects=True
    )
    assert "The ban was lifted already." in twice.text


def test_analysts_see_bans_without_a_lift_button(
    signed_in: SignedIn, post_comment: PostComment, app: Flask
) -> None:
    held = post_comment(body=ABUSIVE, author_email="troll@x.org")
    with app.app_context():
        comment = db.session.get(Comment, held)
        assert comment is not None
        admin = accounts.create_staff(db.session(), "root", "admin", PASSWORD, [])
        authors.ban_author(db.session(), comment, admin)
        db.session.commit()
    page = signed_in("analyst").get("/moderation/bans").text
    assert "troll@x.org" in page and "/lift" not in page  # listed, with no form to lift it


def test_a_banned_authors_card_offers_no_trust_and_the_form_is_refused(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE, author_email="troll@x.org")
    client = signed_in("moderator")
    token = session_csrf(client)
    assert ">Trust author<span" in card_html(client.get("/moderation/").text, held)
    client.post(f"/moderation/comments/{held}/ban", data={"csrf_token": token, "by": "email"})
    card = card_html(client.get("/moderation/").text, held)
    assert status_of(app, held) == "pending"  # not rejected: only the trust button goes
    assert ">Trust author<span" not in card and "Ban this author" in card
    refused = client.post(  # a page from before the ban still has the form
        f"/moderation/comments/{held}/trust", data={"csrf_token": token}, follow_redirects=True
    )
    assert "The author is banned: lift the ban before trusting them." in refused.text
    with app.app_context():
        assert db.session.scalar(select(TrustedAuthor)) is None


def test_after_a_trust_or_ban_form_every_card_of_the_author_shows_their_standing(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    """Without JavaScript the page after the redirect is drawn anew: every card of the author
    (the same e-mail address on the site) offers what their standing allows now, and says it."""
    first = post_comment(body=ABUSIVE + " one", author_email="twice@x.org")
    second = post_comment(body=ABUSIVE + " two", author_email="twice@x.org")
    other = post_comment(body=ABUSIVE + " other", author_email="other@x.org")
    client = signed_in("moderator")
    token = session_csrf(client)
    queue = "/moderation/?status=pending"

    def standing(page: str, comment_id: int) -> str:
        match = re.search(r'class="standing [\w-]+">([^<]*)<', card_html(page, comment_id))
        assert match, "no standing on the card"
        return match.group(1)

    page = client.get(queue).text
    assert {standing(page, i) for i in (first, second, other)} == {"—"}
    page = client.post(
        f"/moderation/comments/{first}/trust",
        data={"csrf_token": token, "next": queue},
        follow_redirects=True,
    ).text
    for comment_id in (first, second):
        assert ">Stop trusting author<span" in card_html(page, comment_id)
        assert standing(page, comment_id) == "trusted"
    assert ">Trust author<span" in card_html(page, other) and standing(page, other) == "—"

    page = client.post(
        f"/moderation/comments/{second}/ban",
        data={"csrf_token": token, "by": "email", "next": queue},
        follow_redirects=True,
    ).text
    for comment_id in (first, second):
        assert standing(page, comment_id) == "banned; trusted once the ban is lifted"
    assert ">Trust author<span" in card_html(page, other) and standing(page, other) == "—"
