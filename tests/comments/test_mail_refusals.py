"""A recipient the SMTP server refuses: the operator learns why, the log never learns who.

Servers such as Postfix echo the refused address in their answer, so the refusal is served
that way here, by a real SMTP server on loopback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.comments.smtp_server import SmtpServer, mail_config, send_queued
from tests.comments.test_privacy import outbox

TYPO = "bad-typo@examp1e.org"
FULL = "full-box@example.org"


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp)


def test_refused_recipients_are_logged_and_stored_without_their_address(
    app: Flask, client: FlaskClient, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.inbox.refuse = {
        TYPO: f"550 5.1.1 <{TYPO}>: Recipient address rejected: no such user",
        FULL: f"451 4.2.2 {FULL} mailbox full, try again later",
    }
    for address in (TYPO, FULL):  # a reader's erasure request: the address is only hashed
        answer = client.post("/api/v1/privacy/requests", json={"email": address, "kind": "erase"})
        assert answer.status_code == 202, answer.get_json()
    caplog.set_level(logging.DEBUG)

    assert send_queued(app) == 2
    assert smtp.inbox.take() == []

    ours = [record for record in caplog.records if record.name != "mail.log"]  # not aiosmtpd
    logged = "\n".join(record.getMessage() for record in ours)
    for address in (TYPO, FULL):
        assert address not in logged.lower(), logged
    assert "550 5.1.1" in logged and "no such user" in logged, "the operator learns why"
    assert "451 4.2.2" in logged and "mailbox full" in logged
    refused, full = outbox(app)
    assert (refused.status, full.status) == ("failed", "pending"), "5xx fails, 4xx retries"
    assert refused.last_error and "550 5.1.1" in refused.last_error
    assert full.last_error and "451 4.2.2" in full.last_error
    for mail in (refused, full):
        assert mail.last_error and "@" not in mail.last_error, mail.last_error
