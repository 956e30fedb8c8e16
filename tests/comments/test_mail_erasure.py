"""Erasing an author's data takes their name and text out of mails *about* their comments too:
reply mails to other subscribers and moderators' notices are deleted, sent or not, and the
digests that list one of their comments keep the item without them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import OutboxMail
from comments.services import accounts
from comments.services.mail import digests
from comments.services.mail.preferences import update_preferences
from tests.comments.conftest import ABUSIVE, NICE, PostComment
from tests.comments.smtp_server import SmtpServer, body_of, mail_config, send_queued
from tests.moderation_ui.conftest import PASSWORD

BOB_SAYS = "Bob's own words about the alliance, which he wants gone."


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp)


def moderator(app: Flask, name: str, notify: str, *, since: datetime | None = None) -> None:
    with app.app_context():
        staff = accounts.create_staff(db.session(), name, "moderator", PASSWORD, [])
        update_preferences(
            db.session(),
            staff,
            email=f"{name}@example.org",
            notify=notify,
            now=since or datetime.now(UTC),
        )
        db.session.commit()


def write(post_comment: PostComment, name: str, body: str, **fields: Any) -> int:
    response = post_comment(
        author_name=name, author_email=f"{name.lower()}@example.org", body=body, **fields
    )
    assert response.status_code == 201, response.get_json()
    comment_id: int = response.get_json()["id"]
    return comment_id


def erase(runner: FlaskCliRunner, address: str) -> dict[str, int]:
    result = runner.invoke(args=["privacy", "erase", address, "--yes"])
    assert result.exit_code == 0, result.output
    counts: dict[str, int] = json.loads(result.output.strip().splitlines()[-1])
    return counts


def outbox(app: Flask) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        return [(m.kind, m.to_address, m.subject, m.text) for m in mails]


def test_erasing_an_author_deletes_the_mails_about_their_comments_sent_or_not(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment, smtp: SmtpServer
) -> None:
    moderator(app, "maria", "immediate")
    ann = write(post_comment, "Ann", NICE, notify_replies=True)
    send_queued(app)
    [confirmation] = smtp.inbox.take()
    [url] = [w for w in body_of(confirmation).split() if "/mail/confirm" in w]
    assert app.test_client().post(url.removeprefix("https://comments.example")).status_code == 200

    write(post_comment, "Bob", BOB_SAYS, parent_id=ann)
    send_queued(app)
    [sent] = smtp.inbox.take()
    assert sent["To"] == "ann@example.org" and "Bob replied" in body_of(sent)
    # Queued, not yet sent: a second reply to Ann and a held comment for Maria.
    write(post_comment, "Bob", BOB_SAYS + " Again.", parent_id=ann)
    write(post_comment, "Bob", ABUSIVE)
    assert [kind for kind, *_ in outbox(app)] == ["confirm", "reply", "reply", "moderation"]

    counts = erase(runner, "bob@example.org")

    left = outbox(app)
    assert [(kind, to) for kind, to, *_ in left] == [("confirm", "ann@example.org")]
    assert not any(
        "Bob" in subject + text or "alliance, which" in text for *_, subject, text in left
    )
    send_queued(app)
    assert smtp.inbox.take() == [], "nothing about Bob goes out after his erasure"
    assert counts["mails_about_comments_deleted"] == 3


def test_a_digest_keeps_the_erased_authors_items_without_their_name_or_text(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment, smtp: SmtpServer
) -> None:
    moderator(app, "dana", "hourly", since=datetime.now(UTC) - timedelta(hours=2))
    bob = write(post_comment, "Bob", ABUSIVE + " " + BOB_SAYS)
    carl = write(post_comment, "Carl", ABUSIVE + " Carl says so.")
    with app.app_context():
        assert digests.send_due(db.session()) == 1

    counts = erase(runner, "bob@example.org")

    send_queued(app)
    [digest] = smtp.inbox.take()
    assert digest["Subject"].startswith("2 comment"), "the digest still lists both items"
    text = body_of(digest).replace("\r\n", "\n")
    assert f"#{bob} " in text and digests.ERASED in text
    assert "Bob" not in text and "alliance, which" not in text
    assert f"#{carl} " in text and "Carl: " in text and "Carl says so." in text
    assert "/moderation/open?token=" in text.split(f"#{bob} ", 1)[1].split("\n\n", 1)[0]
    assert counts["digests_scrubbed"] == 1
