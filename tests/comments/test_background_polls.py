"""The delivery and mail threads poll every few seconds in each app process: on SQLite a poll
that finds nothing due takes no write lock, so it neither waits behind readers' posts nor fails
with "database is locked" while they hold the lock."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from comments.extensions import db
from comments.services.mail import worker as mail_worker
from tests.comments.smtp_server import SmtpServer, mail_config
from tests.comments.webhook_receiver import Receiver, deliver


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp)


@pytest.fixture
def writer_holding_the_lock(app: Flask) -> Iterator[None]:
    """Another process's write transaction, as a posting worker holds it (SQLite only)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("only SQLite has a database-wide write lock")
    holder = sqlite3.connect(str(make_url(str(engine.url)).database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield
    holder.rollback()
    holder.close()


def test_a_webhook_poll_with_nothing_due_does_not_wait_for_the_write_lock(
    app: Flask, client: FlaskClient, admin: dict[str, str], hooks: Receiver, request: Any
) -> None:
    added = client.post(
        "/api/v1/admin/webhooks",
        json={"url": f"{hooks.url}/hook", "events": ["comment.created"]},
        headers=admin,
    )
    assert added.status_code == 201, added.get_json()
    request.getfixturevalue("writer_holding_the_lock")
    assert deliver(app) == 0
    assert hooks.on("/hook") == []


def test_a_mail_poll_with_nothing_due_does_not_wait_for_the_write_lock(
    app: Flask, writer_holding_the_lock: None
) -> None:
    assert mail_worker.run(app, threading.Event(), once=True, with_digests=False) == 0
