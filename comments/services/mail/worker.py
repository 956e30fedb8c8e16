"""The mail loop, run by `flask mail send` or by a thread inside each app process: send due
mails, queue due digests once a minute, and purge old mails once an hour.

As for webhooks, the thread starts with the process's first request (gunicorn forks its
workers after importing the app, and a thread started before the fork would not survive it).
"""

from __future__ import annotations

import threading
import time

from flask import Flask

from comments.background import Failures, ProcessThread
from comments.extensions import db
from comments.services.mail import digests, outbox, sender
from comments.services.mail.settings import MailSettings, current, log

DIGEST_EVERY_SECONDS = 60.0
PURGE_EVERY_SECONDS = 3600.0


def housekeeping(app: Flask, due: dict[str, float]) -> None:
    """Digests and purges when their time has come (``due`` holds the next monotonic times)."""
    now = time.monotonic()
    with app.app_context():
        if now >= due.get("digests", 0.0):
            due["digests"] = now + DIGEST_EVERY_SECONDS
            digests.send_due(db.session())
        if now >= due.get("purge", 0.0):
            due["purge"] = now + PURGE_EVERY_SECONDS
            outbox.purge_old(db.session(), current().keep_days)
            db.session.commit()


def run(app: Flask, stop: threading.Event, *, once: bool = False, with_digests: bool = True) -> int:
    """Send until `stop` is set (or, with `once`, until nothing is due); answers how many
    mails were attempted. A failing database or SMTP server is logged and retried."""
    settings = MailSettings.from_config(app.config)
    attempted = 0
    due: dict[str, float] = {}
    failures = Failures(log, "sending mail")
    while not stop.is_set():
        batch = 0
        with app.app_context():
            try:
                if with_digests:
                    housekeeping(app, due)
                batch = sender.send_due(db.session(), settings)
            except Exception as error:
                db.session.rollback()
                if once:
                    raise
                failures.failed(error, settings.poll)
            else:
                failures.succeeded()
        attempted += batch
        if batch < settings.batch_size:
            if once:
                break
            stop.wait(settings.poll)
    return attempted


def init_app(app: Flask) -> None:
    """Check the settings (a bad one stops the app starting) and, when SMTP_HOST is set and
    MAIL_SEND_IN_PROCESS is not false, send from inside this process."""
    settings = MailSettings.from_config(app.config)
    app.extensions["mail_settings"] = settings
    in_process = app.config.get("MAIL_SEND_IN_PROCESS")
    if not settings.enabled or in_process is False:
        return
    mailer = ProcessThread(app, run, "mail")
    app.extensions["mail_sender"] = mailer
    app.before_request(mailer.ensure_running)
