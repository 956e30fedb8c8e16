"""What a new comment costs the database: one read, then one INSERT per table and the update
of its thread's last comment time, in one transaction. On SQLite every further transaction
takes the write lock again, so an attribute left for the answer to load after the commit
doubles the contention between workers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from comments.extensions import db
from tests.comments.conftest import NICE, PostComment


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements sent from here on, by their first two words."""
    sent: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()[:3]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def test_a_new_comment_is_one_read_and_its_inserts_in_one_transaction(
    post_comment: PostComment, statements: list[str]
) -> None:
    post_comment(body="Warming up: the first comment creates its thread.")
    statements.clear()
    answer = post_comment(body=NICE, author_email="ann@example.org")
    assert answer.status_code == 201 and answer.get_json()["edit_extensions_left"] == 10
    sent = [s for s in statements if not s.startswith("BEGIN")]
    writes = sent.index("INSERT INTO comments")
    # Reads first (the serving model's version, when due, and one SELECT for the rest) ...
    assert 1 <= writes <= 2 and all(s.startswith("SELECT") for s in sent[:writes]), sent
    # ... then writes only: nothing is read back for the answer. The thread's last comment
    # time goes last, so later comments on the thread wait on its row the shortest time.
    assert all(s.startswith("INSERT INTO") for s in sent[writes:-1]), sent
    assert sent[-1] == "UPDATE threads SET", sent
    assert statements.count("BEGIN IMMEDIATE") <= 1, statements  # SQLite's write transactions
