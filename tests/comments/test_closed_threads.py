"""Site owners close threads to new comments: staff close or open one (`flask threads update
--close/--open/--follow-site`), a site closes those whose first comment is older than
`--close-after-days`. A comment or reply to a closed thread is refused with 409 and nothing is
stored; readers are told `closed` when they read the thread; authors' own edits, reports and
moderation go on as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update

from comments.errors import FieldErrors
from comments.extensions import db
from comments.models import Comment, Decision, Thread
from comments.services import sites
from tests.comments.conftest import NICE, PostComment, StaffToken

CLOSED = {
    "code": 409,
    "status": "Conflict",
    "message": "Comments are closed on this page.",
    "errors": {"thread": ["Comments are closed on this page."]},
}
LATER = "I came back to this after a week and still agree with the second half."


def threads(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=["threads", *args])


def thread_update(runner: FlaskCliRunner, *args: str) -> dict[str, Any]:
    result = threads(runner, "update", "default", "/post/1", *args)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def site_update(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=["sites", "update", "default", *args])


def closed(client: FlaskClient, thread: str = "/post/1") -> Any:
    answer = client.get("/api/v1/comments", query_string={"thread": thread})
    assert answer.status_code == 200
    return answer.get_json()["closed"]


def stored(app: Flask) -> tuple[int, int, int]:
    """Comments, decisions and threads: what a refused post must not add to."""
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Comment, Decision, Thread)
        )


def first_comment_days_ago(app: Flask, days: float, key: str = "/post/1") -> None:
    with app.app_context():
        db.session.execute(
            update(Thread)
            .where(Thread.key == key)
            .values(created_at=datetime.now(UTC) - timedelta(days=days))
        )
        db.session.commit()


@pytest.fixture
def first(post_comment: PostComment) -> dict[str, Any]:
    """The thread's first comment, published."""
    answer = post_comment(author_email="ann@example.org")
    assert answer.status_code == 201 and answer.get_json()["status"] == "published"
    data: dict[str, Any] = answer.get_json()
    return data


def test_a_thread_closed_by_staff_refuses_comments_and_replies_and_stores_nothing(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    first: dict[str, Any],
) -> None:
    assert closed(client) is False
    assert thread_update(runner, "--close") == {
        "key": "/post/1",
        "title": "",
        "url": None,
        "closed": True,
        "closed_setting": "closed",
    }
    before = stored(app)
    comment = post_comment(body=LATER, author_name="Bob")
    assert comment.status_code == 409 and comment.get_json() == CLOSED
    reply = post_comment(body=LATER, author_name="Bob", parent_id=first["id"])
    assert reply.status_code == 409 and reply.get_json() == CLOSED
    assert stored(app) == before
    assert closed(client) is True
    # Other threads of the site are not touched.
    assert post_comment(thread="/post/2", body=LATER).status_code == 201
    listed = [json.loads(line) for line in threads(runner, "list", "default").output.splitlines()]
    assert {t["key"]: (t["closed"], t["closed_setting"]) for t in listed} == {
        "/post/1": (True, "closed"),
        "/post/2": (False, "site"),
    }


def test_a_reopened_thread_takes_comments_again(
    client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment, first: dict[str, Any]
) -> None:
    thread_update(runner, "--close")
    assert post_comment(body=LATER).status_code == 409
    assert thread_update(runner, "--open")["closed"] is False
    assert closed(client) is False
    assert post_comment(body=LATER).status_code == 201
    reply = post_comment(body=LATER + " Indeed.", parent_id=first["id"])
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == first["id"]


def test_a_site_closes_threads_whose_first_comment_is_older_than_its_limit(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    first: dict[str, Any],
) -> None:
    set_ = site_update(runner, "--close-after-days", "30")
    assert set_.exit_code == 0 and json.loads(set_.output)["close_after_days"] == 30
    first_comment_days_ago(app, 29)
    assert closed(client) is False
    assert post_comment(body=LATER).status_code == 201
    first_comment_days_ago(app, 31)  # the thread's age is its first comment's, not its last's
    assert closed(client) is True
    before = stored(app)
    assert post_comment(body=LATER + " Again.").get_json() == CLOSED
    assert post_comment(body=LATER, parent_id=first["id"]).get_json() == CLOSED
    assert stored(app) == before
    listed = json.loads(threads(runner, "list", "default").output)
    assert (listed["closed"], listed["closed_setting"]) == (True, "site")

    # A page without comments has no first comment, so no age: open, and its first comment
    # starts its clock.
    assert closed(client, "/new-page") is False
    assert post_comment(thread="/new-page", body=LATER).status_code == 201
    assert closed(client, "/new-page") is False

    # Staff's word on a thread goes before the site's limit, until they hand it back.
    assert thread_update(runner, "--open") == {
        "key": "/post/1",
        "title": "",
        "url": None,
        "closed": False,
        "closed_setting": "open",
    }
    assert post_comment(body=LATER + " Reopened.").status_code == 201
    assert thread_update(runner, "--follow-site")["closed"] is True
    assert post_comment(body=LATER + " Once more.").status_code == 409

    # "never" (or 0) turns the limit off.
    assert (
        json.loads(site_update(runner, "--close-after-days", "never").output)["close_after_days"]
        == 0
    )
    assert closed(client) is False
    assert post_comment(body=LATER + " Once more.").status_code == 201


def test_a_retry_of_a_comment_stored_before_the_close_gets_its_answer(
    runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    """The widget sends an unanswered post again with the same key: the comment was stored
    before the thread closed, so the retry is answered with it, not refused."""
    sent = {"body": LATER, "idempotency_key": "retry-before-close-1"}
    stored_first = post_comment(**sent)
    assert stored_first.status_code == 201
    thread_update(runner, "--close")
    retried = post_comment(**sent)
    assert retried.status_code == 200 and retried.get_json()["id"] == stored_first.get_json()["id"]
    # A new comment under a new key is refused.
    assert post_comment(body=LATER, idempotency_key="retry-before-close-2").status_code == 409


def test_authors_edit_and_delete_their_comments_and_readers_report_on_a_closed_thread(
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    first: dict[str, Any],
) -> None:
    """An author's own comment, posted before the close, stays theirs to correct or withdraw
    within its edit window; readers still report what they see."""
    other = post_comment(body=LATER, author_name="Bob").get_json()
    thread_update(runner, "--close")
    token = {"X-Edit-Token": first["edit_token"]}
    edited = client.patch(
        f"/api/v1/comments/{first['id']}", json={"body": NICE + " Corrected."}, headers=token
    )
    assert edited.status_code == 200 and "Corrected." in edited.get_json()["html"]
    report = client.post(f"/api/v1/comments/{first['id']}/reports", json={"reason": "spam"})
    assert report.status_code == 201
    deleted = client.delete(
        f"/api/v1/comments/{other['id']}", headers={"X-Edit-Token": other["edit_token"]}
    )
    assert deleted.status_code == 200


def test_moderators_still_decide_comments_of_a_closed_thread(
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
    held: None,
) -> None:
    pending = post_comment(body=LATER).get_json()
    assert pending["status"] == "pending"
    thread_update(runner, "--close")
    approved = client.post(
        f"/api/v1/moderation/comments/{pending['id']}/decision",
        json={"action": "approve"},
        headers=staff_headers("moderator"),
    )
    assert approved.status_code == 200 and approved.get_json()["status"] == "published"
    page = client.get("/api/v1/comments", query_string={"thread": "/post/1"}).get_json()
    assert [c["id"] for c in page["comments"]] == [pending["id"]] and page["closed"] is True


def test_the_openapi_document_tells_closed_and_the_409(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    page = document["components"]["schemas"]["ThreadPage"]["properties"]
    assert page["closed"]["type"] == "boolean"
    assert "409" in document["paths"]["/api/v1/comments"]["post"]["responses"]


def test_an_imported_post_is_as_old_as_its_first_comment(
    client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    """A blog's history imported today: its posts of 2024 are closed at once by a 30-day
    limit, not 30 days after the import."""
    wxr = Path(__file__).parent / "import_files" / "blog.wxr.xml"
    done = runner.invoke(args=["import", "wxr", str(wxr), "--site", "default"])
    assert done.exit_code == 0, done.output
    assert site_update(runner, "--close-after-days", "30").exit_code == 0
    old_post = "/2024/11/hello-world/"
    assert closed(client, old_post) is True
    assert post_comment(thread=old_post, body=LATER).get_json() == CLOSED


@pytest.mark.parametrize("value", ["-1", "1.5", "thirty", "36501", "", "٣"])
def test_close_after_days_takes_whole_days_or_never(runner: FlaskCliRunner, value: str) -> None:
    refused = site_update(runner, "--close-after-days", value)
    assert refused.exit_code == 2
    errors = [line for line in refused.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: Invalid value for '--close-after-days': must be a whole number of days from 0"
        f" to 36500, or 'never', got {value!r}"
    ]
    listed = json.loads(runner.invoke(args=["sites", "list"]).output)
    assert listed["close_after_days"] == 0, "nothing changed"


def test_close_after_days_is_shown_and_checked_by_the_service_too(
    app: Flask, runner: FlaskCliRunner
) -> None:
    created = runner.invoke(args=["sites", "create", "blog", "--close-after-days", "14"])
    assert created.exit_code == 0 and json.loads(created.output)["close_after_days"] == 14
    listed = [
        json.loads(line) for line in runner.invoke(args=["sites", "list"]).output.splitlines()
    ]
    assert {site["name"]: site["close_after_days"] for site in listed} == {
        "blog": 14,
        "default": 0,
    }
    with app.app_context():
        for value in (-1, 1.5, True, "7", 36_501):
            with pytest.raises(FieldErrors) as refused:
                sites.update_site(db.session(), "blog", {"close_after_days": value})
            assert refused.value.errors == {
                "close_after_days": ["A whole number of days from 0 to 36500."]
            }
            db.session.rollback()


def test_threads_update_refuses_two_closing_options_and_unknown_threads(
    runner: FlaskCliRunner, first: dict[str, Any]
) -> None:
    both = threads(runner, "update", "default", "/post/1", "--close", "--open")
    assert both.exit_code == 2 and "Give one of --close, --open and --follow-site." in both.output
    unknown = threads(runner, "update", "default", "/nowhere", "--close")
    assert unknown.exit_code == 2 and "thread: No thread '/nowhere'" in unknown.output
    assert "add --create to make it now." in unknown.output


def test_staff_close_a_page_before_its_first_comment(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    """A page has no thread until its first comment: ``--create`` makes it, untitled until
    staff name it, and closed before anyone can post."""
    made = threads(runner, "update", "default", "/coming-soon", "--close", "--create")
    assert made.exit_code == 0, made.output
    assert json.loads(made.output) == {
        "key": "/coming-soon",
        "title": "",
        "url": None,
        "closed": True,
        "closed_setting": "closed",
    }
    page = client.get("/api/v1/comments", query_string={"thread": "/coming-soon"}).get_json()
    assert (page["closed"], page["comments"], page["total"]) == (True, [], 0)
    before = stored(app)
    refused = post_comment(thread="/coming-soon", body=LATER, thread_title="A stranger's title")
    assert refused.status_code == 409 and refused.get_json() == CLOSED
    assert stored(app) == before

    # --create on a thread that exists only updates it; a title and address go with it.
    title_and_address = ["--title", "Coming soon", "--url", "https://blog.example/coming-soon"]
    named = threads(
        runner, "update", "default", "/coming-soon", "--create", "--open", *title_and_address
    )
    assert named.exit_code == 0, named.output
    assert json.loads(named.output)["title"] == "Coming soon"
    assert post_comment(thread="/coming-soon", body=LATER).status_code == 201
    listed = [json.loads(line) for line in threads(runner, "list", "default").output.splitlines()]
    assert [(t["key"], t["title"], t["url"], t["published"]) for t in listed] == [
        ("/coming-soon", "Coming soon", "https://blog.example/coming-soon", 1)
    ]


@pytest.mark.parametrize("key", ["", "   ", "/" * 513])
def test_a_thread_is_made_only_under_a_key_the_widget_could_send(
    app: Flask, runner: FlaskCliRunner, key: str
) -> None:
    refused = threads(runner, "update", "default", key, "--close", "--create")
    assert refused.exit_code == 2 and "key: " in refused.output, refused.output
    assert stored(app) == (0, 0, 0)
