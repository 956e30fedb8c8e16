"""WordPress's WXR, both ways: what we export, WordPress and our own importer read back whole
(threads, statuses, authors, exact times, comments deleted under their replies, which blog)."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment, Site, Thread
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.comments.test_exports import FILES, export, posted
from tests.comments.test_imports import imported, run_import


def _snapshot(app: Flask, site: str) -> tuple[set[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Threads, and comments with their parent named by content, ids left out."""
    with app.app_context():
        site_id = db.session.scalar(select(Site.id).where(Site.name == site))
        threads = db.session.scalars(select(Thread).where(Thread.site_id == site_id)).all()
        keys = {thread.id: thread.key for thread in threads}
        comments = db.session.scalars(
            # Thread by thread: ids order a thread's comments, not threads among themselves (an
            # import holds a reply whose parent is missing until the end of the file).
            select(Comment)
            .where(Comment.site_id == site_id)
            .order_by(Comment.thread_id, Comment.id)
        ).all()
        by_id = {comment.id: comment for comment in comments}

        def describe(c: Comment) -> tuple[Any, ...]:
            return (
                keys[c.thread_id],
                c.author_name,
                c.author_email,
                c.author_url,
                c.status,
                c.created_at,
                c.body_raw,
                c.body_html,
            )

        return (
            {(t.key, t.title, t.url) for t in threads},
            [
                (*describe(c), describe(by_id[c.parent_id]) if c.parent_id else None)
                for c in comments
            ],
        )


def test_wxr_round_trip_keeps_threads_threading_statuses_authors_and_dates(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment, tmp_path: Path
) -> None:
    posted(post_comment)
    result = runner.invoke(args=["import", "wxr", str(FILES / "blog.wxr.xml"), "--site", "default"])
    assert result.exit_code == 0, result.output
    exported = tmp_path / "default.xml"
    export(runner, "default", "wxr", "--output", str(exported))
    assert runner.invoke(args=["sites", "create", "fresh"]).exit_code == 0
    result = runner.invoke(args=["import", "wxr", str(exported), "--site", "fresh"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["skipped"] == {} and summary["warnings"] == {}

    threads, comments = _snapshot(app, "default")
    assert _snapshot(app, "fresh") == (threads, comments)
    assert {c[4] for c in comments} == {"published", "pending", "spam", "rejected"}
    assert any(c[-1] is not None and c[-1][-1] is not None for c in comments)  # nested


def test_wxr_round_trip_keeps_deleted_comments_as_placeholders_with_their_replies(
    app: Flask, client: Any, runner: FlaskCliRunner, post_comment: PostComment, tmp_path: Path
) -> None:
    """A comment its author deleted is trash to WordPress, but comes back deleted (not
    rejected), even with no text left (Isso empties them), and its replies stay under it."""
    parent = post_comment(body=NICE).get_json()
    post_comment(body=f"Reply: {NICE}", parent_id=parent["id"])
    deleted = client.delete(
        f"/api/v1/comments/{parent['id']}", headers={"X-Edit-Token": parent["edit_token"]}
    )
    assert deleted.status_code == 200
    isso = tmp_path / "isso.db"  # comment 3: deleted, its text emptied, answered by 4
    with sqlite3.connect(isso) as connection:
        connection.executescript((FILES / "isso.sql").read_text(encoding="utf-8"))
    connection.close()
    assert runner.invoke(args=["import", "isso", str(isso), "--site", "default"]).exit_code == 0
    exported = tmp_path / "default.xml"
    export(runner, "default", "wxr", "--output", str(exported))
    assert "<wp:comment_approved>1</wp:comment_approved>" in exported.read_text(encoding="utf-8")
    assert runner.invoke(args=["sites", "create", "fresh"]).exit_code == 0

    result = runner.invoke(args=["import", "wxr", str(exported), "--site", "fresh"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["skipped"] == {} and summary["warnings"] == {}
    assert summary["imported"]["deleted"] == 2 and "rejected" not in summary["imported"]
    threads, comments = _snapshot(app, "default")
    assert _snapshot(app, "fresh") == (threads, comments)
    replies_to_deleted = [c for c in comments if c[-1] is not None and c[-1][4] == "deleted"]
    assert len(replies_to_deleted) == 2
    # Readers of the new site see each reply under a "removed" placeholder, as before.
    for thread in ("/post/1", "/2024/11/hello-world/"):
        page = client.get("/api/v1/comments", query_string={"site": "fresh", "thread": thread})
        listed = page.get_json()
        removed = {r["id"] for r in listed["removed"]}
        assert len(removed) == 1 and any(c["parent_id"] in removed for c in listed["comments"])


def test_wxr_round_trip_keeps_when_each_comment_was_first_published(
    app: Flask,
    client: Any,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
    tmp_path: Path,
) -> None:
    """A held comment approved later, and a published one rejected since, come back with their
    first publication time (a file without it, WordPress's own: see test_imports)."""
    first, _, held = posted(post_comment)
    for comment_id, action in ((held, "approve"), (first, "reject")):
        decided = client.post(
            f"/api/v1/moderation/comments/{comment_id}/decision",
            json={"action": action},
            headers=staff_headers("moderator", name=action),
        )
        assert decided.status_code == 200, decided.get_json()
    exported = tmp_path / "default.xml"
    export(runner, "default", "wxr", "--output", str(exported))
    assert runner.invoke(args=["sites", "create", "fresh"]).exit_code == 0
    assert runner.invoke(args=["import", "wxr", str(exported), "--site", "fresh"]).exit_code == 0

    def times(site: str) -> dict[str, tuple[Any, ...]]:
        with app.app_context():
            rows = db.session.execute(
                select(Comment.body_raw, Comment.status, Comment.created_at, Comment.published_at)
                .join(Site, Site.id == Comment.site_id)
                .where(Site.name == site)
            ).all()
        return {body: (status, created, published) for body, status, created, published in rows}

    before = times("default")
    assert before[ABUSIVE][0] == "published" and before[ABUSIVE][2] > before[ABUSIVE][1]
    assert before[NICE][0] == "rejected" and before[NICE][2] is not None
    assert times("fresh") == before


def test_a_date_changed_in_wordpress_wins_over_our_exact_time(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """Our exact time is only a finer reading of WXR's whole-second date: once the date
    says another second (someone changed it in WordPress), the date counts."""
    exact = (
        "<wp:commentmeta><wp:meta_key>comments_created_at</wp:meta_key>"
        "<wp:meta_value><![CDATA[2024-01-01T10:00:00.250000+00:00]]></wp:meta_value>"
        "</wp:commentmeta>"
    )
    items = "".join(
        f"<wp:comment><wp:comment_id>{ref}</wp:comment_id>"
        f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt>"
        f"<wp:comment_content>Comment {ref}</wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved>{meta}</wp:comment>"
        for ref, date, meta in (
            ("1", "2024-01-01 10:00:00", exact),
            ("2", "2024-03-09 08:30:00", exact),
            ("3", "2024-01-01 10:00:00", exact.replace("2024-01-01T10", "garbled")),
        )
    )
    source = tmp_path / "dated.xml"
    source.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
        f"<title>P</title><link>https://blog.example/p/</link>{items}</item></channel></rss>",
        encoding="utf-8",
    )
    assert run_import(runner, "wxr", source)["imported_total"] == 3
    comments = imported(app, "wxr")
    assert [comments[ref].created_at for ref in "123"] == [
        datetime(2024, 1, 1, 10, 0, 0, 250000, tzinfo=UTC),
        datetime(2024, 3, 9, 8, 30, 0, tzinfo=UTC),
        datetime(2024, 1, 1, 10, 0, 0, tzinfo=UTC),
    ]


def test_wxr_is_what_wordpress_reads(runner: FlaskCliRunner, post_comment: PostComment) -> None:
    first = posted(post_comment)[0]
    document = export(runner, "default", "wxr")
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<wp:wxr_version>1.2</wp:wxr_version>" in document
    assert f"<wp:comment_parent>{first}</wp:comment_parent>" in document
    assert "]]]]><![CDATA[>" in document  # the "]]>" of a body cannot end its CDATA
    assert "<wp:comment_author_IP></wp:comment_author_IP>" in document  # hashes stay here


def test_wxr_marks_deleted_comments_in_meta_wordpress_ignores(
    client: Any, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    """WordPress sees trash (all it has); the mark is commentmeta, which it keeps or ignores."""
    parent = post_comment(body=NICE).get_json()
    client.delete(
        f"/api/v1/comments/{parent['id']}", headers={"X-Edit-Token": parent["edit_token"]}
    )
    document = export(runner, "default", "wxr")
    assert "<wp:comment_approved>trash</wp:comment_approved>" in document
    assert (
        "<wp:commentmeta><wp:meta_key>comments_deleted_by_author</wp:meta_key>"
        "<wp:meta_value><![CDATA[1]]></wp:meta_value></wp:commentmeta>"
    ) in document


def test_the_deleted_mark_counts_only_on_a_comment_still_in_the_trash(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """Our export marks deleted comments; once in WordPress, a moderator may approve one, and
    that decision stands. A WordPress trash without our mark stays a moderator's rejection."""
    mark = (
        "<wp:commentmeta><wp:meta_key>comments_deleted_by_author</wp:meta_key>"
        "<wp:meta_value>1</wp:meta_value></wp:commentmeta>"
    )
    items = "".join(
        f"<wp:comment><wp:comment_id>{ref}</wp:comment_id>"
        "<wp:comment_date_gmt>2024-01-01 10:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content>Comment {ref}</wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>{meta}</wp:comment>"
        for ref, approved, meta in (("1", "trash", mark), ("2", "1", mark), ("3", "trash", ""))
    )
    source = tmp_path / "marked.xml"
    source.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
        f"<title>P</title><link>https://blog.example/p/</link>{items}</item></channel></rss>",
        encoding="utf-8",
    )
    summary = run_import(runner, "wxr", source)
    assert summary["imported"] == {"deleted": 1, "published": 1, "rejected": 1}
    comments = imported(app, "wxr")
    assert [comments[ref].status for ref in "123"] == ["deleted", "published", "rejected"]


def test_wxr_names_the_blog_so_another_installations_export_is_not_taken_for_it(
    runner: FlaskCliRunner, post_comment: PostComment, tmp_path: Path
) -> None:
    """Comment ids are only unique within one installation: the site's address names it."""
    posted(post_comment)
    update = ["sites", "update", "default", "--origin", "*", "--origin", "https://one.example"]
    assert runner.invoke(args=update).exit_code == 0
    document = export(runner, "default", "wxr")
    assert "<link>https://one.example</link>" in document
    assert "<wp:base_blog_url>https://one.example</wp:base_blog_url>" in document
    ours, theirs = tmp_path / "one.xml", tmp_path / "two.xml"
    ours.write_text(document, encoding="utf-8")
    theirs.write_text(document.replace("https://one.example", "https://two.example"))
    assert runner.invoke(args=["sites", "create", "fresh"]).exit_code == 0
    for source, expected in ((ours, 3), (theirs, 3), (ours, 0)):
        result = runner.invoke(args=["import", "wxr", str(source), "--site", "fresh"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["imported_total"] == expected


def test_an_export_from_before_it_named_the_blog_is_the_same_blog(
    runner: FlaskCliRunner, post_comment: PostComment, tmp_path: Path
) -> None:
    """Older exports have no <link>: their comments are known by id and creation time."""
    posted(post_comment)
    update = ["sites", "update", "default", "--origin", "https://one.example"]
    assert runner.invoke(args=update).exit_code == 0
    named, unnamed = tmp_path / "named.xml", tmp_path / "unnamed.xml"
    document = export(runner, "default", "wxr")
    named.write_text(document, encoding="utf-8")
    unnamed.write_text(re.sub(r"\t<(link|wp:base_blog_url)>.*\n", "", document), encoding="utf-8")
    assert "one.example" not in unnamed.read_text(encoding="utf-8")
    assert runner.invoke(args=["sites", "create", "fresh"]).exit_code == 0
    for source, expected in ((unnamed, 3), (named, 0), (unnamed, 0), (named, 0)):
        result = runner.invoke(args=["import", "wxr", str(source), "--site", "fresh"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["imported_total"] == expected, source.name
