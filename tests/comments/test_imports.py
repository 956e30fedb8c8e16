"""`flask import wxr|disqus|isso`: a site owner's history comes along, whole and safe.

The sources are small exports written for these tests (tests/comments/import_files/): two
threads each, nested replies, every status, unicode, HTML bodies, a stored-XSS attempt, one
malformed record and one reply whose parent is not in the file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

import classifier
from comments.extensions import db
from comments.models import Comment, CommentScore, Decision, ImportedComment, Thread
from comments.network import hash_ip, ip_hash_keys
from comments.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, is_absolute_link, render
from comments.services.imports.html import html_to_markdown

FILES = Path(__file__).parent / "import_files"
HELLO = "/2024/11/hello-world/"


@dataclass(frozen=True)
class Expected:
    imported: dict[str, int]
    skipped: dict[str, str]  # reason -> the source id skipped for it
    #: source id -> (parent's source id or None, status, author, e-mail, created_at)
    comments: dict[str, tuple[str | None, str, str, str | None, datetime]]
    orphan: str  # the reply whose parent is not in the source
    xss: str  # the comment whose body tries to run script


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


EXPECTED = {
    "wxr": Expected(
        imported={"published": 5, "pending": 1, "spam": 1, "rejected": 1},
        skipped={
            "pingback (not a comment)": "17",
            "no valid wp:comment_date_gmt or wp:comment_date": "18",
        },
        comments={
            "11": (None, "published", "Ann Überwald", "ann@example.org", at(2024, 11, 2, 10, 15)),
            "12": ("11", "published", "Bob", "bob@example.org", at(2024, 11, 2, 11)),
            "13": ("12", "pending", "Cleo", None, at(2024, 11, 3, 8, 30)),
            "14": (None, "spam", "Cheap Pills", "pills@spam.example", at(2024, 11, 4, 2)),
            "15": (None, "rejected", "Dan", "dan@example.org", at(2024, 11, 5, 9)),
        },
        orphan="19",
        xss="16",
    ),
    "disqus": Expected(
        imported={"published": 4, "pending": 1, "spam": 1, "deleted": 1},
        skipped={"thread not in the file": "1007"},
        comments={
            "1001": (None, "published", "Ann Überwald", "ann@example.org", at(2024, 11, 2, 10, 15)),
            "1002": ("1001", "pending", "Bob", "bob@example.org", at(2024, 11, 2, 11)),
            "1003": ("1002", "published", "Cleo", "cleo@example.org", at(2024, 11, 3, 8, 30)),
            "1004": (None, "spam", "Cheap Pills", "pills@spam.example", at(2024, 11, 4, 2)),
            "1005": (None, "deleted", "Dan", "dan@example.org", at(2024, 11, 5, 9)),
        },
        orphan="1008",
        xss="1006",
    ),
    "isso": Expected(
        imported={"published": 4, "pending": 1, "deleted": 1},
        skipped={"unknown mode": "6"},
        comments={
            "1": (None, "published", "Ann Überwald", "ann@example.org", at(2024, 11, 2, 10, 15)),
            "2": ("1", "pending", "Bob", "bob@example.org", at(2024, 11, 2, 11)),
            "3": ("1", "deleted", "", None, at(2024, 11, 3, 8, 30)),
            "4": ("3", "published", "Dan", "dan@example.org", at(2024, 11, 5, 9)),
        },
        orphan="7",
        xss="5",
    ),
}
FORMATS = list(EXPECTED)


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """The WXR and Disqus files as they are; Isso's database built from its SQL."""
    isso = tmp_path / "isso" / "comments.db"
    isso.parent.mkdir()
    with sqlite3.connect(isso) as connection:
        connection.executescript((FILES / "isso.sql").read_text(encoding="utf-8"))
    connection.close()
    return {"wxr": FILES / "blog.wxr.xml", "disqus": FILES / "disqus.xml", "isso": isso}


def run_import(runner: FlaskCliRunner, fmt: str, source: Path, *options: str) -> dict[str, Any]:
    result = runner.invoke(args=["import", fmt, str(source), "--site", "default", *options])
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def imported(app: Flask, fmt: str) -> dict[str, Comment]:
    """The comments an import created, by their id in the source."""
    with app.app_context():
        rows = db.session.execute(
            select(ImportedComment.ref, Comment)
            .join(Comment, Comment.id == ImportedComment.comment_id)
            .where(ImportedComment.source == fmt)
        ).all()
        db.session.expunge_all()
    return {ref: comment for ref, comment in rows}


def counts(app: Flask) -> tuple[int, ...]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Comment, Thread, Decision, ImportedComment, CommentScore)
        )


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_keeps_threads_threading_authors_dates_and_statuses(
    app: Flask, runner: FlaskCliRunner, sources: dict[str, Path], fmt: str
) -> None:
    expected = EXPECTED[fmt]
    summary = run_import(runner, fmt, sources[fmt])
    assert summary["imported"] == expected.imported
    assert summary["threads"] == {"created": 2, "existing": 0}
    assert {reason: s["refs"] for reason, s in summary["skipped"].items()} == {
        reason: [ref] for reason, ref in expected.skipped.items()
    }
    assert summary["warnings"] == {
        "parent not imported: top-level": {"count": 1, "refs": [expected.orphan]}
    }

    comments = imported(app, fmt)
    ids = {comment.id: ref for ref, comment in comments.items()}
    for ref, (parent, status, name, email, created) in expected.comments.items():
        comment = comments[ref]
        assert ids.get(comment.parent_id) == parent, ref
        assert (comment.status, comment.author_name, comment.author_email) == (status, name, email)
        assert comment.created_at.replace(microsecond=0) == created, ref
        assert comment.toxicity is None and comment.model_version is None  # not re-scored
        assert comment.published_at == (comment.created_at if status == "published" else None)
    assert comments[expected.orphan].parent_id is None
    with app.app_context():
        threads = {t.key: t for t in db.session.scalars(select(Thread))}
        decisions = db.session.scalars(select(Decision)).all()
        key = ip_hash_keys(app.config)[0]
    assert threads[HELLO].title == "Hello world"
    assert {comments[ref].thread_id for ref in expected.comments} == {threads[HELLO].id}
    for thread in threads.values():  # as old as its first comment, not as the import
        assert thread.created_at == min(
            c.created_at for c in comments.values() if c.thread_id == thread.id
        ), thread.key
        # And last commented on by its newest, so staff's listing does not put it first.
        assert thread.last_comment_at == max(
            c.created_at for c in comments.values() if c.thread_id == thread.id
        ), thread.key
    assert threads["/about/" if fmt != "wxr" else "/2024/12/second/"].title.startswith(
        ("About ☕", "Second & last post")
    )
    first = comments[next(iter(expected.comments))]
    assert "Ünïcode" in first.body_raw and "Ünïcode" in first.body_html
    # Raw addresses are never stored: hashed exactly as a comment posted from them would be.
    assert first.ip_hash == hash_ip("203.0.113.7" if fmt != "isso" else "203.0.113.0", key)
    assert "203.0.113" not in json.dumps([c.ip_hash for c in comments.values()])
    assert {(d.actor, d.action, d.from_status) for d in decisions} == {("system", "import", None)}
    assert len(decisions) == len(comments)


def test_wxr_specifics(app: Flask, runner: FlaskCliRunner, sources: dict[str, Path]) -> None:
    run_import(runner, "wxr", sources["wxr"])
    comments = imported(app, "wxr")
    ann, bob, cleo, fay = comments["11"], comments["12"], comments["13"], comments["21"]
    assert ann.author_url == "https://ann.example.org"  # a bare host, as the API takes it
    assert ann.body_raw == "Great **post**! Ünïcode ✓ 😀\nSecond line, 2\\*3 = 6 \\& more."
    assert "<strong>post</strong>" in ann.body_html and "2*3 = 6 &amp; more" in ann.body_html
    assert '<a href="https://ann.example.org/" rel="nofollow ugc noopener">Ann</a>' in bob.body_html
    assert cleo.author_email is None and cleo.author_url is None  # invalid values dropped
    assert fay.body_html.startswith("<blockquote>")
    assert fay.created_at == at(2024, 12, 1, 8)  # no GMT time: the local one, read as UTC
    assert fay.status == "published" and fay.thread_id != ann.thread_id


@pytest.mark.parametrize("fmt", FORMATS)
def test_script_in_a_body_is_stored_sanitised(
    app: Flask, runner: FlaskCliRunner, sources: dict[str, Path], fmt: str
) -> None:
    run_import(runner, fmt, sources[fmt])
    comments = imported(app, fmt)
    xss = comments[EXPECTED[fmt].xss]
    assert "Hi" in xss.body_html and xss.status == "published"
    for comment in comments.values():
        assert dangerous_nodes(comment.body_html) == [], comment.body_html


class _Audit(HTMLParser):
    """Elements and attributes outside what the renderer allows (text that merely shows
    "<script>" is fine: it is text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.found.append(tag)
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
            if name not in allowed or (name == "href" and not is_absolute_link(value or "")):
                self.found.append(f"{tag}[{name}={value}]")


def dangerous_nodes(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    return audit.found


@pytest.mark.parametrize("fmt", FORMATS)
def test_dry_run_writes_nothing_and_reports_the_same(
    app: Flask, runner: FlaskCliRunner, sources: dict[str, Path], fmt: str
) -> None:
    before = counts(app)
    dry = run_import(runner, fmt, sources[fmt], "--dry-run")
    assert counts(app) == before
    real = run_import(runner, fmt, sources[fmt])
    assert dry.pop("dry_run") is True and real.pop("dry_run") is False
    assert dry == real
    again = run_import(runner, fmt, sources[fmt], "--dry-run")
    assert again["imported_total"] == 0 and again["threads"]["created"] == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_second_import_skips_everything(
    app: Flask, runner: FlaskCliRunner, sources: dict[str, Path], fmt: str
) -> None:
    first = run_import(runner, fmt, sources[fmt])
    after_first = counts(app)
    second = run_import(runner, fmt, sources[fmt])
    assert counts(app) == after_first
    assert second["imported"] == {} and second["threads"] == {"created": 0, "existing": 0}
    assert second["skipped"]["already imported"]["count"] == first["imported_total"]


def test_an_erased_comment_is_not_imported_again(
    app: Flask, runner: FlaskCliRunner, sources: dict[str, Path]
) -> None:
    run_import(runner, "wxr", sources["wxr"])
    with app.app_context():
        db.session.delete(db.session.get(Comment, imported(app, "wxr")["11"].id))
        db.session.commit()
    again = run_import(runner, "wxr", sources["wxr"])
    assert again["imported_total"] == 0
    assert imported(app, "wxr")["12"].parent_id is None  # SET NULL, as for any deletion


def test_rescore_stores_scores_with_the_model_version_and_keeps_statuses(
    app: Flask,
    runner: FlaskCliRunner,
    sources: dict[str, Path],
    shipped_model: classifier.Model,
) -> None:
    summary = run_import(runner, "disqus", sources["disqus"], "--rescore")
    assert summary["model_version"] == shipped_model.version
    assert summary["imported"] == EXPECTED["disqus"].imported
    comments = imported(app, "disqus")
    for comment in comments.values():
        expected = shipped_model.score(comment.body_raw)
        assert comment.model_version == shipped_model.version
        assert comment.toxicity == pytest.approx(expected.toxicity)
        assert comment.spam == pytest.approx(expected.spam)
    assert comments["1004"].status == "spam" and comments["1001"].status == "published"
    with app.app_context():
        scores = db.session.scalars(select(CommentScore)).all()
        decisions = db.session.scalars(select(Decision)).all()
    assert len(scores) == len(comments)
    assert {s.model_version for s in scores} == {shipped_model.version}
    assert {d.model_version for d in decisions} == {shipped_model.version}


def test_status_map_overrides_the_defaults(
    app: Flask, runner: FlaskCliRunner, sources: dict[str, Path]
) -> None:
    summary = run_import(
        runner, "wxr", sources["wxr"], "--status-map", "trash=skip", "--status-map", "spam=rejected"
    )
    assert summary["imported"] == {"published": 5, "pending": 1, "rejected": 1}
    assert summary["skipped"]["trash: mapped to skip"] == {"count": 1, "refs": ["15"]}
    bad = runner.invoke(
        args=["import", "wxr", str(sources["wxr"]), "--site", "default", "--status-map", "x=y"]
    )
    assert bad.exit_code != 0 and "status_map" in bad.output


def test_imported_comments_show_in_their_thread(
    app: Flask, runner: FlaskCliRunner, sources: dict[str, Path]
) -> None:
    run_import(runner, "wxr", sources["wxr"])
    page = app.test_client().get("/api/v1/comments", query_string={"thread": HELLO})
    assert page.status_code == 200
    listed = page.get_json()["comments"]
    assert [c["author_name"] for c in listed] == ["Ann Überwald", "Bob", "<b>Mallory</b>", "Eve"]
    assert listed[1]["parent_id"] == listed[0]["id"]


def test_unsafe_or_broken_sources_are_refused_and_nothing_is_written(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    before = counts(app)
    laughs = tmp_path / "laughs.xml"
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    laughs.write_text(f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss>&l9;</rss>')
    refused = runner.invoke(args=["import", "wxr", str(laughs), "--site", "default"])
    assert refused.exit_code != 0 and "document type" in refused.output
    external = tmp_path / "external.xml"
    external.write_text('<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss>&e;</rss>')
    assert runner.invoke(args=["import", "disqus", str(external), "--site", "default"]).exit_code
    cut = tmp_path / "cut.xml"
    cut.write_bytes((FILES / "blog.wxr.xml").read_bytes()[:5000])
    broken = runner.invoke(args=["import", "wxr", str(cut), "--site", "default"])
    assert broken.exit_code != 0 and "not well-formed" in broken.output
    not_isso = runner.invoke(args=["import", "isso", str(cut), "--site", "default"])
    assert not_isso.exit_code != 0 and "not an Isso database" in not_isso.output
    assert counts(app) == before


def test_isso_database_is_only_read(runner: FlaskCliRunner, sources: dict[str, Path]) -> None:
    digest = hashlib.sha256(sources["isso"].read_bytes()).hexdigest()
    run_import(runner, "isso", sources["isso"])
    assert hashlib.sha256(sources["isso"].read_bytes()).hexdigest() == digest


def test_unknown_site(runner: FlaskCliRunner, sources: dict[str, Path]) -> None:
    result = runner.invoke(args=["import", "wxr", str(sources["wxr"]), "--site", "nope"])
    assert result.exit_code != 0 and "Unknown site" in result.output


@pytest.mark.parametrize(
    ("html", "rendered"),
    [
        ("<p>One</p><p>Two<br>lines</p>", "<p>One</p>\n<p>Two<br>\nlines</p>"),
        ("*not emphasis* [not](a link)", "<p>*not emphasis* [not](a link)</p>"),
        ("- not\n1. a list\n> nor a quote", "<p>- not<br>\n1. a list<br>\n&gt; nor a quote</p>"),
        ("<ul><li>a</li><li>b</li></ul>", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("<code>a_b*</code>", "<p><code>a_b*</code></p>"),
        ('<a href="/relative">kept as text</a>', "<p>kept as text</p>"),
        ("<style>p { color: red }</style><b>bold</b>", "<p><strong>bold</strong></p>"),
    ],
)
def test_html_becomes_the_markdown_we_store(html: str, rendered: str) -> None:
    assert render(html_to_markdown(html)) == rendered


def test_a_database_that_is_not_issos_is_refused_in_one_line(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.executescript(
            "CREATE TABLE threads (id INTEGER PRIMARY KEY, name TEXT);"
            "CREATE TABLE comments (id INTEGER PRIMARY KEY, body TEXT);"
            "INSERT INTO threads VALUES (1, 'x'); INSERT INTO comments VALUES (1, 'hello');"
        )
    connection.close()
    before = counts(app)
    result = runner.invoke(args=["import", "isso", str(other), "--site", "default"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "not an Isso database" in result.output and "Traceback" not in result.output
    assert counts(app) == before


@pytest.mark.parametrize(
    ("fmt", "content", "message"),
    [
        ("disqus", (FILES / "blog.wxr.xml").read_text(encoding="utf-8"), "not a Disqus export"),
        ("wxr", (FILES / "disqus.xml").read_text(encoding="utf-8"), "not a WordPress export"),
        ("wxr", "<a/>", "not a WordPress export"),
    ],
)
def test_a_file_of_another_format_is_refused(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, fmt: str, content: str, message: str
) -> None:
    source = tmp_path / "source.xml"
    source.write_text(content, encoding="utf-8")
    before = counts(app)
    result = runner.invoke(args=["import", fmt, str(source), "--site", "default"])
    assert result.exit_code == 1 and message in result.output
    assert counts(app) == before
