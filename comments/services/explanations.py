"""Why a comment got its scores: the features that pushed each score up, with their spans."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from comments.models import Comment
from comments.services.scoring import ModelProvider, explain, score_with


def explain_comment(
    session: Session, provider: ModelProvider, comment: Comment
) -> dict[str, Any] | None:
    """Explain with the version that scored the comment; ``None`` if it cannot be loaded here.

    Published comments are not explained when they are stored (it costs more than scoring), so
    a moderator opening one gets the explanation computed now, from the same model version.
    """
    if comment.model_version is None:
        return None
    model = provider.model_for(session, comment.model_version)
    if model is None:
        return None
    return explain(model, comment.body_raw)


def score_text(session: Session, provider: ModelProvider, text: str) -> dict[str, Any]:
    """Scores and explanations of any text by the active model (and the shadow, if any)."""
    serving = provider.serving(session)
    result: dict[str, Any] = {}
    for role, model in (("active", serving.active), ("shadow", serving.shadow)):
        if role == "shadow" and model is None:
            continue
        scored = score_with(model, text, serving.error)
        result[role] = {
            "model_version": model.version if model else None,
            "toxicity": scored.scores.toxicity if scored.scores else None,
            "spam": scored.scores.spam if scored.scores else None,
            "thresholds": model.card.get("thresholds") if model else None,
            "explanation": explain(scored.model, text),
            "error": scored.error,
        }
    return result
