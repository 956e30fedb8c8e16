"""Explanations through the API: which words pushed a score up, with offsets into the text."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import CommentScore
from tests.comments.conftest import PostComment, StaffToken

INSULT = "Only a pathetic idiot would write this garbage, you moron."


def spans(text: str, explanation: dict[str, Any], head: str) -> list[str]:
    return [text[f["start"] : f["end"]].lower() for f in explanation[head]]


def test_scoring_a_text_names_the_words_that_raised_it(
    client: FlaskClient, staff_headers: StaffToken
) -> None:
    response = client.post(
        "/api/v1/classifier/score", json={"text": INSULT}, headers=staff_headers("analyst")
    )
    assert response.status_code == 200
    active = response.get_json()["active"]
    assert active["toxicity"] > active["thresholds"]["toxicity"]["hold"]
    words = spans(INSULT, active["explanation"], "toxicity")
    assert {"idiot", "moron"} & set(words), words
    assert all(f["weight"] > 0 for f in active["explanation"]["toxicity"])
    assert "shadow" not in response.get_json()


def test_scoring_needs_staff_and_a_text(client: FlaskClient, staff_headers: StaffToken) -> None:
    assert client.post("/api/v1/classifier/score", json={"text": "hi"}).status_code == 401
    bad = client.post(
        "/api/v1/classifier/score", json={"text": ""}, headers=staff_headers("analyst")
    )
    assert bad.status_code == 422 and "text" in bad.get_json()["errors"]


def test_a_published_comment_is_explained_when_a_moderator_opens_it(
    app: Flask, client: FlaskClient, post_comment: PostComment, staff_headers: StaffToken
) -> None:
    body = "What a lovely, thoughtful article about gardening."
    posted = post_comment(body=body).get_json()
    assert posted["status"] == "published"
    with app.app_context():
        stored = db.session.scalar(select(CommentScore))
        assert stored is not None and stored.explanation is None  # not paid for at posting time
    detail = client.get(
        f"/api/v1/moderation/comments/{posted['id']}", headers=staff_headers("moderator")
    ).get_json()
    explanation = detail["explanation"]
    assert set(explanation) == {"toxicity", "spam"}
    assert explanation["toxicity"] or explanation["spam"]
    for head in ("toxicity", "spam"):
        for feature in explanation[head]:
            assert 0 <= feature["start"] < feature["end"] <= len(body)
