"""A daemon thread per app process for the outboxes (webhook deliveries, mail), and how their
loops log what keeps failing.

It starts with the process's first request, not in create_app: gunicorn forks its workers
after importing the app, and a thread started before the fork would not survive it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from flask import Flask

#: While the same failure repeats, it is logged again at most this often.
REMIND_EVERY_SECONDS = 60.0

#: The loop: runs until the event is set.
Loop = Callable[[Flask, threading.Event], object]


class ProcessThread:
    """One daemon thread per process running ``loop``, started on demand, stoppable by tests."""

    def __init__(self, app: Flask, loop: Loop, name: str) -> None:
        self.app = app
        self.loop = loop
        self.name = name
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def ensure_running(self) -> None:
        """Cheap when running: two attribute reads per request."""
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._pid == os.getpid():
                return
            self.stop_event = threading.Event()
            self._thread = threading.Thread(
                target=self.loop, args=(self.app, self.stop_event), name=self.name, daemon=True
            )
            self._pid = os.getpid()
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)
        self._thread = None


class Failures:
    """What a polling loop logs while it keeps failing: the first failure with its traceback,
    then the same failure at most one line a minute, with how often it failed, and one line
    when the loop works again.

    A database that is down or not upgraded fails every poll (every 2 s, in every worker):
    logged in full each time, the loops wrote a 130-line traceback per poll and worker, which
    filled the log and buried the line naming the cause.
    """

    def __init__(
        self,
        log: logging.Logger,
        what: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.what = what
        self.clock = clock
        self.count = 0
        self._last: tuple[str, str] | None = None
        self._reminded_at = 0.0

    def failed(self, error: Exception, retry_in: float) -> None:
        """Call from the ``except`` block, so that a first failure is logged with its traceback."""
        self.count += 1
        reason = str(getattr(error, "orig", None) or error)
        kind = (type(error).__name__, reason)
        now = self.clock()
        if kind != self._last:
            self._last, self._reminded_at = kind, now
            self.log.exception("%s failed; retrying every %s s", self.what, retry_in, stacklevel=2)
        elif now - self._reminded_at >= REMIND_EVERY_SECONDS:
            self._reminded_at = now
            self.log.error(
                "%s still failing (%d attempts so far): %s: %s",
                self.what,
                self.count,
                kind[0],
                reason,
                stacklevel=2,
            )

    def succeeded(self) -> None:
        """Call after a poll that worked: after failures, that it works again is news."""
        if self.count:
            self.log.warning(
                "%s works again after %d failed attempts", self.what, self.count, stacklevel=2
            )
        self.count, self._last = 0, None
