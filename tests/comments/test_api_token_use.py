"""When a staff API token was last used: noted at most once a minute, for reads too, listed by
`flask users tokens`, and never by turning a read into a write that other requests wait for."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import update
from sqlalchemy.engine import make_url

from comments.extensions import db
from comments.models import ApiToken

QUEUE = "/api/v1/moderation/queue"


def issue(runner: FlaskCliRunner, label: str) -> dict[str, str]:
    issued = runner.invoke(args=["users", "token", "mod1", "--label", label])
    assert issued.exit_code == 0, issued.output
    return {"Authorization": f"Bearer {issued.output.strip().splitlines()[-1]}"}


def listing(runner: FlaskCliRunner) -> list[list[str]]:
    listed = runner.invoke(args=["users", "tokens", "mod1"])
    assert listed.exit_code == 0, listed.output
    return [line.split("\t") for line in listed.output.strip().splitlines()]


@pytest.fixture
def moderator(runner: FlaskCliRunner) -> None:
    created = runner.invoke(
        args=["users", "create", "mod1", "--role", "moderator", "--password-stdin"],
        input="a long enough password\n",
    )
    assert created.exit_code == 0, created.output


def test_tokens_are_listed_with_when_each_was_last_used_by_a_read(
    client: FlaskClient, runner: FlaskCliRunner, moderator: None
) -> None:
    script = issue(runner, "nightly export")
    issue(runner, "spare")
    assert client.get(QUEUE, headers=script).status_code == 200
    [used, unused] = listing(runner)
    assert used[1] == "nightly export" and unused[1] == "spare"
    minute = datetime.now(UTC).strftime("%Y-%m-%d %H:")
    assert re.fullmatch(r"last used \d{4}-\d\d-\d\d \d\d:\d\d", used[3])
    assert used[3].removeprefix("last used ").startswith(minute[:13])
    assert unused[3] == "unused" and used[4] == unused[4] == "active"
    assert runner.invoke(args=["users", "revoke-token", "mod1", "--id", unused[0]]).exit_code == 0
    assert listing(runner)[1][4].startswith("revoked ")


def test_a_read_with_a_token_does_not_wait_for_a_writer(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, moderator: None
) -> None:
    """A read used to note the use in its own transaction, which took SQLite's write lock at
    its first query: behind another writer it answered 503."""
    headers = issue(runner, "script")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("only SQLite has a database-wide write lock")
        path = make_url(str(db.engine.url)).database
    assert client.get(QUEUE, headers=headers).status_code == 200  # noted: not again this minute
    writer = sqlite3.connect(str(path), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert client.get(QUEUE, headers=headers).status_code == 200
    finally:
        writer.rollback()
        writer.close()


def test_a_use_is_noted_again_once_a_minute_has_passed(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, moderator: None
) -> None:
    headers = issue(runner, "script")
    assert client.get(QUEUE, headers=headers).status_code == 200
    long_ago = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    with app.app_context():
        db.session.execute(update(ApiToken).values(last_used_at=long_ago))
        db.session.commit()
    assert listing(runner)[0][3] == "last used 2026-01-02 03:04"
    assert client.get(QUEUE, headers=headers).status_code == 200
    assert listing(runner)[0][3] != "last used 2026-01-02 03:04"
    recent = datetime.now(UTC) - timedelta(seconds=20)
    with app.app_context():
        db.session.execute(update(ApiToken).values(last_used_at=recent))
        db.session.commit()
    assert client.get(QUEUE, headers=headers).status_code == 200
    assert listing(runner)[0][3] == f"last used {recent:%Y-%m-%d %H:%M}", "not within a minute"


def test_a_first_read_that_also_writes_is_not_refused_for_the_note(
    client: FlaskClient, runner: FlaskCliRunner, moderator: None
) -> None:
    """The model list registers the built-in model on first sight: a note written apart during
    that read left its snapshot out of date, and SQLite refused its write (503)."""
    headers = issue(runner, "dashboard")
    listed = client.get("/api/v1/classifier/models", headers=headers)
    assert listed.status_code == 200, listed.get_json()
    assert listing(runner)[0][3].startswith("last used ")
