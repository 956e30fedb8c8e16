"""An endpoint URL carrying a password (``https://user:pass@host/path``): every listing, log
line and answer shows it masked, while deliveries still authenticate with the real one."""

from __future__ import annotations

import base64
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from comments.services.webhooks.endpoints import masked_url
from tests.comments.conftest import PostComment
from tests.comments.webhook_receiver import Receiver, deliver

API = "/api/v1/admin/webhooks"
PASSWORD = "s3cret-pass"


def with_credentials(hooks: Receiver, path: str = "/hook") -> str:
    return hooks.url.replace("http://", f"http://hook-user:{PASSWORD}@") + path


def masked(hooks: Receiver, path: str = "/hook") -> str:
    return hooks.url.replace("http://", "http://hook-user:***@") + path


def test_the_api_never_answers_the_password_but_deliveries_authenticate_with_it(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
    caplog: pytest.LogCaptureFixture,
) -> None:
    created = client.post(API, json={"url": with_credentials(hooks)}, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["url"] == masked(hooks)
    assert created.get_json()["secret"].startswith("whsec_")  # the secret is still shown once
    endpoint = f"{API}/{created.get_json()['id']}"

    hooks.script["/hook"] = [500]
    post_comment()
    caplog.set_level(logging.WARNING)
    deliver(app)
    [first, *_] = hooks.on("/hook")
    expected = base64.b64encode(f"hook-user:{PASSWORD}".encode()).decode()
    assert first.headers["authorization"] == f"Basic {expected}"

    answers = [
        client.get(API, headers=admin),
        client.get(f"{API}/deliveries", headers=admin),
        client.patch(endpoint, json={"description": "mirror"}, headers=admin),
        client.post(f"{endpoint}/rotate-secret", json={"overlap_hours": 0}, headers=admin),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.get_json()
        assert PASSWORD not in answer.text and masked(hooks) in answer.text
    assert caplog.records and PASSWORD not in caplog.text

    moved = client.patch(endpoint, json={"url": with_credentials(hooks, "/moved")}, headers=admin)
    assert moved.get_json()["url"] == masked(hooks, "/moved")
    removed = client.post(f"{endpoint}/remove", headers=admin)
    assert removed.get_json()["url"] == masked(hooks, "/moved")


def test_the_cli_prints_the_url_masked(
    app: Flask, runner: FlaskCliRunner, hooks: Receiver, post_comment: PostComment
) -> None:
    added = runner.invoke(args=["webhooks", "add", "default", with_credentials(hooks)])
    assert added.exit_code == 0, added.output
    assert masked(hooks) in added.stdout
    post_comment()
    deliver(app)
    assert len(hooks.on("/hook")) == 2  # created and published, sent to the real URL
    outputs = [
        added.output,
        runner.invoke(args=["webhooks", "list"]).output,
        runner.invoke(args=["webhooks", "disable", "1"]).output,
        runner.invoke(args=["webhooks", "deliveries"]).output,
        runner.invoke(args=["webhooks", "redeliver", "1"]).output,
    ]
    for output in outputs:
        assert PASSWORD not in output and masked(hooks) in output, output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.example/in?x=1#y", "https://hooks.example/in?x=1#y"),
        ("https://ann:pa:ss@hooks.example:8443/in", "https://ann:***@hooks.example:8443/in"),
        ("https://ann:@hooks.example/in", "https://ann:***@hooks.example/in"),
        ("https://ann:p@ss@[2001:db8::1]/in", "https://ann:***@[2001:db8::1]/in"),
        # A lone user part is usually a token: it is masked whole.
        ("https://tok_123@hooks.example/in", "https://***@hooks.example/in"),
        # Query parameters named like secrets, as some receivers take their token.
        (
            "https://hooks.example/in?token=t0k&channel=general&api_key=k3y#y",
            "https://hooks.example/in?token=***&channel=general&api_key=***#y",
        ),
        (
            "https://hooks.example/in?sig=&Signature=abc",
            "https://hooks.example/in?sig=&Signature=***",
        ),
    ],
)
def test_only_the_credentials_are_masked(url: str, shown: str) -> None:
    assert masked_url(url) == shown
