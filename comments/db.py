"""Database engine behaviour that must hold for every connection and every request."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, has_request_context, request, request_tearing_down
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, scoped_session

from comments.sqlite_turns import TurnTakingConnection

SQLITE_BUSY_TIMEOUT_MS = 5000
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Execution option of a connection that only reads, also within a writing request: on SQLite
#: it begins a plain transaction instead of taking the write lock.
READ_ONLY = "comments_read_only"

log = logging.getLogger(__name__)


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
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    writing = not has_request_context() or request.method not in _SAFE_METHODS
    if not writing:
        connection.exec_driver_sql("BEGIN")
        return
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, TurnTakingConnection):
        dbapi_connection.take_turn(SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi_connection, TurnTakingConnection):
            dbapi_connection.end_turn()
        raise


def reads_only(session: Session | scoped_session[Any]) -> None:
    """This request only reads, whatever its method (a POST that keeps tokens out of the URL):
    on SQLite its transaction begins without taking the write lock, so it neither waits for
    writers nor makes them wait. Call it before the request's first query."""
    session.connection(execution_options={READ_ONLY: True})


@contextmanager
def polling(session: Session) -> Iterator[None]:
    """A background poll's look for work, in a transaction of its own that only reads and ends
    with the block; claim what it found in a new transaction after it.

    Outside a request every transaction takes SQLite's write lock, so a poll that finds nothing
    (most of them) would wait behind posting workers, and fail with "database is locked" after
    the busy timeout while they keep writing.
    """
    if session.in_transaction():
        raise RuntimeError("a poll begins its own transaction: end the session's first")
    reads_only(session)
    try:
        yield
    finally:
        session.rollback()


def discard_transaction(session: Session | scoped_session[Any]) -> None:
    """Roll back, also when the connection is gone: the server has then dropped the work.

    After a lost connection the session refuses every query (PendingRollbackError) until it is
    rolled back, and SQLAlchemy reports the rollback itself as an error when it is the first to
    find the connection dead. Neither may turn an answer into a 500: the database being
    unreachable is the 503 the caller reports, or nothing at all once the answer is ready.
    """
    try:
        session.rollback()
    except DBAPIError as error:
        if not (error.connection_invalidated or isinstance(error, OperationalError)):
            raise
        log.warning("rolled back over a lost database connection: %s", error.orig)


@request_tearing_down.connect
def _end_request_transaction(app: Flask, **_: Any) -> None:
    """End the request's transaction before Flask-SQLAlchemy closes the session.

    Its close rolls back too, but lets a lost connection escape from the teardown, where it
    replaces a finished answer (a thread already read) with the server's bare 500 page.
    """
    extension = app.extensions.get("sqlalchemy")
    if extension is not None:
        discard_transaction(extension.session)
