"""The classifier API for staff: which versions exist, and why a text scores as it does."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from comments.api.contract import contract
from comments.auth import READ_QUEUES, require
from comments.extensions import db
from comments.schemas.classifier import ModelListSchema, ScoreRequestSchema, ScoreResultSchema
from comments.services import registry
from comments.services.explanations import score_text

bp = Blueprint("classifier_api", __name__, url_prefix="/api/v1/classifier")


@bp.post("/score")
@require(READ_QUEUES)
@contract({200: ScoreResultSchema()}, body=ScoreRequestSchema())
def score(body: dict[str, Any]) -> dict[str, Any]:
    """Scores by the active model (and the shadow), each with the features that raised it."""
    provider = current_app.extensions["model_provider"]
    return score_text(db.session(), provider, body["text"])


@bp.get("/models")
@require(READ_QUEUES)
@contract({200: ModelListSchema()})
def models() -> dict[str, Any]:
    """Every known model version, which one decides (the built-in model until a promotion)
    and which one shadows it."""
    provider = current_app.extensions["model_provider"]
    return {"models": registry.listing(db.session(), provider.fallback())}
