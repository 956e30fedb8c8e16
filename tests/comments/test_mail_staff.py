"""E-mail to moderators: immediate mails with signed links that still need sign-in, digests
that list each waiting item once, and the settings that choose between them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import OutboxMail, Staff
from comments.services import accounts
from comments.services.mail import digests, outbox
from comments.services.mail.preferences import update_preferences
from tests.comments.conftest import ABUSIVE, NICE, PostComment
from tests.comments.smtp_server import SmtpServer, body_of, mail_config, send_queued
from tests.moderation_ui.conftest import PASSWORD, csrf_from, sign_in

STAFF_LINK = re.compile(r"https://comments\.example(/moderation/open\?token=[\w.-]+)")


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp)


def make_staff(app: Flask, name: str, role: str = "moderator", sites: tuple[str, ...] = ()) -> None:
    with app.app_context():
        accounts.create_staff(db.session(), name, role, PASSWORD, list(sites))
        db.session.commit()


def held_comment(post_comment: PostComment, body: str = ABUSIVE) -> int:
    response = post_comment(body=body, author_email="troll@example.org")
    assert response.get_json()["status"] == "pending", response.get_json()
    comment_id: int = response.get_json()["id"]
    return comment_id


def test_immediate_mail_links_to_the_item_after_sign_in_and_refuses_tampering(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment, smtp: SmtpServer
) -> None:
    make_staff(app, "maria")
    make_staff(app, "olga", sites=("default",))
    result = runner.invoke(
        args=["users", "update", "maria", "--email", "Maria@Example.org", "--notify", "immediate"]
    )
    assert result.exit_code == 0, result.output
    assert "maria@example.org, notify immediate" in result.output
    bad = runner.invoke(args=["users", "update", "maria", "--email", "not an address"])
    assert bad.exit_code != 0 and "email" in bad.output

    assert post_comment(body=NICE).get_json()["status"] == "published"
    send_queued(app)
    assert smtp.inbox.take() == [], "published comments wait for nobody"
    comment = held_comment(post_comment)
    send_queued(app)
    [mail] = smtp.inbox.take()
    assert mail["To"] == "maria@example.org"
    assert "held" in mail["Subject"]
    text = body_of(mail)
    assert "troll@example.org" not in text, "moderator mails name no addresses"
    [link] = STAFF_LINK.findall(text)

    browser = app.test_client()
    anonymous = browser.get(link)
    assert anonymous.status_code == 303 and "/moderation/login" in anonymous.headers["Location"]
    assert sign_in(browser, "maria", next=link).headers["Location"] == link
    opened = browser.get(link)
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/moderation/comments/{comment}")
    assert browser.get(opened.headers["Location"]).status_code == 200

    token = link.partition("token=")[2]
    for tampered in (token[:-3] + "abc", token.replace(".", ".x", 1), ""):
        assert browser.get(f"/moderation/open?token={tampered}").status_code == 404
    someone_else = app.test_client()
    sign_in(someone_else, "olga")
    assert someone_else.get(link).status_code == 403, "a forwarded link is not a key"


def test_digest_lists_waiting_items_once(
    app: Flask, post_comment: PostComment, smtp: SmtpServer
) -> None:
    make_staff(app, "dana")
    start = datetime.now(UTC) - timedelta(hours=2)
    with app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.name == "dana"))
        assert staff is not None
        update_preferences(
            db.session(), staff, email="dana@example.org", notify="hourly", now=start
        )
        db.session.commit()
    first, second = held_comment(post_comment), held_comment(post_comment, ABUSIVE + "!")
    send_queued(app)
    assert smtp.inbox.take() == [], "digest readers get no immediate mail"

    with app.app_context():
        assert digests.send_due(db.session()) == 1
        assert digests.send_due(db.session()) == 0, "one digest per period"
    send_queued(app)
    [digest] = smtp.inbox.take()
    assert digest["To"] == "dana@example.org" and digest["Subject"].startswith("2 comment")
    text = body_of(digest)
    assert len(STAFF_LINK.findall(text)) == 2
    assert f"#{first} " in text and f"#{second} " in text

    third = held_comment(post_comment, ABUSIVE + "!!")
    with app.app_context():
        assert digests.send_due(db.session(), now=datetime.now(UTC) + timedelta(hours=1)) == 1
    send_queued(app)
    [later] = smtp.inbox.take()
    assert later["Subject"].startswith("1 comment"), "earlier items are not listed again"
    assert len(STAFF_LINK.findall(body_of(later))) == 1
    assert f"#{third} " in body_of(later) and f"#{first} " not in body_of(later)


def test_settings_page_saves_address_and_preference(app: Flask, smtp: SmtpServer) -> None:
    make_staff(app, "maria")
    browser = app.test_client()
    sign_in(browser, "maria")
    page = browser.get("/moderation/settings")
    assert page.status_code == 200 and 'name="notify"' in page.text
    token = csrf_from(page.text)
    refused = browser.post(
        "/moderation/settings", data={"email": "maria@example.org", "notify": "daily"}
    )
    assert refused.status_code == 403, "CSRF-protected"
    invalid = browser.post(
        "/moderation/settings", data={"email": "nope", "notify": "daily", "csrf_token": token}
    )
    assert invalid.status_code == 400 and "Not a valid email" in invalid.text
    saved = browser.post(
        "/moderation/settings",
        data={"email": "maria@example.org", "notify": "daily", "csrf_token": token},
    )
    assert saved.status_code == 303
    with app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.name == "maria"))
        assert staff is not None
        assert (staff.email, staff.notify) == ("maria@example.org", "daily")
        assert staff.digest_sent_at is not None
    make_staff(app, "ann", role="analyst")
    analyst = app.test_client()
    sign_in(analyst, "ann")
    assert analyst.get("/moderation/settings").status_code == 403


def test_old_mails_are_deleted_with_their_addresses(app: Flask, smtp: SmtpServer) -> None:
    with app.app_context():
        outbox.queue_mail(db.session(), to="old@example.org", subject="old", text="x")
        db.session.commit()
    send_queued(app)
    with app.app_context():
        assert outbox.purge_old(db.session(), 7) == 0
        later = datetime.now(UTC) + timedelta(days=8)
        assert outbox.purge_old(db.session(), 7, now=later) == 1
        db.session.commit()
        assert db.session.scalars(select(OutboxMail)).all() == []


def test_header_injection_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError):
        outbox.queue_mail(db.session(), to="a@example.org\r\nBcc: x@y", subject="s", text="t")
    with app.app_context(), pytest.raises(ValueError):
        outbox.queue_mail(
            db.session(), to="a@example.org", subject="s", text="t", headers={"From": "x"}
        )


def test_without_smtp_host_nothing_is_stored_or_queued(db_url: str) -> None:
    """E-mail off: the checkbox is accepted and ignored (a warning is logged once)."""
    from comments import create_app
    from comments.models import MailSubscription
    from tests.conftest import base_config

    app = create_app(base_config(db_url, MAIL_SEND_IN_PROCESS=None))
    assert "mail_sender" not in app.extensions, "no sending thread without SMTP_HOST"
    response = app.test_client().post(
        "/api/v1/comments",
        json={
            "thread": "/t",
            "body": NICE,
            "author_email": "a@example.org",
            "notify_replies": True,
        },
    )
    assert response.status_code == 201
    with app.app_context():
        assert db.session.scalars(select(MailSubscription)).all() == []
        assert db.session.scalars(select(OutboxMail)).all() == []
        db.engine.dispose()
