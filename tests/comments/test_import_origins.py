"""Several blogs into one site: comment ids restart in every WordPress blog and Isso database,
so an imported comment is known by the blog (forum, database) it came from as well as its id.

The second blog of each test is the first one moved a year back and renamed (another
WordPress address, Disqus forum, Isso session key): the same ids, other comments.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment, Decision, ImportedComment
from tests.comments.test_imports import EXPECTED, FILES, FORMATS, counts, imported, run_import


def _isso(path: Path, session_key: str | None = None, years_back: int = 0) -> Path:
    with sqlite3.connect(path) as connection:
        connection.executescript((FILES / "isso.sql").read_text(encoding="utf-8"))
        if session_key is not None:
            connection.execute(
                "UPDATE preferences SET value = ? WHERE key = 'session-key'", (session_key,)
            )
        connection.execute("UPDATE comments SET created = created - ?", (years_back * 31536000,))
    connection.close()
    return path


def _moved(source: Path, target: Path, *renames: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf-8").replace("2024-", "2023-")
    for old, new in renames:
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def blogs(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    """Per format: the first blog's export and a second blog's, with the same comment ids."""
    return {
        "wxr": (
            FILES / "blog.wxr.xml",
            _moved(
                FILES / "blog.wxr.xml", tmp_path / "other.xml", ("blog.example", "other.example")
            ),
        ),
        "disqus": (
            FILES / "disqus.xml",
            _moved(
                FILES / "disqus.xml",
                tmp_path / "other-disqus.xml",
                ("<forum>testblog</forum>", "<forum>otherblog</forum>"),
            ),
        ),
        "isso": (
            _isso(tmp_path / "first.db"),
            _isso(tmp_path / "second.db", "0123456789abcdef0123456789abcdef0123456789abcdef", 1),
        ),
    }


def _into_legacy_rows(app: Flask) -> None:
    """What a site that imported before origins were recorded has after upgrading."""
    with app.app_context():
        flask_migrate.downgrade(revision="0014")
        flask_migrate.upgrade()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_second_blog_imports_fully_and_each_imports_once(
    app: Flask, runner: FlaskCliRunner, blogs: dict[str, tuple[Path, Path]], fmt: str
) -> None:
    first, second = blogs[fmt]
    one = run_import(runner, fmt, first)
    two = run_import(runner, fmt, second)
    assert two["imported"] == one["imported"] == EXPECTED[fmt].imported
    assert "already imported" not in two["skipped"]
    assert two["warnings"] == one["warnings"]  # the orphan only: replies found their parents
    after = counts(app)
    assert after[0] == 2 * one["imported_total"]
    for source, summary in ((first, one), (second, two)):
        again = run_import(runner, fmt, source)
        assert again["imported"] == {} and counts(app) == after
        assert again["skipped"]["already imported"]["count"] == summary["imported_total"]


def test_the_import_decision_names_the_blog(
    app: Flask, runner: FlaskCliRunner, blogs: dict[str, tuple[Path, Path]]
) -> None:
    run_import(runner, "wxr", blogs["wxr"][1])
    ann = imported(app, "wxr")["11"]
    with app.app_context():
        reason = db.session.scalar(select(Decision.reason).where(Decision.comment_id == ann.id))
    assert reason == "imported from wxr other.example (there: approved, id 11)"


def test_a_blog_that_moved_to_https_or_www_is_the_same_blog(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    run_import(runner, "wxr", FILES / "blog.wxr.xml")
    before = counts(app)
    moved = tmp_path / "moved.xml"
    text = (FILES / "blog.wxr.xml").read_text(encoding="utf-8")
    moved.write_text(text.replace("https://blog.example", "http://www.blog.example/"))
    again = run_import(runner, "wxr", moved)
    assert again["imported"] == {} and counts(app) == before


def test_base_blog_url_names_a_multisite_blog_over_the_channel_link(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """Two blogs of one network: each export names its blog in wp:base_blog_url."""
    text = (FILES / "blog.wxr.xml").read_text(encoding="utf-8")
    sources = []
    for blog in ("en", "fr"):
        source = tmp_path / f"{blog}.xml"
        source.write_text(
            text.replace(
                "<wp:base_site_url>https://blog.example</wp:base_site_url>",
                "<wp:base_site_url>https://blog.example</wp:base_site_url>"
                f"<wp:base_blog_url>https://blog.example/{blog}</wp:base_blog_url>",
            ).replace("2024-", "2023-" if blog == "fr" else "2024-"),
            encoding="utf-8",
        )
        sources.append(source)
    assert run_import(runner, "wxr", sources[0])["imported_total"] == 8
    assert run_import(runner, "wxr", sources[1])["imported_total"] == 8


@pytest.mark.parametrize("fmt", FORMATS)
def test_comments_imported_before_the_upgrade_are_neither_duplicated_nor_in_the_way(
    app: Flask, runner: FlaskCliRunner, blogs: dict[str, tuple[Path, Path]], fmt: str
) -> None:
    """Rows from before the upgrade name no blog: each is taken for the comment it made
    (same id, same creation time), not for another blog's comment with its id."""
    first, second = blogs[fmt]
    one = run_import(runner, fmt, first)
    _into_legacy_rows(app)
    two = run_import(runner, fmt, second)  # the second blog before re-importing the first
    assert two["imported"] == one["imported"]
    after = counts(app)
    for source in (first, second, first):
        again = run_import(runner, fmt, source)
        assert again["imported"] == {} and counts(app) == after


def test_an_erased_comment_imported_before_the_upgrade_stays_erased(
    app: Flask, runner: FlaskCliRunner
) -> None:
    run_import(runner, "wxr", FILES / "blog.wxr.xml")
    with app.app_context():
        db.session.delete(db.session.get(Comment, imported(app, "wxr")["11"].id))
        db.session.commit()
    _into_legacy_rows(app)
    before = counts(app)
    again = run_import(runner, "wxr", FILES / "blog.wxr.xml")
    assert again["imported_total"] == 0 and counts(app) == before
    assert again["skipped"]["already imported"]["count"] == 8


def test_downgrading_keeps_one_record_per_id(
    app: Flask, runner: FlaskCliRunner, blogs: dict[str, tuple[Path, Path]]
) -> None:
    first, second = blogs["wxr"]
    run_import(runner, "wxr", first)
    run_import(runner, "wxr", second)
    _into_legacy_rows(app)
    assert run_import(runner, "wxr", first)["imported_total"] == 0


def test_isso_session_key_names_the_database_but_is_kept_nowhere(
    app: Flask, runner: FlaskCliRunner, blogs: dict[str, tuple[Path, Path]]
) -> None:
    """Isso signs its cookies with that key: only a digest of it is stored."""
    run_import(runner, "isso", blogs["isso"][0])
    key = "5f0c3c1d9be2a7e04f61a8b3c2d17e9a0b4c6d8e1f2a3b4c"
    with app.app_context():
        stored = [*db.session.scalars(select(ImportedComment.origin))]
        stored += db.session.scalars(select(Decision.reason))
    assert stored and not any(key[:12] in text for text in stored)


def test_an_isso_database_without_a_session_key_still_imports_once(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    source = _isso(tmp_path / "old.db")
    with sqlite3.connect(source) as connection:
        connection.execute("DROP TABLE preferences")
    connection.close()
    assert run_import(runner, "isso", source)["imported"] == EXPECTED["isso"].imported
    before = counts(app)
    assert run_import(runner, "isso", source)["imported_total"] == 0 and counts(app) == before
