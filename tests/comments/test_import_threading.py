"""Imports keep threading whatever order the source lists comments in: a reply before its
parent, a parent after its replies, and a parent cycle (broken, with a warning)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.comments.test_imports import counts, imported, run_import


def test_a_reply_listed_before_its_parent_is_still_linked(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    def post(ref: str, parent: str | None) -> str:
        reply_to = f'<parent dsq:id="{parent}"/>' if parent else ""
        return (
            f'<post dsq:id="{ref}"><message>&lt;p&gt;Post {ref}&lt;/p&gt;</message>'
            f"<createdAt>2024-01-0{ref}T10:00:00Z</createdAt><isSpam>false</isSpam>"
            f'<author><name>A{ref}</name></author><thread dsq:id="1"/>{reply_to}</post>'
        )

    source = tmp_path / "disqus.xml"
    source.write_text(
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="1"><link>https://blog.example/p/</link><title>P</title></thread>'
        f"{post('3', '2')}{post('2', '1')}{post('1', None)}</disqus>"
    )
    summary = run_import(runner, "disqus", source)
    assert summary["imported"] == {"published": 3} and summary["warnings"] == {}
    comments = imported(app, "disqus")
    assert comments["3"].parent_id == comments["2"].id
    assert comments["2"].parent_id == comments["1"].id
    assert comments["1"].body_html == "<p>Post 1</p>"


def wxr_file(path: Path, *comments: tuple[str, str, str]) -> Path:
    """A one-post WXR file with these (id, parent id or "0", GMT date) comments, in this order."""
    items = "".join(
        f"<wp:comment><wp:comment_id>{ref}</wp:comment_id>"
        f"<wp:comment_author>A{ref}</wp:comment_author>"
        f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt>"
        f"<wp:comment_content>Comment {ref}</wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        for ref, parent, date in comments
    )
    path.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
        f"<title>P</title><link>https://blog.example/p/</link>{items}</item></channel></rss>",
        encoding="utf-8",
    )
    return path


def test_a_parent_listed_after_its_replies_is_stored_first_and_shows_above_them(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    source = wxr_file(
        tmp_path / "late-parent.xml",
        ("3", "2", "2024-01-03 10:00:00"),
        ("2", "1", "2024-01-02 10:00:00"),
        ("4", "0", "2024-01-04 10:00:00"),
        ("1", "0", "2024-01-01 10:00:00"),
    )
    summary = run_import(runner, "wxr", source)
    assert summary["imported"] == {"published": 4} and summary["warnings"] == {}
    comments = imported(app, "wxr")
    assert comments["1"].id < comments["2"].id < comments["3"].id  # threads list by id
    # The widget reads a page at a time: every reply's parent has come before it.
    client, shown, cursor = app.test_client(), {}, None
    while True:
        query = {"thread": "/p/", "per_page": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/comments", query_string=query).get_json()
        for comment in page["comments"]:
            assert comment["parent_id"] is None or comment["parent_id"] in shown, comment
            shown[comment["id"]] = comment["author_name"]
        assert page["removed"] == []
        if not (cursor := page["next"]):
            break
    assert sorted(shown.values()) == ["A1", "A2", "A3", "A4"]
    before = counts(app)
    again = run_import(runner, "wxr", source)
    assert again["imported_total"] == 0 and counts(app) == before


def test_a_parent_cycle_is_broken_with_a_warning(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    source = wxr_file(
        tmp_path / "cycle.xml",
        ("3", "4", "2024-01-01 10:00:00"),
        ("4", "3", "2024-01-02 10:00:00"),
        ("5", "4", "2024-01-03 10:00:00"),
    )
    summary = run_import(runner, "wxr", source)
    assert summary["imported"] == {"published": 3}
    assert summary["warnings"] == {"parent cycle: top-level": {"count": 1, "refs": ["3"]}}
    comments = imported(app, "wxr")
    assert comments["3"].parent_id is None  # the oldest becomes the root
    assert comments["4"].parent_id == comments["3"].id
    assert comments["5"].parent_id == comments["4"].id
    assert comments["3"].id < comments["4"].id < comments["5"].id
    again = run_import(runner, "wxr", source)
    assert again["imported_total"] == 0 and again["warnings"] == {}
