"""Without a usable model the service still takes comments, holds them, and says why."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import classifier
from comments.extensions import db
from comments.models import Comment, CommentScore
from tests.comments.conftest import PostComment


def test_healthz_reports_database_and_model(client: FlaskClient, app: Flask) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["model"]["version"] == app.extensions["model_provider"].get().version


@pytest.fixture
def corrupted_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(classifier.default_model_path(), target)
    artifact = next(
        p for p in target.iterdir() if p.name.startswith("model.") and p.suffix != ".json"
    )
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("model", ["missing", "corrupted"])
def test_no_usable_model_holds_every_comment(
    request: pytest.FixtureRequest, db_url: str, tmp_path: Path, model: str
) -> None:
    from comments import create_app
    from tests.conftest import base_config

    path = (
        tmp_path / "nowhere" if model == "missing" else request.getfixturevalue("corrupted_model")
    )
    app = create_app(base_config(db_url, MODEL_PATH=str(path)))
    client = app.test_client()
    response = client.post("/api/v1/comments", json={"thread": "/t", "body": "A kind remark."})
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["model"]["loaded"] is False
    assert health.get_json()["model"]["error"]
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert comment is not None and comment.status == "pending"
        assert db.session.scalar(select(CommentScore)) is None
        db.engine.dispose()


def test_scoring_error_holds_the_comment(
    app: Flask, post_comment: PostComment, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = app.extensions["model_provider"].get()

    def broken(text: str) -> Any:
        raise RuntimeError("feature extraction failed")

    monkeypatch.setattr(model, "score", broken)
    response = post_comment()
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"
