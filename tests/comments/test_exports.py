"""`flask export SITE` and the admin download: a site's comments leave whole, in formats other
tools read (JSON Lines, WordPress's WXR), and come back in through our own importer."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner

from comments.extensions import db
from comments.models import Comment
from comments.services.exports import export_comments
from comments.services.imports import READERS
from comments.services.imports.records import SourceComment
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken

FILES = Path(__file__).parent / "import_files"
JSONL_FIELDS = {
    "site",
    "thread_key",
    "thread_title",
    "thread_url",
    "thread_closed",
    "id",
    "parent_id",
    "status",
    "author_name",
    "author_email",
    "author_url",
    "body_raw",
    "body_html",
    "created_at",
    "published_at",
    "toxicity",
    "spam",
    "model_version",
}
TRICKY = "Code: `a]]>b` & <tags> ✓ 😀\nsecond line"


def posted(post_comment: PostComment) -> list[int]:
    """A published comment, a published reply with awkward text, and a held abusive one."""
    first = post_comment(
        body=NICE, author_email="ann@example.org", thread_title="Post", author_url="ann.example"
    )
    reply = post_comment(body=TRICKY, parent_id=first.get_json()["id"], author_name="Bob")
    held = post_comment(body=ABUSIVE, thread="/post/2")
    assert [r.status_code for r in (first, reply, held)] == [201, 201, 201]
    assert held.get_json()["status"] == "pending"
    return [r.get_json()["id"] for r in (first, reply, held)]


def export(runner: FlaskCliRunner, site: str, fmt: str, *options: str) -> str:
    result = runner.invoke(args=["export", site, "--format", fmt, *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_jsonl_has_every_field_of_every_comment(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    first, reply, held = posted(post_comment)
    lines = [json.loads(line) for line in export(runner, "default", "jsonl").splitlines()]
    assert [line["id"] for line in lines] == [first, reply, held]
    assert all(set(line) == JSONL_FIELDS for line in lines)
    by_id = {line["id"]: line for line in lines}
    with app.app_context():
        comment = db.session.get(Comment, reply)
        assert comment is not None
        assert by_id[reply]["body_raw"] == comment.body_raw == TRICKY
        assert by_id[reply]["body_html"] == comment.body_html
        assert by_id[reply]["created_at"] == comment.created_at.isoformat()
        assert by_id[reply]["toxicity"] == comment.toxicity is not None
        assert by_id[reply]["model_version"] == comment.model_version is not None
    assert by_id[reply]["parent_id"] == first and by_id[first]["parent_id"] is None
    assert by_id[first]["author_email"] == "ann@example.org"
    assert by_id[first]["author_url"] == "https://ann.example"
    assert (by_id[first]["thread_key"], by_id[first]["thread_title"]) == ("/post/1", "Post")
    assert by_id[held]["status"] == "pending" and by_id[held]["thread_key"] == "/post/2"


def test_without_format_the_export_is_json_lines_as_the_help_says(
    runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    posted(post_comment)
    assert "[default: jsonl]" in runner.invoke(args=["export", "--help"]).output
    plain = runner.invoke(args=["export", "default"])
    assert plain.exit_code == 0 and plain.output == export(runner, "default", "jsonl")


def test_export_comments_takes_any_condition(app: Flask, post_comment: PostComment) -> None:
    """What an author's own export can reuse."""
    posted(post_comment)
    out = io.StringIO()
    with app.app_context():
        count = export_comments(
            db.session(), Comment.author_email == "ann@example.org", "jsonl", out
        )
    assert count == 1 and json.loads(out.getvalue())["author_email"] == "ann@example.org"


def test_download_is_for_admins_only_and_streamed(
    client: Any, runner: FlaskCliRunner, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    first, reply, held = posted(post_comment)
    path = "/api/v1/admin/sites/default/export"
    admin = staff_headers("admin")
    response = client.get(path, headers=admin)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="default-comments.jsonl"'
    )
    assert [json.loads(line)["id"] for line in response.text.splitlines()] == [first, reply, held]
    assert response.text == export(runner, "default", "jsonl")

    wxr = client.get(path, query_string={"format": "wxr"}, headers=admin)
    assert wxr.status_code == 200 and wxr.mimetype == "application/rss+xml"
    assert wxr.text == export(runner, "default", "wxr")

    assert client.get(path).status_code == 401
    assert client.get(path, headers=staff_headers("moderator")).status_code == 403
    assert client.get(path, headers=staff_headers("analyst")).status_code == 403
    unknown = client.get("/api/v1/admin/sites/nope/export", headers=admin)
    assert unknown.status_code == 404
    assert client.get(path, query_string={"format": "csv"}, headers=admin).status_code == 422


def test_exported_wxr_reads_back_record_for_record(
    runner: FlaskCliRunner, post_comment: PostComment, tmp_path: Path
) -> None:
    ids = posted(post_comment)
    exported = tmp_path / "out.xml"
    export(runner, "default", "wxr", "--output", str(exported))
    records = list(READERS["wxr"].read(exported, lambda _: None))
    assert all(isinstance(record, SourceComment) for record in records)
    assert [record.ref for record in records] == [str(i) for i in ids]
    assert records[1].body == TRICKY and records[1].parent_ref == str(ids[0])


def test_unknown_site(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["export", "nope"])
    assert result.exit_code != 0 and "Unknown site" in result.output
