"""An endpoint URL carrying a password (``https://user:pass@host/path``) or a secret in its path
(``/hooks/KEY``): every listing, log line and answer shows it masked, while deliveries still
go to, and authenticate with, the real one."""

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
    caplog.set_level(logging.INFO)  # httpx logs each request's URL at INFO
    deliver(app)
    assert any(record.name == "httpx" for record in caplog.records)
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


#: A receiver's key in the path, as Mattermost and many chat services take it.
PATH_KEY = "q7Rk2vXp9LmT4wZb8NcY3sHd"


def test_a_secret_in_the_path_is_masked_everywhere_but_deliveries_use_it(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"{hooks.url}/hooks/{PATH_KEY}"
    shown = f"{hooks.url}/hooks/***"
    created = client.post(API, json={"url": url}, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["url"] == shown

    hooks.script[f"/hooks/{PATH_KEY}"] = [500]
    post_comment()
    caplog.set_level(logging.INFO)  # httpx logs each request's URL at INFO
    deliver(app)
    assert any(record.name == "httpx" for record in caplog.records)
    assert len(hooks.on(f"/hooks/{PATH_KEY}")) == 2  # the real path, failed once, then sent
    assert caplog.records and PATH_KEY not in caplog.text and shown in caplog.text

    answers = [client.get(API, headers=admin), client.get(f"{API}/deliveries", headers=admin)]
    outputs = [
        runner.invoke(args=["webhooks", "list"]).output,
        runner.invoke(args=["webhooks", "deliveries"]).output,
    ]
    for text in [answer.text for answer in answers] + outputs:
        assert PATH_KEY not in text and shown in text, text


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
        # Secrets in the path: where known services put them ...
        (
            "https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX",
            "https://hooks.slack.com/services/T0001/B0002/***",
        ),
        (
            "https://discord.com/api/webhooks/1234567890/Ab_cd-EF?wait=true",
            "https://discord.com/api/webhooks/1234567890/***?wait=true",
        ),
        ("https://chat.example/hooks/abcdefghijklmnopqrstuvwxyz", "https://chat.example/hooks/***"),
        # ... and anything that reads as random: a token, a hex digest, a UUID.
        (
            "https://ann:pw@hooks.example/in/Zk3v9QpL2xW8rT5mNc/x?key=1#top",
            "https://ann:***@hooks.example/in/***/x?key=***#top",
        ),
        (
            "https://hooks.example/0123456789abcdef0123456789abcdef/550e8400-e29b-41d4-a716-446655440000",
            "https://hooks.example/***/***",
        ),
        # Words, versions, dates and slugs stay readable.
        ("https://blog.example/hooks/comments", "https://blog.example/hooks/comments"),
        ("https://api.example/api/v2/events", "https://api.example/api/v2/events"),
        (
            "https://blog.example/2024-11-28/my-blog-post-2024/comment-published-v1/",
            "https://blog.example/2024-11-28/my-blog-post-2024/comment-published-v1/",
        ),
        ("https://notdiscord.com/webhooks/1/token", "https://notdiscord.com/webhooks/1/token"),
    ],
)
def test_only_the_credentials_are_masked(url: str, shown: str) -> None:
    assert masked_url(url) == shown
