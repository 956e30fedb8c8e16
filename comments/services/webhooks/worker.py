"""The delivery loop, run by `flask webhooks deliver` or by a thread inside each app process.

The thread starts with the process's first request, not in create_app: gunicorn forks its
workers after importing the app, and a thread started before the fork would not survive it.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from comments.background import Failures, ProcessThread
from comments.extensions import db
from comments.services.webhooks.delivery import DeliverySettings, deliver_due, new_client

log = logging.getLogger(__name__)


def run(app: Flask, stop: threading.Event, *, once: bool = False) -> int:
    """Deliver until `stop` is set (or, with `once`, until nothing is due); answers how many
    deliveries were attempted. A failing database is logged and retried, never fatal."""
    settings = DeliverySettings.from_config(app.config)
    poll = float(app.config["WEBHOOKS_POLL_SECONDS"])
    attempted = 0
    failures = Failures(log, "webhook delivery")
    with new_client(settings) as client:
        while not stop.is_set():
            with app.app_context():
                try:
                    batch = deliver_due(db.session(), client, settings)
                except Exception as error:
                    if once:
                        raise
                    failures.failed(error, poll)
                    batch = 0
                else:
                    failures.succeeded()
            attempted += batch
            if batch < settings.batch_size:
                if once:
                    break
                stop.wait(poll)
    return attempted


def init_app(app: Flask) -> None:
    """Deliver from inside this process when WEBHOOKS_DELIVER_IN_PROCESS is true."""
    if not app.config["WEBHOOKS_DELIVER_IN_PROCESS"]:
        return
    delivery = ProcessThread(app, run, "webhooks")
    app.extensions["webhooks_delivery"] = delivery
    app.before_request(delivery.ensure_running)
