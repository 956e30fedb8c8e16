"""The reader's /privacy page, as a reader meets it without JavaScript: a mistyped address is
refused on the page, naming the field, before anything is stored or mailed; a link already
used says so when it is opened, not after the address has been typed in again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from comments.extensions import db
from comments.models import OutboxMail, PrivacyRequest
from tests.comments.conftest import NICE, PUBLIC_LOCALHOST

ANN = "ann@example.org"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return PUBLIC_LOCALHOST


def stored(app: Flask) -> tuple[int, int]:
    """(privacy requests, mails) stored."""
    with app.app_context():
        requests = db.session.scalar(select(func.count()).select_from(PrivacyRequest))
        mails = db.session.scalar(select(func.count()).select_from(OutboxMail))
        return int(requests or 0), int(mails or 0)


@pytest.fixture
def ann_commented(client: FlaskClient) -> None:
    """Ann holds a comment here, so her mail carries a link (an unknown address gets none)."""
    payload = {"thread": "/post/1", "author_name": "Ann", "author_email": ANN, "body": NICE}
    assert client.post("/api/v1/comments", json=payload).status_code == 201


def mailed_link(app: Flask) -> str:
    with app.app_context():
        mail = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
        assert mail is not None
        found = re.search(r"http://localhost(/privacy\?token=[\w.\-]+)", mail.text)
    assert found, mail.text
    return found.group(1)


@pytest.mark.parametrize("typed", ["ann@", "@example.org", "ann example@example.org", "a@b@c.org"])
def test_a_malformed_address_is_refused_on_the_page_and_nothing_is_mailed(
    app: Flask, client: FlaskClient, typed: str
) -> None:
    """The page took anything with an "@" in it (the API refuses these with a 422), stored a
    request and queued a mail to an address no server delivers to, and said it was on its way."""
    page = client.post("/privacy", data={"email": typed, "kind": "export"})
    assert page.status_code == 422
    assert "Enter a valid e-mail address" in page.text
    field = re.search(r"<input id=\"email\"[^>]*>", page.text)
    assert field, page.text
    assert 'aria-invalid="true"' in field.group(0), "the message is tied to the field"
    assert 'aria-describedby="email-error"' in field.group(0)
    assert f'value="{typed}"' in field.group(0), "what was typed stays, to be corrected"
    assert "<title>Error: Your data" in page.text, "the title says so first, as read out"
    assert stored(app) == (0, 0)


def test_a_missing_choice_is_named_and_nothing_is_mailed(app: Flask, client: FlaskClient) -> None:
    page = client.post("/privacy", data={"email": ANN, "kind": "delete"})
    assert page.status_code == 422
    assert "Choose what you want" in page.text
    assert stored(app) == (0, 0)


@pytest.mark.usefixtures("ann_commented")
def test_a_used_link_says_so_when_opened(app: Flask, client: FlaskClient) -> None:
    """Opening a used link showed the form again, which failed only once the address was
    typed in: the reader learned it was used after doing everything asked of them."""
    assert client.post("/privacy", data={"email": ANN, "kind": "export"}).status_code == 200
    link = mailed_link(app)
    token = link.split("token=")[1]
    assert client.get(link).status_code == 200
    assert client.post("/privacy/confirm", data={"token": token, "email": ANN}).status_code == 200
    opened = client.get(link)
    assert opened.status_code == 400
    assert "expired or been used already" in opened.text
    assert "Download my data" not in opened.text
    assert "<title>Error: Your data" in opened.text


@pytest.mark.usefixtures("ann_commented")
def test_opening_a_link_checks_it_but_changes_nothing(app: Flask, client: FlaskClient) -> None:
    assert client.post("/privacy", data={"email": ANN, "kind": "erase"}).status_code == 200
    link = mailed_link(app)
    for _ in range(2):
        opened = client.get(link)
        assert opened.status_code == 200 and "Erase my data" in opened.text
        assert "<title>Your data" in opened.text
    with app.app_context():
        assert db.session.scalars(select(PrivacyRequest.status)).all() == ["pending"]


@pytest.mark.usefixtures("ann_commented")
def test_a_mistyped_address_on_an_open_link_asks_again_and_keeps_the_link(
    app: Flask, client: FlaskClient
) -> None:
    """A typo in the address said the link had expired or been used and to ask for a new one
    (3 an hour per address), though the link still worked with the address corrected."""
    assert client.post("/privacy", data={"email": ANN, "kind": "export"}).status_code == 200
    token = mailed_link(app).split("token=")[1]
    typo = client.post("/privacy/confirm", data={"token": token, "email": "ann@exmaple.org"})
    assert typo.status_code == 422
    assert "not the address this link was sent to" in typo.text
    assert "expired" not in typo.text
    assert "Download my data" in typo.text and f'value="{token}"' in typo.text
    field = re.search(r"<input id=\"email\"[^>]*>", typo.text)
    assert field and 'aria-describedby="email-error"' in field.group(0)
    assert 'value="ann@exmaple.org"' in field.group(0)
    with app.app_context():
        assert db.session.scalars(select(PrivacyRequest.status)).all() == ["pending"]
    download = client.post("/privacy/confirm", data={"token": token, "email": ANN})
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
