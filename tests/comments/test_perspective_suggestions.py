"""Scores suggested through the Perspective-compatible API (``comments:suggestscore``), and
Coral's moderation feedback, become labelled examples of the key's site."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import Site
from tests.comments.conftest import ABUSIVE, NICE
from tests.comments.perspective_client import (
    CHANNEL_SPAM,
    SUGGEST,
    call,
    examples,
    table_counts,
)

# --- suggestscore ------------------------------------------------------------------------------


def suggestion(text: str, **scores: float) -> dict[str, Any]:
    """A SuggestCommentScore request with the fields Coral sends."""
    return {
        "comment": {"text": text},
        "context": {"entries": [{"text": json.dumps({"Coral_comment_id": "c-1"})}]},
        "attributeScores": {
            name: {"summaryScore": {"value": value}} for name, value in scores.items()
        },
        "languages": ["en"],
        "communityId": "Coral:https://news.example",
        "clientToken": "comment:c-1",
        "sessionId": "s-7",
    }


def test_suggested_scores_become_labelled_examples_of_the_keys_site_and_are_exported(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    new_key: Callable[..., str],
    tmp_path: Path,
) -> None:
    assert runner.invoke(args=["sites", "create", "news"]).exit_code == 0
    key = new_key("news")
    toxic = call(client, SUGGEST, key, suggestion(ABUSIVE, TOXICITY=1.0))
    assert toxic.status_code == 200 and toxic.get_json() == {"clientToken": "comment:c-1"}
    spam = call(client, SUGGEST, key, suggestion(CHANNEL_SPAM, SPAM=0.9, TOXICITY=0.1))
    assert spam.status_code == 200

    first, second = examples(app)
    assert (first.text, first.toxic, first.spam, first.source) == (
        ABUSIVE,
        True,
        None,
        "perspective",
    )
    assert first.context == {
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1.0, "type": "PROBABILITY"}}},
        "languages": ["en"],
        "clientToken": "comment:c-1",
        "communityId": "Coral:https://news.example",
        "sessionId": "s-7",
        "context": {"entries": [{"text": json.dumps({"Coral_comment_id": "c-1"})}]},
    }
    assert (second.toxic, second.spam) == (False, True)
    with app.app_context():
        news = db.session.scalar(select(Site.id).where(Site.name == "news"))
        assert first.site_id == second.site_id == news

    output = tmp_path / "labels.csv"
    exported = runner.invoke(args=["classifier", "export", "--output", str(output)])
    assert exported.exit_code == 0, exported.output
    with output.open(newline="") as handle:
        rows = {row["text"]: row for row in csv.DictReader(handle)}
    assert (rows[ABUSIVE]["toxic"], rows[ABUSIVE]["spam"]) == ("1", "")
    assert (rows[CHANNEL_SPAM]["toxic"], rows[CHANNEL_SPAM]["spam"]) == ("0", "1")
    assert rows[ABUSIVE]["source"] == "perspective/news"


def coral_feedback(text: str, decision: str, comment_id: str) -> bytes:
    """Coral's moderation feedback ("send moderation actions"), byte for byte as it sends it:
    the decision as an attribute, languages ``["EN"]``, pretty-printed JSON."""
    body = {
        "comment": {"text": text},
        "context": {
            "entries": [
                {
                    "text": json.dumps(
                        {
                            "url": f"https://news.example/story?commentID={comment_id}",
                            "Coral_comment_id": comment_id,
                        }
                    )
                }
            ]
        },
        "attributeScores": {decision: {"summaryScore": {"value": 1}}},
        "languages": ["EN"],
        "communityId": "Coral:news.example",
        "clientToken": f"comment:{comment_id}",
    }
    return json.dumps(body, indent=2).encode()


def test_corals_moderation_feedback_is_labelled_like_our_moderators_decisions(
    app: Flask, client: FlaskClient, key: str
) -> None:
    approved = call(client, SUGGEST, key, coral_feedback(NICE, "APPROVED", "c-1"))
    rejected = call(client, SUGGEST, key, coral_feedback(ABUSIVE, "DELETED", "c-2"))
    # Coral checks that the answer carries its clientToken back.
    assert approved.get_json() == {"clientToken": "comment:c-1"}
    assert rejected.get_json() == {"clientToken": "comment:c-2"}
    first, second = examples(app)
    assert (first.text, first.toxic, first.spam) == (NICE, False, False)
    assert (second.text, second.toxic, second.spam) == (ABUSIVE, True, None)
    assert second.context["communityId"] == "Coral:news.example"
    assert second.context["languages"] == ["EN"]


def test_suggestions_are_training_data_with_decisions(
    client: FlaskClient, runner: FlaskCliRunner, key: str, base_data: Path, tmp_path: Path
) -> None:
    call(client, SUGGEST, key, suggestion(ABUSIVE, TOXICITY=1.0))
    call(client, SUGGEST, key, suggestion(NICE, TOXICITY=0.0, SPAM=0.0))
    call(client, SUGGEST, key, suggestion(CHANNEL_SPAM, SPAM=1.0))
    args = ["--data-dir", str(base_data), "--output", str(tmp_path), "--no-baseline"]
    trained = runner.invoke(args=["classifier", "train", *args, "--with-decisions"])
    assert trained.exit_code == 0, trained.output
    extra = json.loads((tmp_path / "model-card.json").read_text(encoding="utf-8"))["data"]["extra"]
    assert extra["sources"] == {"perspective/default": 3}
    assert extra["labels"] == {"toxic": 1, "not_toxic": 1, "spam": 1, "not_spam": 1}


def test_a_suggestion_with_unset_fields_sent_as_null_or_unspecified_is_learned(
    app: Flask, client: FlaskClient, key: str
) -> None:
    body = {
        "comment": {"text": ABUSIVE, "type": "TEXT_TYPE_UNSPECIFIED"},
        "attributeScores": {
            "TOXICITY": {"summaryScore": {"value": 1.0, "type": "SCORE_TYPE_UNSPECIFIED"}}
        },
        "context": None,
        "languages": None,
        "clientToken": None,
        "sessionId": None,
        "communityId": None,
    }
    response = call(client, SUGGEST, key, body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {}
    (example,) = examples(app)
    assert (example.text, example.toxic, example.spam) == (ABUSIVE, True, None)


@pytest.mark.parametrize(
    ("case", "body", "message"),
    [
        ("unserved attribute", suggestion(NICE, INSULT=1.0), "Unknown attribute"),
        ("no scores", suggestion(NICE), "Missing attribute_scores"),
        ("approved and deleted", suggestion(NICE, APPROVED=1, DELETED=1), "Contradictory"),
        ("value over 1", suggestion(NICE, TOXICITY=1.5), "Invalid JSON payload received."),
        ("no text", {**suggestion("", TOXICITY=1.0)}, "Comment must be non-empty."),
        ("German", {**suggestion(NICE, TOXICITY=1.0), "languages": ["de"]}, "Attribute"),
        ("a stray field", {**suggestion(NICE, TOXICITY=1.0), "doNotStore": True}, "Invalid"),
    ],
)
def test_refused_suggestions_store_nothing(
    app: Flask, client: FlaskClient, key: str, case: str, body: Any, message: str
) -> None:
    before = table_counts(app)
    response = call(client, SUGGEST, key, body)
    assert response.status_code == 400, case
    assert response.get_json()["error"]["message"].startswith(message), case
    assert table_counts(app) == before
