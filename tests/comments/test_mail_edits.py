"""Mails about a comment its author edits: an edit that publishes a held reply for the first
time mails it like a moderator's approve, one that holds a published comment mails the
moderators like a comment held when posted, and a mail still queued (an SMTP outage, retries)
quotes the text the comment shows now, not the one the edit replaced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import OutboxMail
from comments.services.mail import digests
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.comments.smtp_server import SmtpServer, body_of, mail_config, send_queued
from tests.comments.test_mail_erasure import moderator as notified_moderator
from tests.comments.test_mail_takedowns import decide, subscribe_ann

REWORDED = "On reflection: " + NICE
REWORDED_AGAIN = "Second thoughts, sorry. " + NICE


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp)


def post(post_comment: PostComment, name: str, body: str, **fields: Any) -> dict[str, Any]:
    """A comment with its edit token."""
    response = post_comment(
        author_name=name, author_email=f"{name.lower()}@example.org", body=body, **fields
    )
    assert response.status_code in (201, 202), response.get_json()
    posted: dict[str, Any] = response.get_json()
    return posted


def edit(client: FlaskClient, comment: dict[str, Any], body: str) -> str:
    edited = client.patch(
        f"/api/v1/comments/{comment['id']}",
        json={"body": body},
        headers={"X-Edit-Token": comment["edit_token"]},
    )
    assert edited.status_code == 200, edited.get_json()
    status: str = edited.get_json()["status"]
    return status


def pending(app: Flask) -> list[tuple[str, str, str]]:
    """(kind, recipient, text) of every mail not sent yet, oldest first."""
    with app.app_context():
        query = select(OutboxMail).where(OutboxMail.status == "pending").order_by(OutboxMail.id)
        return [(m.kind, m.to_address, m.text) for m in db.session.scalars(query)]


def delivered(app: Flask, smtp: SmtpServer) -> list[tuple[str, str]]:
    """(recipient, plain-text body) of every mail the sender sends now."""
    send_queued(app)
    return [(mail["To"], body_of(mail)) for mail in smtp.inbox.take()]


def confirm(app: Flask, client: FlaskClient, smtp: SmtpServer) -> None:
    send_queued(app)
    [confirmation] = smtp.inbox.take()
    [url] = [w for w in body_of(confirmation).split() if "/mail/confirm" in w]
    assert client.post(url.removeprefix("https://comments.example")).status_code == 200


def test_a_held_reply_its_author_edits_into_publication_is_mailed_as_on_approval(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    """Ann hears of the reply; its author, who just saw it published, gets no "published"
    mail."""
    ann = subscribe_ann(app, client, post_comment, smtp)
    bob = post(post_comment, "Bob", ABUSIVE, parent_id=ann, notify_replies=True)
    assert bob["status"] == "pending"
    confirm(app, client, smtp)

    assert edit(client, bob, REWORDED) == "published"

    [(to, body)] = delivered(app, smtp)
    assert to == "ann@example.org"
    assert "On reflection" in body and "idiot" not in body


def test_a_moderators_notice_is_withdrawn_when_an_edit_publishes_the_comment(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    notified_moderator(app, "maria", "immediate")
    bob = post(post_comment, "Bob", ABUSIVE)
    assert [(kind, to) for kind, to, _ in pending(app)] == [("moderation", "maria@example.org")]

    assert edit(client, bob, REWORDED) == "published"

    assert delivered(app, smtp) == []


def test_a_reply_published_held_by_an_edit_and_edited_back_is_not_mailed_again(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    ann = subscribe_ann(app, client, post_comment, smtp)
    bob = post(post_comment, "Bob", NICE, parent_id=ann)
    assert [to for to, _ in delivered(app, smtp)] == ["ann@example.org"]

    assert edit(client, bob, ABUSIVE) == "pending"
    assert edit(client, bob, REWORDED) == "published"

    assert delivered(app, smtp) == []


def test_a_queued_reply_mail_quotes_the_text_of_an_edit_that_keeps_it_published(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    ann = subscribe_ann(app, client, post_comment, smtp)
    bob = post(post_comment, "Bob", NICE, parent_id=ann)
    [(kind, to, text)] = pending(app)
    assert (kind, to) == ("reply", "ann@example.org") and "alliance" in text

    assert edit(client, bob, REWORDED) == "published"
    assert edit(client, bob, REWORDED_AGAIN) == "published"

    sent = delivered(app, smtp)
    assert [to for to, _ in sent] == ["ann@example.org"], "one mail, not one per edit"
    assert "Second thoughts" in sent[0][1] and "On reflection" not in sent[0][1]


def test_a_queued_published_notice_quotes_the_text_of_an_edit_that_keeps_it_published(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    smtp: SmtpServer,
    staff_headers: StaffToken,
) -> None:
    bob = post(post_comment, "Bob", ABUSIVE, notify_replies=True)
    confirm(app, client, smtp)
    assert decide(client, staff_headers("moderator"), bob["id"], "approve") == "published"

    assert edit(client, bob, REWORDED) == "published"

    [(to, body)] = delivered(app, smtp)
    assert to == "bob@example.org"
    assert "On reflection" in body and "has been published" in body


def test_a_queued_moderators_notice_quotes_the_text_of_an_edit_that_keeps_it_held(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    notified_moderator(app, "maria", "immediate")
    bob = post(post_comment, "Bob", ABUSIVE)
    assert [(kind, to) for kind, to, _ in pending(app)] == [("moderation", "maria@example.org")]

    assert edit(client, bob, "Shut up, you moron, nobody asked for your stupid opinion") == (
        "pending"
    )

    [(to, body)] = delivered(app, smtp)
    assert to == "maria@example.org"
    assert "nobody asked" in body and "piece of shit" not in body


def test_a_queued_reported_notice_quotes_the_text_of_an_edit_that_keeps_it_published(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    notified_moderator(app, "maria", "immediate")
    bob = post(post_comment, "Bob", NICE)
    reported = client.post(f"/api/v1/comments/{bob['id']}/reports", json={"reason": "spam"})
    assert reported.status_code in (200, 201), reported.get_json()

    assert edit(client, bob, REWORDED) == "published"

    [(to, body)] = delivered(app, smtp)
    assert to == "maria@example.org"
    assert "(reported)" in body and "On reflection" in body


def test_a_published_comment_an_edit_holds_is_mailed_to_moderators_as_a_held_one(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    """It waits for them now, as if posted held: immediate mail only, quoting the new text."""
    notified_moderator(app, "maria", "immediate")
    notified_moderator(app, "hugo", "hourly")
    bob = post(post_comment, "Bob", NICE)
    assert bob["status"] == "published" and pending(app) == []

    assert edit(client, bob, ABUSIVE) == "pending"

    [(to, body)] = delivered(app, smtp)
    assert to == "maria@example.org"
    assert "(held)" in body and "piece of shit" in body and "alliance" not in body


def test_a_reported_comment_an_edit_holds_is_mailed_once_to_each_moderator(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    """The queued "reported" notices give way to the "held" one, not one of each."""
    notified_moderator(app, "maria", "immediate")
    notified_moderator(app, "mike", "immediate")
    bob = post(post_comment, "Bob", NICE)
    reported = client.post(f"/api/v1/comments/{bob['id']}/reports", json={"reason": "spam"})
    assert reported.status_code in (200, 201), reported.get_json()
    assert sorted(to for _, to, _ in pending(app)) == ["maria@example.org", "mike@example.org"]

    assert edit(client, bob, ABUSIVE) == "pending"

    sent = delivered(app, smtp)
    assert sorted(to for to, _ in sent) == ["maria@example.org", "mike@example.org"]
    assert all("(held)" in body and "(reported)" not in body for _, body in sent)


def test_a_comment_an_edit_held_and_its_author_edits_again_is_mailed_once(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    notified_moderator(app, "maria", "immediate")
    bob = post(post_comment, "Bob", NICE)

    assert edit(client, bob, ABUSIVE) == "pending"
    assert edit(client, bob, "Shut up, you moron, nobody asked for your stupid opinion") == (
        "pending"
    )

    [(to, body)] = delivered(app, smtp)
    assert to == "maria@example.org"
    assert "nobody asked" in body and "piece of shit" not in body


def test_a_spam_comment_an_edit_holds_is_mailed_to_moderators_as_a_held_one(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    """The filter's spam waits for nobody; held by its author's edit, it waits from then on."""
    notified_moderator(app, "maria", "immediate")
    spam = post(post_comment, "Bob", NICE, honeypot="https://cheap.example")
    assert pending(app) == [], "spam is not mailed"

    assert edit(client, spam, ABUSIVE) == "pending"

    [(to, body)] = delivered(app, smtp)
    assert to == "maria@example.org"
    assert "(held)" in body and "piece of shit" in body


def digest_now(app: Flask, smtp: SmtpServer, now: datetime) -> str | None:
    """The text of the digest due at ``now``, if one was queued."""
    with app.app_context():
        queued = digests.send_due(db.session(), now=now)
    send_queued(app)
    mails = smtp.inbox.take()
    assert len(mails) == queued
    return body_of(mails[0]) if mails else None


def test_a_comment_an_edit_holds_is_listed_in_the_next_digest_once(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    """Posted published before the period, it started waiting at the edit; an edit that
    keeps it held is not news."""
    notified_moderator(app, "hugo", "hourly", since=datetime.now(UTC) - timedelta(hours=2))
    bob = post(post_comment, "Bob", NICE)
    ann = post(post_comment, "Ann", ABUSIVE + "!")
    start = datetime.now(UTC)
    assert f"#{ann['id']} " in (digest_now(app, smtp, start) or "")

    assert edit(client, bob, ABUSIVE) == "pending"
    assert edit(client, ann, ABUSIVE + "!!") == "pending"

    text = digest_now(app, smtp, start + timedelta(hours=1))
    assert text is not None and f"#{bob['id']} " in text and f"#{ann['id']} " not in text
    assert "piece of shit" in text
    assert digest_now(app, smtp, start + timedelta(hours=2)) is None
