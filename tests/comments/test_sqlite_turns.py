"""Writers on one SQLite file take turns through its lock file, and always give the turn back."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from comments.sqlite_turns import TurnTakingConnection


def _connect(path: Path) -> TurnTakingConnection:
    connection = sqlite3.connect(
        path, factory=TurnTakingConnection, isolation_level=None, check_same_thread=False
    )
    assert isinstance(connection, TurnTakingConnection)
    return connection


def test_the_next_writer_starts_as_soon_as_the_first_commits(tmp_path: Path) -> None:
    first, second = _connect(tmp_path / "x.db"), _connect(tmp_path / "x.db")
    first.execute("CREATE TABLE t (n INTEGER)")
    first.take_turn(1.0)
    first.execute("BEGIN IMMEDIATE")
    first.execute("INSERT INTO t VALUES (1)")
    waited: list[float] = []

    def write() -> None:
        started = time.monotonic()
        second.take_turn(5.0)
        waited.append(time.monotonic() - started)
        second.execute("BEGIN IMMEDIATE")  # would fail at once without the wait: timeout 0
        second.execute("INSERT INTO t VALUES (2)")
        second.commit()

    second.execute("PRAGMA busy_timeout = 0")
    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.2)
    assert writer.is_alive(), "the second writer waits for its turn"
    first.commit()
    writer.join(timeout=5)
    assert not writer.is_alive()
    assert 0.15 < waited[0] < 1.0
    assert [n for (n,) in first.execute("SELECT n FROM t ORDER BY n")] == [1, 2]


def test_a_rollback_or_close_gives_the_turn_back(tmp_path: Path) -> None:
    first, second = _connect(tmp_path / "x.db"), _connect(tmp_path / "x.db")
    first.take_turn(1.0)
    first.rollback()
    second.take_turn(0.05)
    assert second._has_turn
    second.close()
    first.take_turn(0.05)
    assert first._has_turn


def test_a_writer_that_never_gets_its_turn_goes_on_after_the_timeout(tmp_path: Path) -> None:
    first, second = _connect(tmp_path / "x.db"), _connect(tmp_path / "x.db")
    first.take_turn(1.0)
    started = time.monotonic()
    second.take_turn(0.1)
    assert 0.1 <= time.monotonic() - started < 1.0
    assert not second._has_turn  # SQLite's own busy timeout decides from here


def test_without_a_lock_file_the_writer_goes_on_to_sqlite(tmp_path: Path) -> None:
    connection = _connect(tmp_path / "x.db")
    (tmp_path / "x.db-writer").mkdir()  # cannot be opened as the lock file
    connection.take_turn(0.01)
    assert not connection._has_turn
    connection.execute("BEGIN IMMEDIATE")
    connection.commit()


def test_in_memory_databases_do_not_take_turns() -> None:
    connection = sqlite3.connect(":memory:", factory=TurnTakingConnection)
    assert isinstance(connection, TurnTakingConnection)
    connection.take_turn(0.01)
    assert not connection._has_turn
