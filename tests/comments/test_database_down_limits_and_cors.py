"""During a database outage: a 503 costs no rate limit, keeps its own Retry-After, and
reaches a widget on an allowed site with its CORS headers.

The database is really unreachable (see tests/outages.py). Each rate-limited endpoint is called
more often than its limit allows, then once more after the database is back; gunicorn with
Redis, as in production, is in test_reliability_database_down.py, and the widget in Chromium in
tests/browser/test_browser_outage.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from comments import create_app
from comments.errors import RETRY_AFTER_DB_DOWN
from comments.extensions import db
from comments.services import accounts
from tests.comments.conftest import NICE, PUBLIC_LOCALHOST
from tests.conftest import base_config
from tests.moderation_ui.conftest import csrf_from
from tests.outages import DatabaseOutage

LIMIT = 2
PER_MINUTE = f"{LIMIT} per minute"
#: More attempts during the outage than the limit lets through.
ATTEMPTS = LIMIT + 2


@pytest.fixture
def outage(tmp_path: Path) -> DatabaseOutage:
    return DatabaseOutage(tmp_path)


@pytest.fixture
def db_url(db_url: str, outage: DatabaseOutage) -> Iterator[str]:
    with outage.around(db_url) as url:
        yield url


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_COMMENTS_PER_IP": PER_MINUTE,
        "RATELIMIT_COMMENTS_PER_EMAIL": PER_MINUTE,
        "RATELIMIT_REPORTS_PER_IP": PER_MINUTE,
        "RATELIMIT_PRIVACY_PER_IP": PER_MINUTE,
        "RATELIMIT_PRIVACY_PER_EMAIL": PER_MINUTE,
        "RATELIMIT_LOGIN_PER_IP": PER_MINUTE,
        **PUBLIC_LOCALHOST,
    }


Send = Callable[[], TestResponse]


def posting(app: Flask, client: FlaskClient) -> tuple[Send, int]:
    """The widget's retry: the same comment with the same idempotency key, stored once."""
    payload = {
        "thread": "/outage",
        "body": NICE,
        "author_email": "ann@example.org",
        "idempotency_key": "posted-during-the-outage",
    }
    return lambda: client.post("/api/v1/comments", json=payload), 201


def reporting(app: Flask, client: FlaskClient) -> tuple[Send, int]:
    posted = client.post("/api/v1/comments", json={"thread": "/outage", "body": NICE})
    assert posted.get_json()["status"] == "published", posted.get_json()
    url = f"/api/v1/comments/{posted.get_json()['id']}/reports"
    return lambda: client.post(url, json={"reason": "other", "text": "Off topic"}), 201


def asking_for_my_data(app: Flask, client: FlaskClient) -> tuple[Send, int]:
    payload = {"email": "ann@example.org", "kind": "export"}
    return lambda: client.post("/api/v1/privacy/requests", json=payload), 202


def signing_in(app: Flask, client: FlaskClient) -> tuple[Send, int]:
    with app.app_context():
        accounts.create_staff(db.session(), "maria", "moderator", "correct horse battery", [])
        db.session.commit()
    form = {"name": "maria", "password": "correct horse battery"}
    token = csrf_from(client.get("/moderation/login").text)
    return lambda: client.post("/moderation/login", data={**form, "csrf_token": token}), 303


@pytest.mark.parametrize("prepare", [posting, reporting, asking_for_my_data, signing_in])
def test_answers_during_an_outage_cost_no_rate_limit(
    prepare: Callable[[Flask, FlaskClient], tuple[Send, int]],
    app: Flask,
    client: FlaskClient,
    outage: DatabaseOutage,
) -> None:
    send, succeeded = prepare(app, client)
    outage.begin(app)
    during = [send() for _ in range(ATTEMPTS)]
    outage.end()
    after = send()
    assert [answer.status_code for answer in during] == [503] * ATTEMPTS
    # What /healthz and the readers' GETs say: back in a few seconds, not when a window ends.
    assert {answer.headers["Retry-After"] for answer in during} == {str(RETRY_AFTER_DB_DOWN)}
    assert after.status_code == succeeded, after.get_data(as_text=True)
    # The limit still holds once the service is back: the answer above was the first counted.
    assert [send().status_code for _ in range(LIMIT)][-1] == 429


BLOG = "https://blog.example"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


def from_origin(client: FlaskClient, origin: str) -> dict[str, TestResponse]:
    """What a widget on ``origin`` sends to post a comment: the preflight, the post, a read."""
    headers = {"Origin": origin}
    comment = {"thread": "/outage", "body": NICE, "idempotency_key": "from-a-widget"}
    return {
        "preflight": client.options("/api/v1/comments", headers={**headers, **PREFLIGHT}),
        "post": client.post("/api/v1/comments", json=comment, headers=headers),
        "read": client.get("/api/v1/comments?thread=/outage", headers=headers),
    }


def test_a_widget_on_an_allowed_site_can_read_the_outage_answer(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, outage: DatabaseOutage, db_url: str
) -> None:
    """Without CORS headers the browser hides the 503: the widget then says "check your
    connection" instead of "try again in 5 seconds"."""
    result = runner.invoke(args=["sites", "update", "default", "--origin", BLOG])
    assert result.exit_code == 0, result.output
    assert from_origin(client, BLOG)["read"].headers["Access-Control-Allow-Origin"] == BLOG
    outage.begin(app)
    allowed = from_origin(client, BLOG)
    foreign = from_origin(client, "https://elsewhere.example")
    # A worker started during the outage never learnt which origins are allowed.
    fresh = create_app(base_config(db_url, MODEL_STORE=app.config["MODEL_STORE"]))
    unknown = from_origin(fresh.test_client(), BLOG)
    with fresh.app_context():
        db.engine.dispose()
    outage.end()

    preflight = allowed["preflight"]
    assert preflight.status_code == 200
    assert preflight.headers.get("Access-Control-Allow-Origin") == BLOG
    assert "POST" in preflight.headers.get("Access-Control-Allow-Methods", "")
    assert "content-type" in preflight.headers.get("Access-Control-Allow-Headers", "").lower()
    for answer in (allowed["post"], allowed["read"]):
        assert answer.status_code == 503
        assert answer.headers.get("Access-Control-Allow-Origin") == BLOG
        assert "Retry-After" in answer.headers.get("Access-Control-Expose-Headers", "")
        assert answer.headers["Retry-After"] == str(RETRY_AFTER_DB_DOWN)
    for answers in (foreign, unknown):
        assert [answer.status_code for answer in answers.values()] == [200, 503, 503]
        assert not [a for a in answers.values() if "Access-Control-Allow-Origin" in a.headers]


def test_a_form_sent_during_an_outage_gets_a_page_not_json(
    app: Flask, client: FlaskClient, outage: DatabaseOutage
) -> None:
    """Staff signing in, like readers confirming an erasure, are people at a form."""
    send, _ = signing_in(app, client)
    outage.begin(app)
    answer = send()
    outage.end()
    assert answer.status_code == 503
    assert answer.mimetype == "text/html"
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_DB_DOWN)
    assert "nothing you sent was saved" in answer.get_data(as_text=True)
