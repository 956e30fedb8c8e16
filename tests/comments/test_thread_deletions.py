"""What an open page hears of comments deleted outright (a privacy erasure in `remove` mode, a
retention purge): their ids in `withdrawn`, from tombstones, as for comments taken down; only
those readers here were shown; and, once old tombstones are pruned, a 410 for a watermark
older than them, so the page reads the thread again instead of missing a deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update

from comments.extensions import db
from comments.models import Comment, CommentTombstone
from comments.services import tombstones
from comments.services.privacy import retention
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.comments.test_exports import export

ANN = "ann@example.org"


def read(client: FlaskClient, site: str = "default", **params: object) -> dict[str, Any]:
    response = client.get(
        "/api/v1/comments", query_string={"site": site, "thread": "/post/1", **params}
    )
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def published(post_comment: PostComment, body: str, **fields: Any) -> int:
    response = post_comment(body=body, **fields)
    assert response.status_code == 201 and response.get_json()["status"] == "published"
    return int(response.get_json()["id"])


def erase(runner: FlaskCliRunner, email: str) -> None:
    done = runner.invoke(args=["privacy", "erase", email, "--mode", "remove", "--yes"])
    assert done.exit_code == 0, done.output


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, action: str) -> None:
    response = client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision",
        json={"action": action},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()


def test_a_comment_erased_while_a_page_is_open_is_withdrawn(
    client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    kept = published(post_comment, "A comment by someone who stays.")
    erased = published(post_comment, NICE + " Mine, to erase.", author_email=ANN)
    since = read(client)["since"]
    erase(runner, ANN)
    changed = read(client, since=since)
    assert changed["withdrawn"] == [erased]
    assert [c["id"] for c in changed["comments"]] == [kept]  # the margin repeats it
    assert changed["total"] == 1
    # A page loaded after the erasure never showed it: a later watermark does not list it.
    later = (datetime.fromisoformat(since) + timedelta(days=1)).isoformat()
    assert read(client, since=later)["withdrawn"] == []


def test_an_erasure_of_a_comment_that_reused_an_erased_ones_id_is_withdrawn_too(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    """Before migration 0023, SQLite gave a new comment the id of the newest one erased, whose
    tombstone stays: erasing the new one must not trip over it, and a page hears of both."""
    published(post_comment, "A comment by someone who stays.")
    since = read(client)["since"]
    again = published(post_comment, NICE + " Another's, erased too.", author_email="bo@example.org")
    with app.app_context():
        thread_id = db.session.scalar(select(Comment.thread_id).where(Comment.id == again))
        earlier = datetime.fromisoformat(since) - timedelta(hours=1)
        db.session.add(CommentTombstone(comment_id=again, thread_id=thread_id, deleted_at=earlier))
        db.session.commit()
    erase(runner, "bo@example.org")
    assert again in read(client, since=since)["withdrawn"]


def test_an_erased_comment_others_answered_is_shown_as_deleted_not_withdrawn(
    client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    answered = published(post_comment, NICE + " Answered, then erased.", author_email=ANN)
    reply = published(post_comment, "A reply to it, which stays.", parent_id=answered)
    since = read(client)["since"]
    erase(runner, ANN)
    changed = read(client, since=since)
    assert changed["withdrawn"] == []
    placeholder = next(c for c in changed["comments"] if c["id"] == answered)
    assert "[deleted]" in placeholder["html"] and placeholder["author_name"] == ""
    assert reply in [c["id"] for c in changed["comments"]]


def test_a_comment_never_published_and_erased_is_never_listed(
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
) -> None:
    published(post_comment, "Something published, so the thread has a watermark.")
    since = read(client)["since"]
    held = post_comment(body=ABUSIVE, author_email=ANN).get_json()
    assert held["status"] == "pending"
    rejected = post_comment(body=ABUSIVE + " again", author_email=ANN).get_json()["id"]
    decide(client, staff_headers("moderator"), rejected, "reject")
    erase(runner, ANN)
    assert read(client, since=since)["withdrawn"] == []
    assert read(client, since="2000-01-01T00:00:00Z")["withdrawn"] == []


def test_a_comment_purged_after_it_was_taken_down_stays_withdrawn(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
) -> None:
    """A page that read before a published comment was rejected still hears of it after the
    purge deleted it (a tab hidden all along, say)."""
    published(post_comment, "A comment that stays up.")
    rejected = published(post_comment, "Published, rejected, and purged a season later.")
    since = read(client)["since"]
    decide(client, staff_headers("moderator"), rejected, "reject")
    with app.app_context():
        season_ago = datetime.now(UTC) - timedelta(days=91)
        db.session.execute(
            update(Comment).where(Comment.id == rejected).values(updated_at=season_ago)
        )
        db.session.commit()
    purged = runner.invoke(args=["privacy", "purge"])
    assert purged.exit_code == 0 and '"rejected_purged": 1' in purged.output
    assert read(client, since=since)["withdrawn"] == [rejected]


def test_tombstones_do_not_cost_the_unchanged_thread_its_304(
    client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    published(post_comment, "Still up.")
    published(post_comment, NICE + " Erased while the page is open.", author_email=ANN)
    query = {"thread": "/post/1", "since": read(client)["since"]}
    erase(runner, ANN)
    first = client.get("/api/v1/comments", query_string=query)
    assert first.status_code == 200 and len(first.get_json()["withdrawn"]) == 1
    again = client.get(
        "/api/v1/comments", query_string=query, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


def test_once_tombstones_are_pruned_an_older_watermark_is_told_to_read_again(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    published(post_comment, "A comment that stays up, and nothing after it for months.")
    erased = published(post_comment, NICE + " Erased, long ago.", author_email=ANN)
    before = read(client)["since"]
    erase(runner, ANN)
    later = datetime.now(UTC) + timedelta(days=tombstones.TOMBSTONE_DAYS + 1)
    with app.app_context():
        counts = retention.purge(db.session(), spam_days=0, rejected_days=0, now=later)
        db.session.commit()
        left = db.session.scalar(select(func.count()).select_from(CommentTombstone))
    assert counts["tombstones_pruned"] == 1 and left == 0

    refused = client.get("/api/v1/comments", query_string={"thread": "/post/1", "since": before})
    assert refused.status_code == 410
    assert refused.get_json()["errors"]["since"][0].startswith("Comments deleted since then")
    # Read again: the watermark is never older than what was pruned, though nothing was
    # published since, so it is taken from then on (and a quiet thread is not refused again).
    fresh = read(client)
    assert erased not in [c["id"] for c in fresh["comments"]]
    assert fresh["since"] > before
    assert read(client, since=fresh["since"])["withdrawn"] == []


def test_an_imported_comment_never_published_here_is_never_listed(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
    tmp_path: Path,
) -> None:
    """Its first publication time comes along (for exports), but it arrives rejected: its id
    was never public on the site it was imported into. Published there later and taken down
    again, it is."""
    published(post_comment, "A comment that stays up.")
    rejected = published(post_comment, "Published here, rejected since, then exported.")
    decide(client, staff_headers("moderator"), rejected, "reject")
    exported = tmp_path / "default.xml"
    export(runner, "default", "wxr", "--output", str(exported))
    assert runner.invoke(args=["sites", "create", "fresh"]).exit_code == 0
    assert runner.invoke(args=["import", "wxr", str(exported), "--site", "fresh"]).exit_code == 0

    with app.app_context():
        arrived = db.session.execute(
            select(Comment.id, Comment.published_at).where(Comment.status == "rejected")
        ).all()
    [(imported, published_at)] = [row for row in arrived if row[0] != rejected]
    assert published_at is not None  # the round trip keeps it
    since = "2000-01-01T00:00:00Z"
    assert read(client, site="fresh", since=since)["withdrawn"] == []

    moderator = staff_headers("moderator", name="second")
    decide(client, moderator, imported, "approve")
    decide(client, moderator, imported, "reject")
    assert read(client, site="fresh", since=since)["withdrawn"] == [imported]
