"""Staff list a site's threads by their newest comment: once an erasure (`remove` mode) or a
retention purge deletes a thread's newest comments, it goes back to the newest one left, or to
its making when none is, in the same transaction as the deletion."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.orm import Session

from comments.extensions import db
from comments.models import Comment, Thread
from comments.rendering import RENDERER_VERSION, render
from comments.services.threads import comment_posted
from comments.text import fingerprint
from tests.comments.conftest import NICE, PostComment, StaffToken
from tests.comments.test_thread_deletions import decide, erase, published
from tests.comments.test_threads_cli import listed

ANN = "ann@example.org"


def order(runner: FlaskCliRunner) -> list[object]:
    return [thread["key"] for thread in listed(runner)]


def last_comment_at(app: Flask, key: str) -> tuple[datetime, datetime, datetime | None]:
    """The thread's last_comment_at, its making, and its newest comment's time (None: none)."""
    with app.app_context():
        thread = db.session.scalar(select(Thread).where(Thread.key == key))
        assert thread is not None
        newest = select(func.max(Comment.created_at)).where(Comment.thread_id == thread.id)
        return thread.last_comment_at, thread.created_at, db.session.scalar(newest)


def test_an_erasure_moves_threads_back_to_their_newest_comment_left(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    published(post_comment, NICE + " Ann opens this page.", thread="/c", author_email=ANN)
    published(post_comment, "A first comment on this page, which stays.", thread="/a")
    published(post_comment, "A comment on another page, which stays.", thread="/b")
    published(post_comment, NICE + " Ann again, here.", thread="/c", author_email=ANN)
    published(post_comment, NICE + " Ann, the newest here.", thread="/a", author_email=ANN)
    assert order(runner) == ["/a", "/c", "/b"]

    erase(runner, ANN)

    assert order(runner) == ["/b", "/a", "/c"]
    at, _, newest = last_comment_at(app, "/a")
    assert at == newest
    at, made, newest = last_comment_at(app, "/c")
    assert newest is None and at == made


def test_a_purge_of_a_threads_newest_comment_moves_it_back(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
) -> None:
    published(post_comment, "A comment that stays up.", thread="/a")
    published(post_comment, "A comment on another page.", thread="/b")
    rejected = published(post_comment, "The newest here, rejected and purged.", thread="/a")
    decide(client, staff_headers("moderator"), rejected, "reject")
    assert order(runner) == ["/a", "/b"]
    with app.app_context():
        season_ago = datetime.now(UTC) - timedelta(days=91)
        db.session.execute(
            update(Comment).where(Comment.id == rejected).values(updated_at=season_ago)
        )
        db.session.commit()

    purged = runner.invoke(args=["privacy", "purge"])

    assert purged.exit_code == 0 and '"rejected_purged": 1' in purged.output
    assert order(runner) == ["/b", "/a"]
    at, _, newest = last_comment_at(app, "/a")
    assert at == newest


#: Another backend of this database waiting for a lock: the erasure, on the thread's row.
_WAITING = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND wait_event_type = 'Lock'"
)


def test_a_comment_posted_while_an_erasure_waits_for_its_thread_is_not_overtaken(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment, db_url: str
) -> None:
    """PostgreSQL: the erasure waits for a comment being posted on the thread to commit, and
    then counts it, rather than moving the thread back past it from an older snapshot."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's row locks (on SQLite one writer works at a time)")
    published(post_comment, "A comment that stays.", thread="/a")
    erased = published(post_comment, NICE + " Ann's, erased.", thread="/a", author_email=ANN)
    with app.app_context():
        ann = db.session.get(Comment, erased)
        assert ann is not None
        site_id, thread_id = ann.site_id, ann.thread_id
    engine = create_engine(db_url)
    erasing: list[Result] = []
    try:
        with Session(engine) as posting, engine.connect() as watching:
            # A comment being posted: stored and its thread moved forward, not committed yet.
            now = datetime.now(UTC)
            body = "Posted while the erasure runs."
            posting.add(
                Comment(
                    site_id=site_id,
                    thread_id=thread_id,
                    status="published",
                    body_raw=body,
                    body_html=render(body),
                    renderer_version=RENDERER_VERSION,
                    body_fingerprint=fingerprint(body),
                    created_at=now,
                    updated_at=now,
                )
            )
            posting.flush()
            comment_posted(posting, thread_id, now)
            worker = threading.Thread(target=lambda: erasing.append(erase_with(runner)))
            worker.start()
            while worker.is_alive() and not watching.execute(_WAITING).scalar():
                watching.rollback()  # a fresh look at pg_stat_activity each time
                time.sleep(0.01)
            posting.commit()
            worker.join()
    finally:
        engine.dispose()
    assert erasing and erasing[0].exit_code == 0, erasing and erasing[0].output
    at, _, newest = last_comment_at(app, "/a")
    assert newest == now and at == now


def erase_with(runner: FlaskCliRunner) -> Result:
    return runner.invoke(args=["privacy", "erase", ANN, "--mode", "remove", "--yes"])
