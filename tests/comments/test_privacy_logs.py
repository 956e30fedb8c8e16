"""Nothing personal in logs: no address, no raw IP, no comment text, at DEBUG."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.comments.conftest import NICE, PUBLIC_LOCALHOST, StaffToken
from tests.comments.test_privacy import ANN, ANN_IP, BOB, BOB_IP, link_in, outbox, post


@pytest.fixture
def app_config() -> dict[str, Any]:
    return PUBLIC_LOCALHOST


def test_logs_hold_no_address_no_ip_and_no_comment_text(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    staff_headers: StaffToken,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = staff_headers("admin", name="admin")
    body = "A perfectly ordinary remark about gardening tomatoes in November."
    first = post(client, email=ANN, body=body, ip=ANN_IP)
    client.post(
        f"/api/v1/moderation/comments/{first}/decision", json={"action": "reject"}, headers=headers
    )
    client.post(f"/api/v1/moderation/comments/{first}/ban", json={}, headers=headers)
    client.post("/api/v1/privacy/requests", json={"email": ANN, "kind": "export"})
    token = link_in(outbox(app)[0]).split("token=")[1]
    client.post("/privacy/confirm", data={"token": token, "email": ANN})
    client.post("/api/v1/admin/privacy/export", json={"email": ANN}, headers=headers)
    client.post("/api/v1/admin/privacy/erase", json={"email": ANN}, headers=headers)
    runner.invoke(args=["privacy", "purge"])
    assert caplog.records, "the flows above log something (the test would be vacuous)"
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    ).lower()
    for secret in (ANN.lower(), ANN_IP, body.lower(), "gardening"):
        assert secret not in logged, secret


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, **PUBLIC_LOCALHOST}])
def test_breached_rate_limits_log_no_address(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = [
        client.post(
            "/api/v1/privacy/requests",
            json={"email": ANN, "kind": "export"},
            environ_base={"REMOTE_ADDR": ANN_IP},
        ).status_code
        for _ in range(6)
    ]
    assert answers[-1] == 429
    for _ in range(7):
        post_response = client.post(
            "/api/v1/comments",
            json={"thread": "/t", "body": NICE, "author_email": BOB},
            environ_base={"REMOTE_ADDR": BOB_IP},
        )
    assert post_response.status_code == 429
    logged = "\n".join(record.getMessage() for record in caplog.records).lower()
    assert "ratelimit" in logged
    for secret in (ANN.lower(), ANN_IP, BOB, BOB_IP):
        assert secret not in logged, secret
