"""Requests on a database whose schema is behind the code (never migrated, or not upgraded
after the code was) answer 503 saying to run `flask --app wsgi db upgrade`: not a 500
(PostgreSQL's missing table) nor "the database is unavailable" (SQLite's), which sent
operators looking for a database that was up all along."""

from __future__ import annotations

from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments.extensions import db
from tests.comments.conftest import PUBLIC_LOCALHOST, PostComment

UPGRADE = "run flask --app wsgi db upgrade"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return PUBLIC_LOCALHOST


def downgrade(app: Flask, revision: str) -> None:
    with app.app_context():
        flask_migrate.downgrade(revision=revision)
        db.engine.dispose()


@pytest.mark.parametrize(
    ("revision", "says", "reads_too"),
    [
        # A column of comments missing (edit extensions): a submission writes it.
        ("0016", "schema at revision 0016, this code needs 0027", False),
        ("base", "schema at revision none, this code needs 0027", True),  # no table at all
    ],
)
def test_api_requests_answer_503_saying_to_upgrade(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    revision: str,
    says: str,
    reads_too: bool,
) -> None:
    downgrade(app, revision)
    responses = [post_comment()]
    if reads_too:
        responses.append(client.get("/api/v1/comments?thread=/post/1"))
    for response in responses:
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json() == {
            "code": 503,
            "status": "Service Unavailable",
            "message": f"The database needs an upgrade: {says}: {UPGRADE}.",
        }
        # Unlike an outage, waiting a few seconds does not help (as /healthz says too).
        assert "Retry-After" not in response.headers


def test_pages_answer_a_503_page_and_the_upgrade_brings_the_service_back(
    app: Flask, client: FlaskClient, post_comment: PostComment
) -> None:
    downgrade(app, "base")
    page = client.post("/privacy", data={"email": "ann@example.org", "kind": "export"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "needs an upgrade" in page.get_data(as_text=True)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    assert post_comment().status_code == 201
