"""Writers on one SQLite file take turns through its lock file, and always give the turn back."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common umask, under which SQLite alone creates files every user may read."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_database_and_its_wal_are_readable_by_their_owner_only(
    tmp_path: Path, usual_umask: None
) -> None:
    """It holds readers' addresses and webhook secrets."""
    connection = _connect(tmp_path / "new.db")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE t (n INTEGER)")
    connection.execute("INSERT INTO t VALUES (1)")
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["new.db", "new.db-shm", "new.db-wal"]
    modes = {name: stat.S_IMODE((tmp_path / name).stat().st_mode) for name in names}
    connection.close()
    assert modes == dict.fromkeys(names, 0o600)


def test_an_existing_database_keeps_its_mode_and_a_missing_folder_is_sqlites_error(
    tmp_path: Path, usual_umask: None
) -> None:
    shared = tmp_path / "shared.db"
    sqlite3.connect(shared).close()
    shared.chmod(0o640)
    _connect(shared).close()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    with pytest.raises(sqlite3.OperationalError, match="unable to open database file"):
        _connect(tmp_path / "missing" / "x.db")
