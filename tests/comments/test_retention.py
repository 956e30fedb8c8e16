"""Retention: old spam and rejected comments are purged; recent and published ones stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update

from comments.extensions import db
from comments.models import (
    Comment,
    CommentScore,
    LabelledExample,
    OutboxMail,
    PrivacyRequest,
    WebhookDelivery,
)
from comments.services.mail import queue_mail
from tests.comments.conftest import NICE, PostComment


def aged(app: Flask, comment_id: int, status: str, days: int) -> None:
    with app.app_context():
        then = datetime.now(UTC) - timedelta(days=days)
        db.session.execute(
            update(Comment).where(Comment.id == comment_id).values(status=status, updated_at=then)
        )
        db.session.commit()


def test_purge_deletes_old_spam_and_rejected_only(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    ids = {
        name: post_comment(body=f"{NICE} {name}", author_email="ann@example.org").get_json()["id"]
        for name in ("old_spam", "new_spam", "old_rejected", "new_rejected", "old_published")
    }
    answered = post_comment(body=NICE + " answered").get_json()["id"]
    reply = post_comment(body=NICE + " reply", parent_id=answered).get_json()["id"]
    for name, status, days in [
        ("old_spam", "spam", 31),
        ("new_spam", "spam", 29),
        ("old_rejected", "rejected", 91),
        ("new_rejected", "rejected", 60),
        ("old_published", "published", 400),
    ]:
        aged(app, ids[name], status, days)
    aged(app, answered, "rejected", 100)
    with app.app_context():
        db.session.add(
            LabelledExample(
                site_id=1,
                comment_id=ids["old_spam"],
                text="labelled",
                spam=True,
                context={"comment_author_email": "ann@example.org", "blog_lang": "en"},
            )
        )
        past = datetime.now(UTC) - timedelta(days=2)
        db.session.add(
            PrivacyRequest(
                kind="export", email_hash="0" * 64, requested_by="reader", expires_at=past
            )
        )
        db.session.commit()

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    expected = {
        "spam_purged": 1,
        "rejected_purged": 1,
        "left_as_placeholders": 1,
        "labelled_examples_scrubbed": 1,
        "webhook_deliveries_scrubbed": 0,
        "mails_about_comments_deleted": 0,
        "expired_links_deleted": 1,
        "tombstones_pruned": 0,
    }
    assert json.loads(dry.output) == {"dry_run": True, **expected}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 7

    done = runner.invoke(args=["privacy", "purge"])
    assert json.loads(done.output) == {"dry_run": False, **expected}
    with app.app_context():
        left = set(db.session.scalars(select(Comment.id)))
        assert left == {
            ids["new_spam"],
            ids["new_rejected"],
            ids["old_published"],
            answered,
            reply,
        }
        placeholder = db.session.get(Comment, answered)
        assert placeholder is not None and placeholder.body_raw == "[deleted]"
        assert db.session.get(Comment, reply).parent_id == answered  # type: ignore[union-attr]
        scores = select(CommentScore.comment_id).where(
            CommentScore.comment_id.in_([ids["old_spam"], ids["old_rejected"]])
        )
        assert list(db.session.scalars(scores)) == []
        example = db.session.scalar(select(LabelledExample))
        assert example is not None and example.comment_id is None
        assert example.context == {"blog_lang": "en"}
        assert db.session.scalar(select(func.count()).select_from(PrivacyRequest)) == 0


def test_zero_days_keeps_everything(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    comment_id = post_comment().get_json()["id"]
    aged(app, comment_id, "spam", 1000)
    app.config.update(RETENTION_SPAM_DAYS=0)
    result = runner.invoke(args=["privacy", "purge"])
    assert json.loads(result.output)["spam_purged"] == 0
    with app.app_context():
        assert db.session.get(Comment, comment_id) is not None


def test_purge_scrubs_the_purged_comments_from_stored_webhook_deliveries(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    admin: dict[str, str],
    post_comment: PostComment,
) -> None:
    """A delivery keeps the comment as sent, and redelivery sends it again: once retention
    purges a comment, neither may still carry its text or its author."""
    added = client.post(
        "/api/v1/admin/webhooks", json={"url": "https://hooks.example/in"}, headers=admin
    )
    assert added.status_code == 201
    author = {"author_name": "Sam Spammer", "author_url": "https://cheap-pills.example"}
    spam = post_comment(body=f"{NICE} Buy my pills now.", **author).get_json()["id"]
    rejected = post_comment(body=f"{NICE} Rejected rant.", **author).get_json()["id"]
    kept = post_comment(body=f"{NICE} Kept and published.", **author).get_json()["id"]
    aged(app, spam, "spam", 31)
    aged(app, rejected, "rejected", 91)

    done = runner.invoke(args=["privacy", "purge"])
    assert done.exit_code == 0, done.output
    counts = json.loads(done.output)
    assert (counts["spam_purged"], counts["rejected_purged"]) == (1, 1)
    assert counts["webhook_deliveries_scrubbed"] == 4  # created and published, for each
    with app.app_context():
        payloads = [d.payload["data"] for d in db.session.scalars(select(WebhookDelivery))]
    assert sorted(data["id"] for data in payloads) == sorted(
        [spam, spam, rejected, rejected, kept, kept]
    )
    purged = str([data for data in payloads if data["id"] != kept])
    for gone in ("Sam Spammer", "cheap-pills", "Buy my pills", "Rejected rant"):
        assert gone not in purged
    assert all("Kept and published" in data["html"] for data in payloads if data["id"] == kept)
    assert all(data["author_name"] == "Sam Spammer" for data in payloads if data["id"] == kept)


def stored(app: Flask) -> dict[str, list[Any]]:
    """Every row a purge may change, as plain values."""
    with app.app_context():
        return {
            "comments": list(
                db.session.execute(
                    select(Comment.id, Comment.status, Comment.body_raw, Comment.author_name)
                )
            ),
            "examples": [
                (e.id, e.comment_id, e.context) for e in db.session.scalars(select(LabelledExample))
            ],
            "deliveries": [(d.id, d.payload) for d in db.session.scalars(select(WebhookDelivery))],
            "links": list(db.session.scalars(select(PrivacyRequest.id))),
            "mails": list(db.session.scalars(select(OutboxMail.comment_id))),
        }


def test_a_dry_run_counts_exactly_what_the_purge_then_does_and_changes_nothing(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    admin: dict[str, str],
    post_comment: PostComment,
) -> None:
    """Every kind of change a purge makes, including a spam reply to a rejected comment (both
    go: no placeholder is left for a reply that is purged too)."""
    added = client.post(
        "/api/v1/admin/webhooks", json={"url": "https://hooks.example/in"}, headers=admin
    )
    assert added.status_code == 201
    rejected = post_comment(body=f"{NICE} Rejected rant.").get_json()["id"]
    spam_reply = post_comment(body=f"{NICE} Buy pills.", parent_id=rejected).get_json()["id"]
    answered = post_comment(body=f"{NICE} Answered spam.").get_json()["id"]
    post_comment(body=f"{NICE} A published reply.", parent_id=answered)
    aged(app, rejected, "rejected", 91)
    aged(app, spam_reply, "spam", 31)
    aged(app, answered, "spam", 31)
    with app.app_context():
        author = {"comment_author": "Sam", "blog_lang": "en"}
        for comment_id in (rejected, answered):
            db.session.add(
                LabelledExample(
                    site_id=1, comment_id=comment_id, text="t", spam=True, context=author
                )
            )
        queue_mail(db.session(), to="a@example.org", subject="s", text="t", comment_id=rejected)
        past = datetime.now(UTC) - timedelta(days=1)
        db.session.add(
            PrivacyRequest(
                kind="erase", email_hash="0" * 64, requested_by="reader", expires_at=past
            )
        )
        db.session.commit()
    before = stored(app)

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert stored(app) == before
    done = runner.invoke(args=["privacy", "purge"])
    assert done.exit_code == 0, done.output

    counts = json.loads(done.output)
    assert json.loads(dry.output) == {**counts, "dry_run": True}
    assert counts == {
        "dry_run": False,
        "spam_purged": 1,
        "rejected_purged": 1,
        "left_as_placeholders": 1,
        "labelled_examples_scrubbed": 2,
        "webhook_deliveries_scrubbed": 6,  # created and published, for each of the three
        "mails_about_comments_deleted": 1,
        "expired_links_deleted": 1,
        "tombstones_pruned": 0,
    }
    after = stored(app)
    assert {row[0] for row in after["comments"]} == {row[0] for row in before["comments"]} - {
        rejected,
        spam_reply,
    }
    assert [context for *_, context in after["examples"]] == [{"blog_lang": "en"}] * 2
    assert after["links"] == []
    assert after["mails"] == []


def test_a_later_purge_leaves_an_answered_placeholder_alone_and_purges_it_with_its_replies(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    admin: dict[str, str],
    post_comment: PostComment,
) -> None:
    """A placeholder has nothing left to purge: found again once older than the retention
    period, it is neither counted nor changed; once its last reply is purged, it goes too."""
    added = client.post(
        "/api/v1/admin/webhooks", json={"url": "https://hooks.example/in"}, headers=admin
    )
    assert added.status_code == 201
    answered = post_comment(body=f"{NICE} Answered spam.").get_json()["id"]
    reply = post_comment(body=f"{NICE} A published reply.", parent_id=answered).get_json()["id"]
    aged(app, answered, "spam", 31)
    first = runner.invoke(args=["privacy", "purge"])
    assert json.loads(first.output)["left_as_placeholders"] == 1

    def placeholder() -> tuple[Any, ...]:
        with app.app_context():
            row = db.session.execute(
                select(Comment.body_raw, Comment.status, Comment.updated_at).where(
                    Comment.id == answered
                )
            ).one()
            return tuple(row)

    aged(app, answered, "spam", 31)  # as if the retention period had passed again
    before, then = stored(app), placeholder()
    assert then[:2] == ("[deleted]", "spam")
    nothing = {
        "dry_run": False,
        "spam_purged": 0,
        "rejected_purged": 0,
        "left_as_placeholders": 0,
        "labelled_examples_scrubbed": 0,
        "webhook_deliveries_scrubbed": 0,
        "mails_about_comments_deleted": 0,
        "expired_links_deleted": 0,
        "tombstones_pruned": 0,
    }
    for args in (["privacy", "purge", "--dry-run"], ["privacy", "purge"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == {**nothing, "dry_run": "--dry-run" in args}
    assert stored(app) == before and placeholder() == then

    aged(app, reply, "rejected", 91)
    last = runner.invoke(args=["privacy", "purge"])
    assert json.loads(last.output) == {
        **nothing,
        "spam_purged": 1,
        "rejected_purged": 1,
        "webhook_deliveries_scrubbed": 2,  # the reply's; the placeholder's were scrubbed before
    }
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
