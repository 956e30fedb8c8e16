"""Without PUBLIC_URL no mail with a link is queued: a privacy request is refused with 503 for
every address alike, and `flask mail digest` says why it queues nothing.

Mails queued while e-mail is off go out once it is turned on, and turning it on requires
PUBLIC_URL; a link written before that could only name the host a request gave (the
requester's to write, so the link would hand them the token) or a made-up one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from comments.extensions import db
from comments.models import OutboxMail, PrivacyRequest, Staff
from comments.services import accounts
from comments.services.mail.preferences import update_preferences
from tests.comments.conftest import ABUSIVE, PostComment

PUBLIC_URL = "https://comments.example"


def stored(app: Flask) -> tuple[int, int]:
    with app.app_context():
        mails = db.session.scalar(select(func.count()).select_from(OutboxMail))
        requests = db.session.scalar(select(func.count()).select_from(PrivacyRequest))
    return int(mails or 0), int(requests or 0)


def test_a_privacy_request_is_refused_alike_for_every_address_and_nothing_is_queued(
    app: Flask, client: FlaskClient, post_comment: PostComment
) -> None:
    assert post_comment(author_email="ann@example.org").status_code == 201
    answers = []
    for email in ("ann@example.org", "nobody@example.org"):
        api = client.post(
            "/api/v1/privacy/requests",
            json={"email": email, "kind": "export"},
            base_url="http://evil.example",
        )
        assert api.status_code == 503, api.get_data(as_text=True)
        assert "PUBLIC_URL" in api.get_json()["message"]
        page = client.post("/privacy", data={"email": email, "kind": "erase"})
        assert page.status_code == 503 and "PUBLIC_URL" in page.get_data(as_text=True)
        answers.append((api.get_data(), page.get_data()))
    assert answers[0] == answers[1]
    assert stored(app) == (0, 0)


def test_the_privacy_page_says_links_cannot_be_mailed_instead_of_offering_the_form(
    client: FlaskClient,
) -> None:
    page = client.get("/privacy").get_data(as_text=True)
    assert "cannot mail links" in page and "<form" not in page


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": PUBLIC_URL}])
def test_with_public_url_and_e_mail_off_the_request_is_queued_under_it(
    app: Flask, client: FlaskClient, post_comment: PostComment, app_config: dict[str, Any]
) -> None:
    assert post_comment(author_email="a@example.org").status_code == 201
    page = client.get("/privacy").get_data(as_text=True)
    assert "<form" in page and "cannot mail links" not in page
    answer = client.post(
        "/api/v1/privacy/requests", json={"email": "a@example.org", "kind": "erase"}
    )
    assert answer.status_code == 202
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMail))
    assert f"{PUBLIC_URL}/privacy?token=" in mail.text


def wants_hourly_digests(app: Flask) -> None:
    with app.app_context():
        accounts.create_staff(db.session(), "dana", "moderator", "a long password here", [])
        staff = db.session.scalar(select(Staff).where(Staff.name == "dana"))
        assert staff is not None
        before = datetime.now(UTC) - timedelta(hours=2)
        update_preferences(
            db.session(), staff, email="dana@example.org", notify="hourly", now=before
        )
        db.session.commit()


def test_digests_are_not_queued_without_public_url(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    wants_hourly_digests(app)
    assert post_comment(body=ABUSIVE).get_json()["status"] == "pending"
    result = runner.invoke(args=["mail", "digest"])
    assert result.exit_code == 2 and "PUBLIC_URL is not set" in result.output
    assert stored(app) == (0, 0)


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": PUBLIC_URL}])
def test_with_public_url_a_digest_is_queued_with_links_under_it(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment, app_config: dict[str, Any]
) -> None:
    wants_hourly_digests(app)
    assert post_comment(body=ABUSIVE).get_json()["status"] == "pending"
    result = runner.invoke(args=["mail", "digest"])
    assert result.exit_code == 0 and "Queued 1 digest" in result.output, result.output
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMail))
    assert f"{PUBLIC_URL}/moderation/" in mail.text and "localhost" not in mail.text
