"""The classifier API for staff: which versions exist, and why a text scores as it does."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from marshmallow import RAISE, Schema, validate

from comments.api.parsing import json_body, load
from comments.auth import READ_QUEUES, require
from comments.extensions import db
from comments.schemas.public import CleanText
from comments.services import registry
from comments.services.explanations import score_text

bp = Blueprint("classifier_api", __name__, url_prefix="/api/v1/classifier")


class ScoreRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    text = CleanText(required=True, validate=validate.Length(1, 10_000))


_score_request = ScoreRequestSchema()


@bp.post("/score")
@require(READ_QUEUES)
def score() -> dict[str, Any]:
    """Scores by the active model (and the shadow), each with the features that raised it."""
    data = load(_score_request, json_body())
    provider = current_app.extensions["model_provider"]
    return score_text(db.session(), provider, data["text"])


@bp.get("/models")
@require(READ_QUEUES)
def models() -> dict[str, Any]:
    return {
        "models": [
            {
                "version": row.version,
                "source": row.source,
                "active": row.active,
                "shadow": row.shadow,
                "sha256": row.sha256,
                "trained_at": (row.card or {}).get("trained_at"),
                "trained_by": (row.card or {}).get("trained_by"),
                "thresholds": (row.card or {}).get("thresholds"),
                "activated_at": row.activated_at.isoformat() if row.activated_at else None,
            }
            for row in registry.versions(db.session())
        ]
    }
