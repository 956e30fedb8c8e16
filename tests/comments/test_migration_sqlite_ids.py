"""Migration 0023 rebuilds four SQLite tables with AUTOINCREMENT: every row of every table stays,
with every index and constraint, and no id a reader was given comes back, not even one deleted
before the upgrade. A no-op on PostgreSQL, whose sequences never reuse ids."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection

from comments import create_app
from comments.extensions import db
from tests.comments.conftest import ABUSIVE, PostComment, StaffToken
from tests.comments.test_thread_deletions import erase, published
from tests.comments.webhook_receiver import Receiver
from tests.conftest import SERVER_URL, base_config

pytestmark = pytest.mark.skipif(bool(SERVER_URL), reason="SQLite only: a no-op on PostgreSQL")

REBUILT = ("comments", "decisions", "webhook_endpoints", "webhook_deliveries")
#: Tables referring to the rebuilt ones (and the tombstones, which seed the sequence) that the
#: test fills: a DROP TABLE that cascaded would empty or unlink them.
REFERRING = ("comment_scores", "comment_signals", "decisions", "reports", "bans")
FILLED = (*REFERRING, "webhook_deliveries", "comment_tombstones")


def catalogue(connection: Connection) -> dict[tuple[str, str], str]:
    """Every table and index as SQLite declares it; a rebuilt table's name comes back quoted
    from the rename, which changes nothing."""
    rows = connection.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).all()
    return {
        (kind, name): re.sub(rf'^CREATE TABLE "{name}"', f"CREATE TABLE {name}", sql or "")
        for kind, name, sql in rows
    }


def contents(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name != 'alembic_version'"
    ).scalars()
    return {
        table: sorted(
            (tuple(row) for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"')),
            key=repr,
        )
        for table in list(tables)
    }


def catalogue_at_0022(path: Path) -> dict[tuple[str, str], str]:
    """A database never migrated past 0022, as every install was before this upgrade."""
    fresh = create_app(base_config(f"sqlite:///{path}"))
    with fresh.app_context():
        flask_migrate.upgrade(revision="0022")
        with db.engine.connect() as connection:
            found = catalogue(connection)
        db.engine.dispose()
    return found


def in_any_order(declared: dict[tuple[str, str], str]) -> dict[tuple[str, str], list[str]]:
    """Each declaration's lines, sorted: earlier batch rebuilds list a table's foreign keys in
    an order that varies from one run to the next."""
    return {
        name: sorted(line.rstrip(", ") for line in sql.splitlines())
        for name, sql in declared.items()
    }


def comments_sequence(connection: Connection) -> int | None:
    return connection.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = 'comments'"
    ).scalar()


def populate(
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
    hooks: Receiver,
) -> int:
    """Comments with replies, scores, signals, decisions, a report, a ban and webhook
    deliveries; the newest comment is erased. Returns its id, the largest ever given."""
    admin = staff_headers("admin", name="ada")
    added = client.post("/api/v1/admin/webhooks", json={"url": f"{hooks.url}/h"}, headers=admin)
    assert added.status_code == 201
    first = published(post_comment, "A first comment, which someone reports.")
    published(post_comment, "A reply to the first comment.", parent_id=first)
    assert client.post(f"/api/v1/comments/{first}/reports", json={"reason": "spam"}).status_code
    held = post_comment(body=ABUSIVE, author_email="troll@example.org").get_json()["id"]
    ban = client.post(
        f"/api/v1/moderation/comments/{held}/ban", json={"by": "email"}, headers=admin
    )
    assert ban.status_code == 201, ban.get_json()
    newest = published(post_comment, "The newest comment, erased.", author_email="dee@example.org")
    erase(runner, "dee@example.org")
    return newest


def test_the_upgrade_keeps_every_row_and_declaration_and_never_gives_an_erased_id_again(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    staff_headers: StaffToken,
    hooks: Receiver,
    tmp_path: Path,
) -> None:
    erased = populate(client, runner, post_comment, staff_headers, hooks)
    with app.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision="0022")
        with db.engine.connect() as connection:
            before, rows = catalogue(connection), contents(connection)
        assert in_any_order(before) == in_any_order(catalogue_at_0022(tmp_path / "fresh.db"))
        assert all(rows[table] for table in FILLED), {table: rows[table] for table in FILLED}
        assert max(row[0] for row in rows["comments"]) < erased

        flask_migrate.upgrade(revision="0023")  # later migrations change the catalogue too
        with db.engine.connect() as connection:
            after = catalogue(connection)
            assert contents(connection) == rows
            assert comments_sequence(connection) == erased
        flask_migrate.downgrade(revision="0022")
        with db.engine.connect() as connection:
            assert catalogue(connection) == before, "the downgrade restores every declaration"
            assert contents(connection) == rows
        flask_migrate.upgrade()

    for table in REBUILT:
        key = f"CONSTRAINT pk_{table} PRIMARY KEY"
        assert f"id INTEGER NOT NULL {key} AUTOINCREMENT, " in after["table", table]
        assert after["table", table].replace(f" {key} AUTOINCREMENT", "") == before[
            "table", table
        ].replace(f"\n\t{key} (id), ", "")
    unchanged = {
        name: sql for name, sql in before.items() if name[1] not in REBUILT or name[0] != "table"
    }
    assert {name: after[name] for name in unchanged} == unchanged and after.keys() == before.keys()
    assert published(post_comment, "The first comment after the upgrade.") == erased + 1


def test_an_empty_comments_table_starts_after_the_largest_tombstone(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    """Every comment erased before the upgrade: the tombstones alone remember the ids."""
    published(post_comment, "An early comment, erased.", author_email="dee@example.org")
    erased = published(post_comment, "A later one, erased.", author_email="dee@example.org")
    erase(runner, "dee@example.org")
    with app.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision="0022")
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert comments_sequence(connection) == erased
    assert published(post_comment, "The first comment after the upgrade.") == erased + 1
