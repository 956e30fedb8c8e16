"""Closed threads in exports and imports: an export says which threads are closed (WXR's
`comment_status`, JSON Lines' `thread_closed`), and an import closes the threads its source
closed (WordPress's `comment_status`, Disqus's `isClosed`), where staff here gave no word."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from flask.testing import FlaskClient, FlaskCliRunner

from tests.comments.conftest import NICE, PostComment
from tests.comments.test_closed_threads import (
    CLOSED,
    LATER,
    closed,
    first_comment_days_ago,
    site_update,
    threads,
)
from tests.comments.test_exports import FILES, export

WP = "{http://wordpress.org/export/1.2/}"
HELLO, SECOND = "/2024/11/hello-world/", "/2024/12/second/"


def settings(runner: FlaskCliRunner, site: str) -> dict[str, str]:
    """Each thread's closed_setting ("closed", "open" or "site") as `flask threads list` says."""
    listed = threads(runner, "list", site)
    assert listed.exit_code == 0, listed.output
    lines = [json.loads(line) for line in listed.output.splitlines()]
    return {line["key"]: line["closed_setting"] for line in lines}


def comment_statuses(wxr: str) -> dict[str, str]:
    """Each post's wp:comment_status, by its link (the thread key, for threads without a URL)."""
    channel = ElementTree.fromstring(wxr).find("channel")
    assert channel is not None
    return {
        item.findtext("link", ""): item.findtext(f"{WP}comment_status", "")
        for item in channel.iter("item")
    }


def wordpress_file(tmp_path: Path, statuses: dict[str, str]) -> Path:
    """The test blog's WXR with a wp:comment_status on the posts named (by post_name)."""
    text = (FILES / "blog.wxr.xml").read_text()
    for name, status in statuses.items():
        tag = f"<wp:post_name><![CDATA[{name}]]></wp:post_name>"
        assert tag in text
        text = text.replace(tag, f"{tag}\n\t\t<wp:comment_status>{status}</wp:comment_status>")
    path = tmp_path / "blog.wxr.xml"
    path.write_text(text)
    return path


def import_file(runner: FlaskCliRunner, fmt: str, path: Path, site: str = "default") -> None:
    result = runner.invoke(args=["import", fmt, str(path), "--site", site])
    assert result.exit_code == 0, result.output


def test_exports_say_which_threads_are_closed_and_a_wxr_round_trip_keeps_them_closed(
    client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment, tmp_path: Path
) -> None:
    for key in ("/by-staff", "/by-age", "/reopened", "/open"):
        assert post_comment(thread=key).status_code == 201
    assert site_update(runner, "--close-after-days", "30").exit_code == 0
    assert threads(runner, "update", "default", "/by-staff", "--close").exit_code == 0
    for key in ("/by-age", "/reopened"):
        first_comment_days_ago(client.application, 31, key)
    assert threads(runner, "update", "default", "/reopened", "--open").exit_code == 0

    wxr = export(runner, "default", "wxr")
    assert comment_statuses(wxr) == {
        "/by-staff": "closed",
        "/by-age": "closed",
        "/reopened": "open",
        "/open": "open",
    }
    lines = [json.loads(line) for line in export(runner, "default", "jsonl").splitlines()]
    assert {line["thread_key"]: line["thread_closed"] for line in lines} == {
        "/by-staff": True,
        "/by-age": True,
        "/reopened": False,
        "/open": False,
    }

    # Into a site that closes nothing by age: closed threads are closed by staff's word there,
    # the others follow the site.
    exported = tmp_path / "default.xml"
    exported.write_text(wxr)
    assert runner.invoke(args=["sites", "create", "fresh"]).exit_code == 0
    import_file(runner, "wxr", exported, site="fresh")
    assert settings(runner, "fresh") == {
        "/by-staff": "closed",
        "/by-age": "closed",
        "/reopened": "site",
        "/open": "site",
    }
    page = client.get("/api/v1/comments", query_string={"site": "fresh", "thread": "/by-age"})
    assert page.get_json()["closed"] is True
    refused = post_comment(site="fresh", thread="/by-age", body=LATER)
    assert refused.status_code == 409 and refused.get_json() == CLOSED
    assert post_comment(site="fresh", thread="/reopened", body=LATER).status_code == 201


def test_a_wordpress_post_closed_to_comments_is_imported_closed_unless_staff_opened_it(
    client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment, tmp_path: Path
) -> None:
    # A page already here, which staff opened: their word stands over the file's.
    assert post_comment(thread=HELLO, body=NICE).status_code == 201
    assert threads(runner, "update", "default", HELLO, "--open").exit_code == 0
    import_file(
        runner, "wxr", wordpress_file(tmp_path, {"hello-world": "closed", "second": "closed"})
    )
    assert settings(runner, "default") == {HELLO: "open", SECOND: "closed"}
    assert closed(client, SECOND) is True
    assert post_comment(thread=SECOND, body=LATER).get_json() == CLOSED
    assert post_comment(thread=HELLO, body=LATER).status_code == 201


def test_a_wordpress_post_open_to_comments_follows_the_site(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    import_file(runner, "wxr", wordpress_file(tmp_path, {"hello-world": "open"}))
    assert settings(runner, "default") == {HELLO: "site", SECOND: "site"}


def test_a_disqus_thread_closed_there_is_imported_closed(
    client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    text = (FILES / "disqus.xml").read_text()
    assert text.count("<isClosed>false</isClosed>") == 2
    closed_first = tmp_path / "disqus.xml"
    closed_first.write_text(
        text.replace("<isClosed>false</isClosed>", "<isClosed>true</isClosed>", 1)
    )
    import_file(runner, "disqus", closed_first)
    assert settings(runner, "default") == {HELLO: "closed", "/about/": "site"}
    assert closed(client, HELLO) is True and closed(client, "/about/") is False
