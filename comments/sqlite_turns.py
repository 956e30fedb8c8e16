"""Writers on one SQLite file take turns through a lock file, so the next one starts at once.

SQLite's own busy handler polls for the write lock with sleeps of 1, 2, 5, 10, ... ms. Two
gunicorn workers posting comments hold that lock for well under a millisecond each, so the
waiting worker mostly sleeps past the moment the lock came free. Before ``BEGIN IMMEDIATE``
each connection therefore takes an ``flock`` on ``<database>-writer``, polled every tenth of a
millisecond or so, and drops it right after its COMMIT or ROLLBACK. SQLite's lock still decides:
processes that do not take turns (a shell, the ``sqlite3`` tool) wait as they always did, and a
writer that cannot get its turn within the busy timeout goes on to SQLite's own wait.

A database file that does not exist yet is created here, readable by its owner only, before
SQLite would create it under the umask (commonly readable by every user of the host): it holds
readers' addresses and webhook secrets. SQLite gives its ``-wal`` and ``-shm`` files the
database's mode.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from typing import Any

#: Waits between attempts at the turn, seconds: short first, then capped.
_FIRST_WAIT, _LONGEST_WAIT = 0.00005, 0.0005


def _create_owner_only(path: str) -> None:
    """An empty file (an empty SQLite database) with mode 0600, unless the path exists; where
    it cannot be made (no such folder, no permission), SQLite fails with its own reason."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class TurnTakingConnection(sqlite3.Connection):
    """A sqlite3 connection (``sqlite3.connect(factory=...)``) that can wait for its turn."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        name = os.fspath(database) if isinstance(database, str | os.PathLike) else ""
        in_memory = name in ("", ":memory:") or name.startswith("file:")
        if not in_memory:
            _create_owner_only(name)
        super().__init__(database, *args, **kwargs)
        self._turn_path = None if in_memory else f"{name}-writer"
        self._turn_fd: int | None = None
        self._has_turn = False

    def take_turn(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for this file's writer turn (then go on without)."""
        if self._turn_path is None or self._has_turn:
            return
        if self._turn_fd is None:
            try:
                self._turn_fd = os.open(self._turn_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # e.g. the folder is unreachable: SQLite reports it, as ever
                return
        deadline, wait = time.monotonic() + timeout, _FIRST_WAIT
        while True:
            try:
                fcntl.flock(self._turn_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(wait)
                wait = min(wait * 2, _LONGEST_WAIT)
                continue
            self._has_turn = True
            return

    def end_turn(self) -> None:
        if self._has_turn and self._turn_fd is not None:
            fcntl.flock(self._turn_fd, fcntl.LOCK_UN)
        self._has_turn = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()
            if self._turn_fd is not None:
                os.close(self._turn_fd)
                self._turn_fd = None
