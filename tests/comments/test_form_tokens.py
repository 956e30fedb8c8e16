"""The widget's signed time token: fetched with the form, checked at submission."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import CommentSignal
from comments.services import form_tokens
from tests.comments.conftest import PostComment


def signals_of(app: Flask, comment_id: int) -> set[str]:
    with app.app_context():
        query = select(CommentSignal.name).where(CommentSignal.comment_id == comment_id)
        return set(db.session.scalars(query))


def token_for(client: FlaskClient, thread: str = "/post/1") -> str:
    response = client.get("/api/v1/form-token", query_string={"thread": thread})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["min_seconds"] == 3
    return response.get_json()["token"]


def test_the_token_says_replies_are_not_mailed_while_mail_is_off(client: FlaskClient) -> None:
    answer = client.get("/api/v1/form-token", query_string={"thread": "/post/1"}).get_json()
    assert answer["replies_by_mail"] is False


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_SECURITY": "none",
            "PUBLIC_URL": "https://comments.example",
            "MAIL_FROM": "comments@comments.example",
            "MAIL_SEND_IN_PROCESS": False,
        }
    ],
)
def test_the_token_says_replies_are_mailed_when_mail_is_on(client: FlaskClient) -> None:
    answer = client.get("/api/v1/form-token", query_string={"thread": "/post/1"}).get_json()
    assert answer["replies_by_mail"] is True


def test_form_sent_too_fast_is_held(
    app: Flask, client: FlaskClient, post_comment: PostComment
) -> None:
    response = post_comment(form_token=token_for(client))
    assert response.get_json()["status"] == "pending"
    assert "submitted_too_fast" in signals_of(app, response.get_json()["id"])


def test_token_older_than_the_minimum_passes(
    app: Flask, post_comment: PostComment, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A token issued four seconds ago, signed with the app's key, as the widget would hold it.
    issued = time.time() - 4
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: issued)
        token = form_tokens.issue(app.config["SECRET_KEY"], "default", "/post/1")
    response = post_comment(form_token=token)
    assert response.get_json()["status"] == "published"
    assert signals_of(app, response.get_json()["id"]).isdisjoint(
        {"submitted_too_fast", "form_token_invalid", "form_token_missing"}
    )


def test_forged_or_foreign_tokens_are_held(
    app: Flask, client: FlaskClient, post_comment: PostComment
) -> None:
    forged = post_comment(form_token="eyJzIjoiZGVmYXVsdCJ9.forged.sig")
    assert forged.get_json()["status"] == "pending"
    assert "form_token_invalid" in signals_of(app, forged.get_json()["id"])
    other = post_comment(form_token=token_for(client, "/other"), body="Another remark")
    assert "form_token_invalid" in signals_of(app, other.get_json()["id"])


def test_missing_token_is_recorded_or_required(
    app: Flask, post_comment: PostComment, runner
) -> None:
    scored = post_comment()
    assert scored.get_json()["status"] == "published"
    assert "form_token_missing" in signals_of(app, scored.get_json()["id"])
    runner.invoke(args=["sites", "update", "default", "--require-form-token"])
    required = post_comment(body="Something else entirely")
    assert required.get_json()["status"] == "pending"
    assert "form_token_required" in signals_of(app, required.get_json()["id"])


@pytest.mark.parametrize(("age_hours", "held"), [(23.9, False), (24.1, True)])
def test_a_token_is_good_for_24_hours(
    app: Flask,
    post_comment: PostComment,
    monkeypatch: pytest.MonkeyPatch,
    age_hours: float,
    held: bool,
) -> None:
    """The lifetime the README gives: a page's token from yesterday holds the comment."""
    issued = time.time() - age_hours * 3600
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: issued)
        token = form_tokens.issue(app.config["SECRET_KEY"], "default", "/post/1")
    response = post_comment(form_token=token)
    assert response.get_json()["status"] == ("pending" if held else "published")
    assert ("form_token_invalid" in signals_of(app, response.get_json()["id"])) is held
