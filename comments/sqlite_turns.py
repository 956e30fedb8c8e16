"""Writers on one SQLite file take turns through a lock file, so the next one starts at once.

SQLite's own busy handler polls for the write lock with sleeps of 1, 2, 5, 10, ... ms. Two
gunicorn workers posting comments hold that lock for well under a millisecond each, so the
waiting worker mostly sleeps past the moment the lock came free. Before ``BEGIN IMMEDIATE``
each connection therefore takes an ``flock`` on ``<database>-writer``, polled every tenth of a
millisecond or so, and drops it right after its COMMIT or ROLLBACK. SQLite's lock still decides:
processes that do not take turns (a shell, the ``sqlite3`` tool) wait as they always did, and a
writer that cannot get its turn within the busy timeout goes on to SQLite's own wait.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from typing import Any

#: Waits between attempts at the turn, seconds: short first, then capped.
_FIRST_WAIT, _LONGEST_WAIT = 0.00005, 0.0005


class TurnTakingConnection(sqlite3.Connection):
    """A sqlite3 connection (``sqlite3.connect(factory=...)``) that can wait for its turn."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        name = os.fspath(database) if isinstance(database, str | os.PathLike) else ""
        in_memory = name in ("", ":memory:") or name.startswith("file:")
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
