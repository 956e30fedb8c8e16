"""Database engine behaviour that must hold for every connection."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Engine, event

SQLITE_BUSY_TIMEOUT_MS = 5000
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL and a busy timeout, so concurrent workers wait for the lock instead of failing."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself (see _begin_sqlite); pysqlite's own handling breaks
    # savepoints and would start write transactions lazily.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: Any) -> None:
    """Writing requests take the write lock up front.

    A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
    another worker committed in between; BEGIN IMMEDIATE waits for the lock instead.
    """
    if connection.dialect.name != "sqlite":
        return
    writing = not has_request_context() or request.method not in _SAFE_METHODS
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
