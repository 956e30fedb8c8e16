"""`flask threads ...`: whoever comments first on a page names its thread, and any reader can
post first, through the API, with any title: staff list threads and correct what they say."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import Thread
from tests.comments.conftest import ABUSIVE, NICE, PostComment

PHISHING = "Your account is suspended: confirm it at account-check.example"


def thread_row(app: Flask, key: str) -> tuple[str, str | None]:
    with app.app_context():
        thread = db.session.scalar(select(Thread).where(Thread.key == key))
        assert thread is not None
        return thread.title, thread.url


def listed(runner: FlaskCliRunner, *args: str) -> list[dict[str, object]]:
    result = runner.invoke(args=["threads", "list", "default", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_a_title_a_stranger_gave_is_corrected_and_later_comments_keep_it(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    assert post_comment(thread="/post", thread_title=PHISHING).status_code == 201
    assert thread_row(app, "/post")[0] == PHISHING
    result = runner.invoke(
        args=["threads", "update", "default", "/post", "--title", "  The real post  "]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["title"] == "The real post"
    # A title is filled only while empty: the next comment's cannot take it back.
    assert post_comment(thread="/post", body=NICE + " More.", thread_title=PHISHING).status_code
    assert thread_row(app, "/post")[0] == "The real post"


def test_the_address_is_set_checked_and_removed(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    assert post_comment(thread="/post").status_code == 201
    set_url = ["threads", "update", "default", "/post", "--url"]
    assert runner.invoke(args=[*set_url, "https://blog.example/post"]).exit_code == 0
    assert thread_row(app, "/post")[1] == "https://blog.example/post"
    refused = runner.invoke(args=[*set_url, "javascript:alert(1)"])
    assert refused.exit_code == 2 and "url: Must be an http or https address." in refused.output
    assert thread_row(app, "/post")[1] == "https://blog.example/post", "nothing changed"
    assert runner.invoke(args=[*set_url, ""]).exit_code == 0
    assert thread_row(app, "/post")[1] is None


def test_unknown_sites_threads_and_empty_updates_are_refused(
    runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    assert post_comment(thread="/post").status_code == 201
    for args, says in [
        (["update", "nosuch", "/post", "--title", "x"], "site: Unknown site 'nosuch'."),
        (["update", "default", "/other", "--title", "x"], "thread: No thread '/other'"),
        (["update", "default", "/post"], "Give --title, --url, --close, --open or --follow-site."),
        (["update", "default", "/post", "--title", "x" * 301], "title: Longer than maximum"),
        (["list", "nosuch"], "site: Unknown site 'nosuch'."),
    ]:
        result = runner.invoke(args=["threads", *args])
        assert result.exit_code == 2 and says in result.output, (args, result.output)


def test_threads_are_listed_most_recently_commented_first_with_published_counts(
    runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    assert post_comment(thread="/old", thread_title="Old").status_code == 201
    first = post_comment(thread="/new", thread_title="New", body="A fair account of the visit.")
    assert first.get_json()["status"] == "published"
    second = post_comment(thread="/new", body="I had not thought of the history either.")
    assert second.get_json()["status"] == "published"
    held = post_comment(thread="/new", body=ABUSIVE)
    assert held.get_json()["status"] == "pending"
    threads = listed(runner)
    assert [(t["key"], t["title"], t["published"]) for t in threads] == [
        ("/new", "New", 2),
        ("/old", "Old", 1),
    ]
    assert threads[0]["last_comment_at"] >= threads[1]["last_comment_at"]
    assert [t["key"] for t in listed(runner, "--limit", "1")] == ["/new"]
