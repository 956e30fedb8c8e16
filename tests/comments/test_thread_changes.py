"""What an open page polls: a thread's comments changed since a watermark, with ETags."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments.extensions import db
from comments.services.listing import _CHANGED, _THREAD, _WITHDRAWN, SINCE_MARGIN
from tests.comments.conftest import ABUSIVE, PostComment, StaffToken


def read(client: FlaskClient, **params: object) -> dict:
    response = client.get("/api/v1/comments", query_string={"thread": "/post/1", **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(page: dict) -> list[int]:
    return [comment["id"] for comment in page["comments"]]


def test_since_trails_the_newest_change_by_the_margin(
    client: FlaskClient, post_comment: PostComment
) -> None:
    assert read(client)["since"] is None  # nothing published: whatever comes is new
    created = post_comment(body="First thoughts on this.").get_json()["created_at"]
    since = datetime.fromisoformat(read(client)["since"])
    assert since == datetime.fromisoformat(created) - SINCE_MARGIN


def test_since_answers_only_comments_changed_at_or_after_it(
    client: FlaskClient, post_comment: PostComment
) -> None:
    old = post_comment(body="Posted long before the page was opened.").get_json()["id"]
    page = read(client)
    # Within the margin the latest comments come again (the page skips ids it has) ...
    assert ids(read(client, since=page["since"])) == [old]
    # ... a later watermark leaves them out, and only what is new comes.
    later = (datetime.fromisoformat(page["since"]) + SINCE_MARGIN * 2).isoformat()
    assert read(client, since=later)["comments"] == []
    new = post_comment(body="Posted while the page was open.").get_json()["id"]
    changed = read(client, since=page["since"])
    assert ids(changed) == [old, new] and changed["total"] == 2


def test_a_held_comment_approved_later_is_a_change_though_its_id_is_older(
    client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    held = post_comment(body=ABUSIVE).get_json()["id"]
    newer = post_comment(body="A later, published one.").get_json()["id"]
    assert held < newer
    since = (datetime.fromisoformat(read(client)["since"]) + SINCE_MARGIN).isoformat()
    assert read(client, since=since)["comments"][0]["id"] == newer
    decided = client.post(
        f"/api/v1/moderation/comments/{held}/decision",
        json={"action": "approve"},
        headers=staff_headers("moderator"),
    )
    assert decided.status_code == 200, decided.get_json()
    assert held in ids(read(client, since=since))


def test_since_pages_follow_the_cursor(client: FlaskClient, post_comment: PostComment) -> None:
    posted = [post_comment(body=f"Comment number {n}").get_json()["id"] for n in range(5)]
    since = "2000-01-01T00:00:00Z"
    page = read(client, since=since, per_page=2)
    seen = ids(page)
    while page["next"]:
        page = read(client, since=since, per_page=2, cursor=page["next"])
        seen += ids(page)
    assert seen == posted


def test_unchanged_answers_are_304_without_a_body(
    client: FlaskClient, post_comment: PostComment
) -> None:
    post_comment(body="Something to read.")
    since = read(client)["since"]
    query = {"thread": "/post/1", "since": since}
    first = client.get("/api/v1/comments", query_string=query)
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
    again = client.get(
        "/api/v1/comments", query_string=query, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    post_comment(body="Something new to read.")
    changed = client.get(
        "/api/v1/comments", query_string=query, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200 and len(changed.get_json()["comments"]) == 2


@pytest.mark.parametrize(
    "value", ["yesterday", "1999-12-31T23:59:59Z", "2026-13-01T00:00:00Z", "", "1" * 40]
)
def test_a_bad_watermark_is_422_naming_since(client: FlaskClient, value: str) -> None:
    response = client.get("/api/v1/comments", query_string={"thread": "/a", "since": value})
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["since"]
    assert message.startswith(("Not an ISO 8601 time", "Must be a time from 2000 on"))


def test_a_zoneless_watermark_is_utc(client: FlaskClient, post_comment: PostComment) -> None:
    created = post_comment(body="A comment to find.").get_json()["created_at"]
    moment = datetime.fromisoformat(created) - timedelta(seconds=1)
    assert len(read(client, since=moment.replace(tzinfo=None).isoformat())["comments"]) == 1


PLAN_VALUES = {"thread_id": 1, "after": 0, "limit": 51, "since": "2026-01-01 00:00:00"}
PLAN_VALUES.update(site="default", key="/post/1")


def test_changes_and_the_newest_change_are_read_from_the_index(app: Flask) -> None:
    """A poll must not walk the thread: its lookups (changes, withdrawals, the newest change)
    name ix_comments_thread_status_updated; the withdrawals' IN is a range per status, and
    the deleted ones a range of the thread's tombstones."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            # PostgreSQL plans by its statistics: an empty table is scanned whatever the indexes.
            pytest.skip("SQLite's planner only; PostgreSQL's: the test below")
        connection = db.session.connection()
        for statement in (_CHANGED, _WITHDRAWN, _THREAD):
            # Expanded: the statuses of an IN are bound when the statement runs.
            expanded = statement.compile(connection).construct_expanded_state(PLAN_VALUES)
            plan = connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {expanded.statement}", tuple(expanded.positional_parameters)
            )
            details = " ".join(str(row[-1]) for row in plan)
            assert "ix_comments_thread_status_updated" in details, details
            if statement is not _THREAD:  # a range of times, for each status asked about
                assert "status=? AND updated_at>?" in details, details
            if statement is _WITHDRAWN:
                assert "ix_comment_tombstones_thread_deleted (thread_id=? AND deleted_at>?)" in (
                    details
                ), details
                assert "ix_decisions_comment_id (comment_id=?)" in details, details


def test_postgresql_can_answer_a_poll_from_the_indexes_alone(app: Flask) -> None:
    """With sequential scans priced out (an empty test table is otherwise scanned whatever
    the indexes), no lookup of a poll reads a whole table, and the withdrawals (taken down,
    and deleted: tombstones) are read through the indexes meant for them. Which of two
    indexes the changes take on an empty table says nothing of a full one: any will do."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's planner; SQLite's: the test above")
        connection = db.session.connection()
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        wanted = {
            _CHANGED: [],
            _WITHDRAWN: [
                "ix_comments_thread_status_updated",
                "ix_decisions_comment_id",
                "ix_comment_tombstones_thread_deleted",
            ],
            _THREAD: ["ix_comments_thread_status_updated"],
        }
        for statement, indexes in wanted.items():
            expanded = statement.compile(connection).construct_expanded_state(PLAN_VALUES)
            plan = connection.exec_driver_sql(f"EXPLAIN {expanded.statement}", expanded.parameters)
            details = "\n".join(str(row[0]) for row in plan)
            assert "Seq Scan" not in details, details
            for index in indexes:
                assert index in details, details
