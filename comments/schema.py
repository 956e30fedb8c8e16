"""Whether the database's schema is as new as this code: `flask --app wsgi db upgrade` done."""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session

from comments import MIGRATIONS_DIR

UPGRADE = "run flask --app wsgi db upgrade"
#: PostgreSQL's undefined_table and undefined_column (psycopg's UndefinedTable, UndefinedColumn).
_MISSING_SQLSTATES = frozenset({"42P01", "42703"})
#: SQLite's words for the same: a read, and an INSERT naming a column the table lacks.
_MISSING_SQLITE = ("no such table:", "no such column:", "has no column named")


@lru_cache(maxsize=1)
def _revisions() -> tuple[str, frozenset[str]]:
    """The head revision of migrations/ and every revision this code knows."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None  # tests/comments/test_migrations.py: exactly one head
    return head, frozenset(revision.revision for revision in script.walk_revisions())


def behind(session: Session | scoped_session[Any]) -> str | None:
    """Why the schema is older than this code needs, or None.

    A revision this code does not know is newer: during a rolling upgrade the database is
    migrated first and instances still running the older code keep serving.
    """
    head, known = _revisions()
    current = None
    if inspect(session.connection()).has_table("alembic_version"):
        current = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if current == head or (current is not None and current not in known):
        return None
    return f"schema at revision {current or 'none'}, this code needs {head}: {UPGRADE}"


def missing_table_or_column(error: DBAPIError) -> bool:
    """Whether a statement failed because a table or column does not exist: what a schema
    behind the code looks like from a request, told from the error alone (no query)."""
    original = error.orig
    if getattr(original, "sqlstate", None) in _MISSING_SQLSTATES:
        return True
    return isinstance(original, sqlite3.OperationalError) and any(
        words in str(original) for words in _MISSING_SQLITE
    )
