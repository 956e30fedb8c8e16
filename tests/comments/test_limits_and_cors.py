"""Per-IP and per-email rate limits, and which origins may use the API from a browser."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from limits.storage import MemoryStorage
from sqlalchemy import select
from werkzeug.test import TestResponse

from comments import config, create_app
from comments.extensions import db, limiter
from comments.models import Comment
from comments.network import ProxyConfigError, TrustedProxies, hash_ip, ip_hash_key
from tests.comments.conftest import PostComment
from tests.conftest import base_config
from tests.instances import REDIS_URL, redis_prefix
from tests.servers import free_port

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_COMMENTS_PER_IP": "3 per minute",
    "RATELIMIT_COMMENTS_PER_EMAIL": "2 per minute",
}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return LIMITS


def test_per_ip_limit_answers_429_with_retry_after(post_comment: PostComment) -> None:
    statuses = [post_comment(body=f"Remark {n}").status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = post_comment(body="one more")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["code"] == 429


def test_only_a_429_tells_the_client_to_wait(post_comment: PostComment) -> None:
    """Every answer of a limited route says how much of the limit is left; only a refusal
    says Retry-After, so a client that honours it never waits after a success."""
    answers = [post_comment(body=f"Remark {n}") for n in range(2)]
    answers.append(post_comment(body=""))  # refused for its empty body, and counted
    answers.append(post_comment(body="over the limit"))
    assert [answer.status_code for answer in answers] == [201, 201, 422, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    for answer in answers:
        assert answer.headers["X-RateLimit-Limit"] == "3" and "X-RateLimit-Reset" in answer.headers
        assert ("Retry-After" in answer.headers) == (answer.status_code == 429), answer.headers
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60


def test_the_headers_describe_the_limit_closest_to_refusing(client: FlaskClient) -> None:
    """Authors with their own addresses behind one IP: the per-IP limit runs out first, and the
    answer before the 429 says none is left (it said 1, from the per-e-mail limit)."""
    answers = [
        client.post(
            "/api/v1/comments",
            json={"thread": "/t", "body": f"Remark {n}", "author_email": f"a{n}@example.org"},
        )
        for n in range(4)
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers[:3]] == ["1", "1", "0"]
    assert answers[2].headers["X-RateLimit-Limit"] == "3"  # RATELIMIT_COMMENTS_PER_IP


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


def test_an_ipv6_client_counts_per_64_not_per_address(client: FlaskClient) -> None:
    """Stepping through the addresses of one's own /64 does not reset the limit."""

    def post(ip: str) -> int:
        return client.post(
            "/api/v1/comments",
            json={"thread": "/t", "body": f"From {ip}"},
            environ_base={"REMOTE_ADDR": ip},
        ).status_code

    same_64 = [f"2001:db8:1:2::{n:x}" for n in range(1, 5)]
    assert [post(ip) for ip in same_64] == [201, 201, 201, 429]
    assert post("2001:db8:1:3::1") == 201


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
    # A page on another origin may send the idempotency key as a header, as the API allows.
    wanted = {"content-type", "idempotency-key", "x-edit-token"}
    assert set(allowed.headers["Access-Control-Allow-Headers"].lower().split(", ")) == wanted
    foreign = client.get("/api/v1/comments?thread=/a", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_a_refused_origin_is_logged_once_with_the_command_that_allows_it(
    app: Flask, client: FlaskClient, runner, caplog: pytest.LogCaptureFixture
) -> None:
    runner.invoke(args=["sites", "update", "default", "--origin", "https://blog.example"])
    refused = {"Origin": "https://www.blog.example"}
    with caplog.at_level("WARNING", logger=app.logger.name):
        for _ in range(3):  # a page's widget asks again and again; the log says it once
            client.get("/api/v1/comments?site=default&thread=/a", headers=refused)
        client.get("/api/v1/comments?thread=/a", headers={"Origin": "https://blog.example"})
        client.get("/api/v1/comments?thread=/a", headers={"Origin": "http://localhost"})
        client.get("/api/v1/comments?thread=/a", headers={"Origin": "https://x\x1b[2J.example"})
        client.get("/api/v1/comments?thread=/a", headers={"Origin": "http://[::1\x1b]:8080"})
        client.get("/api/v1/comments?thread=/a", headers={"Origin": "http://[2001:db8::7]:8080"})
    logged = [r.getMessage() for r in caplog.records if r.name == app.logger.name]
    assert len(logged) == 2, logged
    assert "refused origin https://www.blog.example (GET /api/v1/comments)" in logged[0]
    command = "flask --app wsgi sites update default --add-origin https://www.blog.example"
    assert command in logged[0]
    assert "--add-origin http://[2001:db8::7]:8080" in logged[1], "a site can list an IPv6 origin"


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


# --- who the client is: X-Forwarded-For only through trusted proxies ----------------------


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded_for", "client"),
    [
        ("", "127.0.0.1", ["203.0.113.1"], "127.0.0.1"),
        ("127.0.0.1", "127.0.0.1", ["203.0.113.1"], "203.0.113.1"),
        ("127.0.0.1", "198.51.100.9", ["203.0.113.1"], "198.51.100.9"),
        ("127.0.0.1", "127.0.0.1", [], "127.0.0.1"),
        # Entries left of the first untrusted hop came from the client: never believed.
        ("127.0.0.1, 10.0.0.0/8", "127.0.0.1", ["6.6.6.6, 203.0.113.1, 10.1.2.3"], "203.0.113.1"),
        ("127.0.0.1", "127.0.0.1", ["6.6.6.6", "203.0.113.1"], "203.0.113.1"),
        ("10.0.0.0/8", "10.0.0.1", ["10.0.0.2"], "10.0.0.2"),
        ("127.0.0.1", "127.0.0.1", ["203.0.113.1, not-an-address"], "127.0.0.1"),
        ("127.0.0.1", "127.0.0.1", ["203.0.113.1:5555"], "203.0.113.1"),
        ("::1", "::1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("127.0.0.1", "::ffff:127.0.0.1", ["::ffff:203.0.113.1"], "203.0.113.1"),
        ("2001:db8:1::/48", "2001:db8:1::5", ["2001:db8:2::7"], "2001:db8:2::7"),
        ("unix", "", ["203.0.113.1"], "203.0.113.1"),
        ("", "", ["203.0.113.1"], "unknown"),
    ],
)
def test_the_client_is_the_nearest_address_no_trusted_proxy_vouches_for(
    trusted: str, peer: str, forwarded_for: list[str], client: str
) -> None:
    assert TrustedProxies.parse(trusted).client(peer, forwarded_for) == client


@pytest.mark.parametrize("app_config", [{**LIMITS, "TRUSTED_PROXIES": "127.0.0.1"}])
def test_a_trusted_proxy_names_each_client_and_forged_hops_do_not_help(
    app: Flask, client: FlaskClient
) -> None:
    def post(forwarded_for: str, peer: str = "127.0.0.1") -> int:
        return client.post(
            "/api/v1/comments",
            json={"thread": "/t", "body": f"From {forwarded_for} via {peer}"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": peer},
        ).status_code

    # The proxy appends the real client (203.0.113.1); the client forged what is left of it.
    limited = [post(f"198.51.100.{n}, 203.0.113.1") for n in range(4)]
    assert limited == [201, 201, 201, 429]
    assert post("203.0.113.2") == 201  # another client behind the same proxy
    # Not a trusted proxy: its X-Forwarded-For is ignored, so rotating it changes nothing.
    assert [post(f"192.0.2.{n}", peer="198.51.100.50") for n in range(4)][-1] == 429
    with app.app_context():
        key = ip_hash_key(app.config["SECRET_KEY"], app.config.get("IP_HASH_KEY"))
        stored = set(db.session.scalars(select(Comment.ip_hash)))
    assert stored == {hash_ip(ip, key) for ip in ("203.0.113.1", "203.0.113.2", "198.51.100.50")}


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": "127.0.0.1"}])
def test_behind_a_tls_proxy_the_service_knows_its_own_https_origin(client: FlaskClient) -> None:
    """The default site allows only the blog; the service's own pages may always post."""

    def post(proto: str, peer: str = "127.0.0.1") -> int:
        return client.post(
            "/api/v1/comments",
            json={"thread": "/t", "body": f"Via {proto} from {peer}"},
            headers={"Origin": "https://localhost", "X-Forwarded-Proto": proto},
            environ_base={"REMOTE_ADDR": peer},
        ).status_code

    assert post("https") == 201
    assert post("http, https") == 201  # the nearest proxy's value counts
    assert post("http") == 403
    assert post("https", peer="198.51.100.50") == 403  # not a proxy: the header is ignored


def test_the_retired_proxy_setting_is_refused_with_what_to_set_instead(db_url: str) -> None:
    with pytest.raises(ProxyConfigError, match="Set TRUSTED_PROXIES"):
        create_app(base_config(db_url, PROXY_FIX_X_FOR=1))
    migrated = create_app(base_config(db_url, PROXY_FIX_X_FOR=1, TRUSTED_PROXIES="10.0.0.0/8"))
    assert migrated.extensions["trusted_proxies"] == TrustedProxies.parse("10.0.0.0/8")
    with pytest.raises(ProxyConfigError, match=re.escape("'10.0.0.0/33'")):
        create_app(base_config(db_url, TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/33"))


# --- where the counts live: Redis when configured, memory otherwise ------------------------


def test_redis_url_is_the_storage_and_the_prefix_keeps_deployments_apart(tmp_path: Path) -> None:
    env = {"REDIS_URL": "redis://cache:6379/2", "REDIS_KEY_PREFIX": "blog", "SECRET_KEY": "s" * 32}
    storage = config.rate_limit_storage(
        {**config.DEFAULTS, **config.from_environment(env, tmp_path)}
    )
    assert storage["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"
    assert storage["RATELIMIT_STORAGE_OPTIONS"]["key_prefix"] == "blog"
    assert storage["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] == config.REDIS_TIMEOUT_SECONDS
    without = config.rate_limit_storage(
        {**config.DEFAULTS, **config.from_environment({"SECRET_KEY": "s" * 32}, tmp_path)}
    )
    assert without == {"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_STORAGE_OPTIONS": {}}


MakeApp = Callable[..., Flask]


@pytest.fixture
def make_app(db_url: str, tmp_path: Path) -> Iterator[MakeApp]:
    """Apps on this test's database with limits on: as separate deployments or instances."""
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        settings = {"MODEL_STORE": str(tmp_path / "models"), **LIMITS, **overrides}
        apps.append(create_app(base_config(db_url, **settings)))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def post_from(app: Flask, n: int) -> TestResponse:
    return app.test_client().post("/api/v1/comments", json={"thread": "/t", "body": f"No. {n}"})


def test_with_redis_the_count_is_shared_and_kept_under_the_prefix(make_app: MakeApp) -> None:
    with redis_prefix() as prefix, redis_prefix() as other_prefix:
        app = make_app(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix)
        assert [post_from(app, n).status_code for n in range(3)] == [201] * 3
        refused = post_from(app, 3)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        with redis.Redis.from_url(REDIS_URL) as store:
            assert list(store.scan_iter(match=f"{prefix}:*"))  # the counts live under the prefix
        # Another deployment on the same Redis counts on its own.
        other = make_app(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=other_prefix)
        assert post_from(other, 4).status_code == 201


def test_redis_never_holds_an_address_or_an_email(make_app: MakeApp) -> None:
    with redis_prefix() as prefix:
        app = make_app(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix)
        client, reader = app.test_client(), {"REMOTE_ADDR": "203.0.113.77"}
        for n in range(2):  # the e-mail's limit
            posted = client.post(
                "/api/v1/comments",
                json={"thread": "/t", "body": f"No. {n}", "author_email": "Reader@Example.org"},
                environ_base=reader,
            )
        # Editing and deleting one's comment are limited per client too.
        own = {"X-Edit-Token": posted.get_json()["edit_token"]}
        path = f"/api/v1/comments/{posted.get_json()['id']}"
        edited = client.patch(path, json={"body": "Edited"}, headers=own, environ_base=reader)
        assert edited.status_code == 200
        assert client.delete(path, headers=own, environ_base=reader).status_code == 200
        with redis.Redis.from_url(REDIS_URL) as store:
            keys = [key.decode() for key in store.scan_iter(match=f"{prefix}:*")]
    assert len(keys) >= 4  # one count per address and e-mail, one per edit and delete
    assert not [key for key in keys if "203.0.113" in key or "example.org" in key.lower()]


def test_an_unreachable_redis_keeps_limits_per_worker_and_says_so(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    """Comments keep flowing (the model and the rules still judge them), limits stay on."""
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    statuses = [post_from(app, n).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert "falling back to in-memory storage" in caplog.text


def test_without_redis_the_limits_count_in_memory(make_app: MakeApp) -> None:
    app = make_app()
    assert isinstance(limiter.storage, MemoryStorage)
    assert [post_from(app, n).status_code for n in range(4)] == [201, 201, 201, 429]


def test_healthz_says_where_the_limits_count_and_whether_workers_share_them(
    make_app: MakeApp,
) -> None:
    def health(app: Flask) -> tuple[int, dict[str, Any]]:
        answer = app.test_client().get("/healthz")
        return answer.status_code, answer.get_json()

    with redis_prefix() as prefix:
        status, body = health(make_app(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix))
    assert status == 200 and body["status"] == "ok"
    assert body["rate_limits"] == {
        "enabled": True,
        "storage": "redis",
        "shared": True,
        "error": None,
    }
    # Redis configured but not answering: still taking comments, limits per worker only.
    status, body = health(make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    assert status == 200 and body["status"] == "degraded"
    assert body["rate_limits"]["shared"] is False
    assert "each worker counts on its own" in body["rate_limits"]["error"]
    assert "127.0.0.1" not in str(body)  # no hosts or ports in a public answer
    status, body = health(make_app())
    assert body["rate_limits"]["storage"] == "memory" and body["status"] == "ok"
