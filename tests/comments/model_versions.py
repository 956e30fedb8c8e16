"""Running ``flask classifier`` version commands in tests, and reading what they changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import classifier
from comments.extensions import db
from comments.models import CommentScore

_CHANGES = {"register", "promote", "rollback", "shadow"}


def flask(app: Flask, *args: str) -> Any:
    """Run ``flask classifier ...``; changes are made as "ml-staff"."""
    actor = ["--actor", "ml-staff"] if args[0] in _CHANGES else []
    return app.test_cli_runner().invoke(args=["classifier", *args, *actor])


def register(app: Flask, artifact: Path) -> str:
    result = flask(app, "register", str(artifact))
    assert result.exit_code == 0, result.output
    return classifier.read_card(artifact)["version"]


def stored_versions(app: Flask) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(select(CommentScore).order_by(CommentScore.id)).all()
        return [row.model_version for row in rows if row.role == "decision"]


def serving(client: FlaskClient) -> dict[str, Any]:
    model: dict[str, Any] = client.get("/healthz").get_json()["model"]
    return model
