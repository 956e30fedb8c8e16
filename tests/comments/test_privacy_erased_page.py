"""The page a reader sees after confirming an erasure says what happened to their comments:
anonymised where the site keeps the text, removed where its `erasure` setting is `remove`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import OutboxMail
from tests.comments.conftest import NICE, PUBLIC_LOCALHOST

ANN = "ann@example.org"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return PUBLIC_LOCALHOST


def post(client: FlaskClient, email: str, site: str = "default", **fields: object) -> int:
    payload = {"thread": "/post/1", "author_name": email.split("@")[0], "author_email": email}
    response = client.post(
        "/api/v1/comments", json={**payload, "body": NICE, "site": site, **fields}
    )
    assert response.status_code == 201, response.get_json()
    comment_id: int = response.get_json()["id"]
    return comment_id


def erase_through_the_link(
    app: Flask, client: FlaskClient, meanwhile: Callable[[], object] = lambda: None
) -> str:
    """Ask at /privacy, follow the mailed link, type the address again: the page shown."""
    assert client.post("/privacy", data={"email": ANN, "kind": "erase"}).status_code == 200
    with app.app_context():
        mail = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
        assert mail is not None
        found = re.search(r"/privacy\?token=([\w.\-]+)", mail.text)
    assert found, mail.text
    meanwhile()
    page = client.post("/privacy/confirm", data={"token": found.group(1), "email": ANN})
    assert page.status_code == 200
    return " ".join(page.text.split())


def test_on_a_site_that_removes_comments_the_page_says_they_were_removed(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["sites", "update", "default", "--erasure", "remove"]).exit_code == 0
    answered = post(client, ANN)
    post(client, ANN)
    post(client, "bob@example.org", parent_id=answered)
    page = erase_through_the_link(app, client)
    assert "2 of your comments were removed" in page
    assert "[deleted]" in page  # the answered one stays as a placeholder
    assert "anonymis" not in page and "no longer carry" not in page


def test_on_a_site_that_keeps_the_text_the_page_says_comments_were_anonymised(
    app: Flask, client: FlaskClient
) -> None:
    post(client, ANN)
    page = erase_through_the_link(app, client)
    assert "1 of your comments was anonymised" in page
    assert "removed" not in page


def test_across_sites_with_both_modes_the_page_says_both(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["sites", "create", "other"]).exit_code == 0
    assert runner.invoke(args=["sites", "update", "other", "--erasure", "remove"]).exit_code == 0
    post(client, ANN)
    post(client, ANN, site="other")
    post(client, ANN, site="other")
    page = erase_through_the_link(app, client)
    assert "1 of your comments was anonymised" in page
    assert "2 of your comments were removed" in page


def test_without_comments_left_the_page_does_not_claim_any_were_changed(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    post(client, ANN)
    page = erase_through_the_link(  # an admin erased them after the link was sent
        app, client, lambda: runner.invoke(args=["privacy", "erase", ANN, "--yes"])
    )
    assert "anonymis" not in page and "removed" not in page
    assert "no comments" in page
