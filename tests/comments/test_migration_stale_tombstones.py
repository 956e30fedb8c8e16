"""Migration 0025: a tombstone left from before 0023 no longer hides the published comment that
took the deleted one's id, while one naming a comment not published still tells open pages the
deleted comment is gone."""

from __future__ import annotations

from datetime import datetime, timedelta

import flask_migrate
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment, CommentTombstone
from tests.comments.conftest import ABUSIVE, NICE, PostComment
from tests.comments.test_thread_deletions import published, read


def test_a_page_open_since_before_a_reused_id_shows_the_comment_that_took_it(
    app: Flask, client: FlaskClient, post_comment: PostComment
) -> None:
    published(post_comment, "A comment by someone who stays.")
    since = read(client)["since"]
    reusing = published(post_comment, NICE + " Posted with a deleted comment's id.")
    held = post_comment(body=ABUSIVE).get_json()
    assert held["status"] == "pending"
    with app.app_context():
        thread_id = db.session.scalar(select(Comment.thread_id).where(Comment.id == reusing))
        before = datetime.fromisoformat(since) + timedelta(seconds=1)
        for comment_id in (reusing, held["id"], held["id"] + 1000):  # the last: long deleted
            db.session.add(
                CommentTombstone(comment_id=comment_id, thread_id=thread_id, deleted_at=before)
            )
        db.session.commit()
    assert reusing in read(client, since=since)["withdrawn"], "hidden before the upgrade"

    with app.app_context():
        flask_migrate.downgrade(revision="0024")
        flask_migrate.upgrade()
        left = set(db.session.scalars(select(CommentTombstone.comment_id)))
    assert left == {held["id"], held["id"] + 1000}
    changed = read(client, since=since)
    assert reusing in [c["id"] for c in changed["comments"]]
    assert sorted(changed["withdrawn"]) == [held["id"], held["id"] + 1000]
