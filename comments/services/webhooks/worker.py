"""The delivery loop, run by `flask webhooks deliver` or by a thread inside each app process.

The thread starts with the process's first request, not in create_app: gunicorn forks its
workers after importing the app, and a thread started before the fork would not survive it.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask

from comments.extensions import db
from comments.services.webhooks.delivery import DeliverySettings, deliver_due, new_client

log = logging.getLogger(__name__)


def run(app: Flask, stop: threading.Event, *, once: bool = False) -> int:
    """Deliver until `stop` is set (or, with `once`, until nothing is due); answers how many
    deliveries were attempted. A failing database is logged and retried, never fatal."""
    settings = DeliverySettings.from_config(app.config)
    poll = float(app.config["WEBHOOKS_POLL_SECONDS"])
    attempted = 0
    with new_client(settings) as client:
        while not stop.is_set():
            with app.app_context():
                try:
                    batch = deliver_due(db.session(), client, settings)
                except Exception:
                    if once:
                        raise
                    log.exception("webhook delivery failed; retrying in %s s", poll)
                    batch = 0
            attempted += batch
            if batch < settings.batch_size:
                if once:
                    break
                stop.wait(poll)
    return attempted


class InProcessDelivery:
    """One daemon delivery thread per process, started on demand and stoppable by tests."""

    def __init__(self, app: Flask) -> None:
        self.app = app
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
                target=run, args=(self.app, self.stop_event), name="webhooks", daemon=True
            )
            self._pid = os.getpid()
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)
        self._thread = None


def init_app(app: Flask) -> None:
    """Deliver from inside this process when WEBHOOKS_DELIVER_IN_PROCESS is true."""
    if not app.config["WEBHOOKS_DELIVER_IN_PROCESS"]:
        return
    delivery = InProcessDelivery(app)
    app.extensions["webhooks_delivery"] = delivery
    app.before_request(delivery.ensure_running)
