"""A daemon thread per app process for the outboxes (webhook deliveries, mail).

It starts with the process's first request, not in create_app: gunicorn forks its workers
after importing the app, and a thread started before the fork would not survive it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from flask import Flask

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
