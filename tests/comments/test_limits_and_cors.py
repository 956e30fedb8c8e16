"""Per-IP and per-email rate limits, and which origins may use the API from a browser."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.comments.conftest import PostComment


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_COMMENTS_PER_IP": "3 per minute",
        "RATELIMIT_COMMENTS_PER_EMAIL": "2 per minute",
    }


def test_per_ip_limit_answers_429_with_retry_after(post_comment: PostComment) -> None:
    statuses = [post_comment(body=f"Remark {n}").status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = post_comment(body="one more")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["code"] == 429


def test_per_email_limit_counts_across_addresses(client: FlaskClient) -> None:
    def post(email: str, ip: str) -> int:
        return client.post(
            "/api/v1/comments",
            json={"thread": "/t", "body": f"From {ip}", "author_email": email},
            environ_base={"REMOTE_ADDR": ip},
        ).status_code

    assert post("Same@Example.org", "10.0.0.1") == 201
    assert post("same@example.org", "10.0.0.2") == 201
    assert post("same@example.org", "10.0.0.3") == 429
    assert post("other@example.org", "10.0.0.4") == 201


def test_spoofed_forwarded_for_does_not_reset_the_ip_limit(client: FlaskClient) -> None:
    codes = [
        client.post(
            "/api/v1/comments",
            json={"thread": "/t", "body": f"Try {n}"},
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        ).status_code
        for n in range(4)
    ]
    assert codes[-1] == 429


def test_cors_only_for_allowed_origins(client: FlaskClient, runner) -> None:
    runner.invoke(args=["sites", "update", "default", "--origin", "https://blog.example"])
    allowed = client.options(
        "/api/v1/comments",
        headers={"Origin": "https://blog.example", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://blog.example"
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    foreign = client.get("/api/v1/comments?thread=/a", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_post_from_a_foreign_origin_is_refused(client: FlaskClient, count_comments) -> None:
    response = client.post(
        "/api/v1/comments",
        json={"thread": "/t", "body": "hello"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert count_comments() == 0
    same_site = client.post(
        "/api/v1/comments",
        json={"thread": "/t", "body": "hello"},
        headers={"Origin": "http://localhost"},
    )
    assert same_site.status_code == 201
