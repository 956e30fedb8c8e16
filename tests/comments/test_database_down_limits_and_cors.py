"""During a database outage: a 503 costs no rate limit and keeps its own Retry-After.

Each rate-limited endpoint is called more often than its limit allows while the database is
really unreachable (see tests/outages.py), then once more after it is back. gunicorn with Redis,
as in production, is in test_reliability_database_down.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from comments.errors import RETRY_AFTER_DB_DOWN
from comments.extensions import db
from comments.services import accounts
from tests.comments.conftest import NICE
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
