"""The delivery and mail loops poll every few seconds in every worker: while the database is
down or not upgraded, each poll fails. The log names the failure once, with its traceback,
then at most a line a minute, and says when the loop works again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from comments.background import Failures
from comments.extensions import db
from comments.services.mail import worker as mail_worker
from comments.services.webhooks import worker
from tests.comments.smtp_server import SmtpServer, mail_config

LOGGER = "comments.services.webhooks.worker"


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp, MAIL_SEND_IN_PROCESS=False)


class StopAfter(threading.Event):
    """The loop's stop event: its waits return at once, `steps` run before the wait of their
    number, and the loop stops after `polls` waits."""

    def __init__(self, polls: int, steps: dict[int, Callable[[], None]]) -> None:
        super().__init__()
        self.polls, self.steps, self.waited = polls, steps, 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waited += 1
        if step := self.steps.get(self.waited):
            step()
        if self.waited >= self.polls:
            self.set()
        return self.is_set()


def rename(app: Flask, old: str, new: str) -> Callable[[], None]:
    def step() -> None:
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql(f"ALTER TABLE {old} RENAME TO {new}")

    return step


def test_a_delivery_loop_failing_every_poll_logs_one_traceback_then_its_recovery(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    rename(app, "webhook_endpoints", "webhook_endpoints_away")()
    stop = StopAfter(25, {20: rename(app, "webhook_endpoints_away", "webhook_endpoints")})
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert worker.run(app, stop) == 0
    records = [record for record in caplog.records if record.name == LOGGER]
    with_traceback = [record for record in records if record.exc_info]
    assert [record.getMessage() for record in with_traceback] == [
        "webhook delivery failed; retrying every 2.0 s"
    ]
    assert "webhook_endpoints" in caplog.text  # the reason, in the traceback
    assert {record.module for record in records} == {"worker"}  # Flask's "ERROR in worker"
    assert records[-1].getMessage() == "webhook delivery works again after 20 failed attempts"


def test_the_mail_loop_failing_every_poll_logs_one_traceback_then_its_recovery(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    logger = "comments.services.mail.settings"  # the mail package's one logger
    rename(app, "mail_outbox", "mail_outbox_away")()
    stop = StopAfter(8, {5: rename(app, "mail_outbox_away", "mail_outbox")})
    with caplog.at_level(logging.INFO, logger=logger):
        assert mail_worker.run(app, stop, with_digests=False) == 0
    records = [record for record in caplog.records if record.name == logger]
    assert [record.getMessage() for record in records if record.exc_info] == [
        "sending mail failed; retrying every 2.0 s"
    ]
    assert records[-1].getMessage() == "sending mail works again after 5 failed attempts"


def test_the_same_failure_is_repeated_a_line_a_minute_and_a_new_one_in_full(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    failures = Failures(logging.getLogger("test.loop"), "the loop", clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="test.loop"):
        for second in range(0, 130, 2):
            now[0] = float(second)
            try:
                raise OSError("connection refused")
            except OSError as error:
                failures.failed(error, 2.0)
        try:
            raise ValueError("another cause")
        except ValueError as error:
            failures.failed(error, 2.0)
        failures.succeeded()
    lines = [(record.getMessage(), bool(record.exc_info)) for record in caplog.records]
    assert lines == [
        ("the loop failed; retrying every 2.0 s", True),
        ("the loop still failing (31 attempts so far): OSError: connection refused", False),
        ("the loop still failing (61 attempts so far): OSError: connection refused", False),
        ("the loop failed; retrying every 2.0 s", True),
        ("the loop works again after 66 failed attempts", False),
    ]
