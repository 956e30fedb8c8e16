"""A reader's privacy link is built from PUBLIC_URL, never from the request's Host header.

Whoever asks for the link names the address it goes to and writes the Host header: a link
on their host would bring them the token when the owner of the address clicks it, and with the
address (which they typed) the token downloads or erases everything stored about it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import OutboxMail
from tests.comments.conftest import PostComment

PUBLIC_URL = "https://comments.example"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PUBLIC_URL": PUBLIC_URL}


@pytest.mark.parametrize("path", ["/api/v1/privacy/requests", "/privacy"])
def test_the_link_names_public_url_whatever_host_the_request_names(
    app: Flask, client: FlaskClient, post_comment: PostComment, path: str
) -> None:
    assert post_comment(author_email="victim@example.org").status_code == 201
    fields = {"email": "victim@example.org", "kind": "export"}
    sent = (
        client.post(path, json=fields, base_url="http://evil.example")
        if path.startswith("/api/")
        else client.post(path, data=fields, base_url="http://evil.example")
    )
    assert sent.status_code in (200, 202), sent.get_data(as_text=True)
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.subject.like("Your data%")))
    assert f"{PUBLIC_URL}/privacy?token=" in mail.text
    assert "evil.example" not in mail.text
