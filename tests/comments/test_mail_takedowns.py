"""A mail still waiting to be sent (an SMTP outage, retries) when the comment it quotes is
taken down: readers are not sent text that is no longer shown, moderators are not told of a
comment that no longer waits, and a purge takes the comment's text out of the outbox too."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from comments.extensions import db
from comments.models import Comment, OutboxMail
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.comments.smtp_server import SmtpServer, body_of, mail_config, send_queued
from tests.comments.test_mail_erasure import moderator as notified_moderator
from tests.comments.test_mail_erasure import write

BOB_SAYS = "Bob's words, soon to be taken down."


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp)


def outbox(app: Flask) -> list[tuple[str, str, str]]:
    """(kind, recipient, status) of every mail in the outbox, oldest first."""
    with app.app_context():
        mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        return [(m.kind, m.to_address, m.status) for m in mails]


def delivered(app: Flask, smtp: SmtpServer) -> list[tuple[str, str]]:
    send_queued(app)
    return [(mail["To"], mail["Subject"]) for mail in smtp.inbox.take()]


def subscribe_ann(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> int:
    """Ann's comment, with her reply subscription confirmed."""
    ann = write(post_comment, "Ann", NICE, notify_replies=True)
    send_queued(app)
    [confirmation] = smtp.inbox.take()
    [url] = [w for w in body_of(confirmation).split() if "/mail/confirm" in w]
    assert client.post(url.removeprefix("https://comments.example")).status_code == 200
    return ann


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, action: str) -> str:
    decided = client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision",
        json={"action": action},
        headers=headers,
    )
    assert decided.status_code == 200, decided.get_json()
    status: str = decided.get_json()["status"]
    return status


@pytest.mark.parametrize("action", ["reject", "spam", "restore"])
def test_a_reply_taken_down_by_a_moderator_before_its_mail_went_out_is_not_mailed(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    smtp: SmtpServer,
    staff_headers: StaffToken,
    action: str,
) -> None:
    ann = subscribe_ann(app, client, post_comment, smtp)
    reply = write(post_comment, "Bob", BOB_SAYS, parent_id=ann, notify_replies=True)
    assert [kind for kind, *_ in outbox(app)][-2:] == ["confirm", "reply"]

    assert decide(client, staff_headers("moderator"), reply, action) != "published"

    assert ("reply", "ann@example.org", "pending") not in outbox(app)
    sent = delivered(app, smtp)
    assert [to for to, _ in sent] == ["bob@example.org"], "only Bob's own confirmation"
    assert "Confirm" in sent[0][1]


def test_an_unpublished_reply_approved_again_is_not_mailed_late(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    smtp: SmtpServer,
    staff_headers: StaffToken,
) -> None:
    """Its mail was withdrawn at the Unpublish; approving again is not a first publication."""
    moderator = staff_headers("moderator")
    ann = subscribe_ann(app, client, post_comment, smtp)
    reply = write(post_comment, "Bob", BOB_SAYS, parent_id=ann)
    assert decide(client, moderator, reply, "restore") == "pending"
    assert decide(client, moderator, reply, "approve") == "published"
    assert delivered(app, smtp) == []


def test_the_published_notice_is_not_sent_once_the_comment_is_unpublished(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    smtp: SmtpServer,
    staff_headers: StaffToken,
    held: None,
) -> None:
    moderator = staff_headers("moderator")
    bob = write(post_comment, "Bob", BOB_SAYS, notify_replies=True)
    send_queued(app)
    [confirmation] = smtp.inbox.take()
    [url] = [w for w in body_of(confirmation).split() if "/mail/confirm" in w]
    assert client.post(url.removeprefix("https://comments.example")).status_code == 200
    assert decide(client, moderator, bob, "approve") == "published"
    assert outbox(app)[-1] == ("published", "bob@example.org", "pending")

    assert decide(client, moderator, bob, "reject") == "rejected"

    assert delivered(app, smtp) == []


def test_a_reply_its_author_deletes_or_edits_into_the_queue_is_not_mailed(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    ann = subscribe_ann(app, client, post_comment, smtp)
    deleted = post_comment(
        author_name="Bob", body=BOB_SAYS, parent_id=ann, author_email="bob@example.org"
    ).get_json()
    held = post_comment(
        author_name="Cid", body=NICE + " Cid agrees.", parent_id=ann, author_email="c@example.org"
    ).get_json()
    kept = write(post_comment, "Dee", NICE + " Dee too.", parent_id=ann)
    assert [kind for kind, *_ in outbox(app)].count("reply") == 3

    gone = client.delete(
        f"/api/v1/comments/{deleted['id']}", headers={"X-Edit-Token": deleted["edit_token"]}
    )
    assert gone.status_code == 200
    edited = client.patch(
        f"/api/v1/comments/{held['id']}",
        json={"body": ABUSIVE},
        headers={"X-Edit-Token": held["edit_token"]},
    )
    assert edited.status_code == 200 and edited.get_json()["status"] == "pending"

    sent = delivered(app, smtp)
    assert len(sent) == 1, "only Dee's reply, still published, goes out"
    with app.app_context():
        [reply] = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "reply"))
        assert reply.comment_id == kept and reply.status == "sent"


def test_a_moderators_notice_goes_out_while_the_comment_waits_and_not_once_decided(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    smtp: SmtpServer,
    staff_headers: StaffToken,
) -> None:
    notified_moderator(app, "maria", "immediate")
    moderator = staff_headers("moderator")
    waits = write(post_comment, "Bob", ABUSIVE)
    rejected = write(post_comment, "Cid", ABUSIVE + " Cid")
    approved = write(post_comment, "Dee", ABUSIVE + " Dee")
    deleted = post_comment(author_name="Eve", body=ABUSIVE + " Eve").get_json()
    assert [kind for kind, *_ in outbox(app)] == ["moderation"] * 4

    assert decide(client, moderator, rejected, "reject") == "rejected"
    assert decide(client, moderator, approved, "approve") == "published"
    gone = client.delete(
        f"/api/v1/comments/{deleted['id']}", headers={"X-Edit-Token": deleted["edit_token"]}
    )
    assert gone.status_code == 200

    sent = delivered(app, smtp)
    assert len(sent) == 1 and sent[0][0] == "maria@example.org"
    with app.app_context():
        [notice] = db.session.scalars(select(OutboxMail))
        assert notice.comment_id == waits and notice.status == "sent"


def test_purging_a_comment_deletes_the_mails_about_it_sent_or_not(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    smtp: SmtpServer,
) -> None:
    notified_moderator(app, "maria", "immediate")
    ann = subscribe_ann(app, client, post_comment, smtp)
    reply = write(post_comment, "Bob", BOB_SAYS, parent_id=ann)
    assert len(delivered(app, smtp)) == 1, "the reply mail went out"
    held = write(post_comment, "Cid", ABUSIVE, parent_id=ann)
    fresh = write(post_comment, "Dee", ABUSIVE + " Dee")
    # Still queued (an SMTP outage) when retention's time comes, as with MAIL_KEEP_DAYS above
    # the retention days; the reply mail was sent and stays as the log copy until then.
    with app.app_context():
        then = datetime.now(UTC) - timedelta(days=100)
        db.session.execute(
            update(Comment)
            .where(Comment.id.in_([reply, held]))
            .values(status="rejected", updated_at=then)
        )
        db.session.commit()
    assert [kind for kind, *_ in outbox(app)] == ["confirm", "reply", "moderation", "moderation"]

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    purged = runner.invoke(args=["privacy", "purge"])

    assert purged.exit_code == 0, purged.output
    counts = json.loads(purged.output.strip().splitlines()[-1])
    assert {**counts, "dry_run": True} == json.loads(dry.output.strip().splitlines()[-1])
    assert counts["rejected_purged"] == 2 and counts["mails_about_comments_deleted"] == 2
    assert outbox(app) == [
        ("confirm", "ann@example.org", "sent"),
        ("moderation", "maria@example.org", "pending"),
    ]
    with app.app_context():
        assert db.session.scalars(select(OutboxMail.comment_id)).all() == [ann, fresh]
