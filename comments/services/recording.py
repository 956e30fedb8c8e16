"""Writing a new comment and the record of its automatic decision, a statement per table.

Every statement costs a round trip and, through the ORM, bookkeeping on every submission: the
comment goes in with one INSERT ... ON CONFLICT, its scores, signals and decision as plain rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from comments.models import Base, Comment, CommentScore, CommentSignal, Decision
from comments.policy import ModelScores, Outcome
from comments.services.scoring import ScoreResult, explain

_COMMENTS = cast(Table, Comment.__table__)
_AUTOMATIC_ACTIONS = {"published": "publish", "pending": "hold", "spam": "file_spam"}
#: INSERT ... ON CONFLICT (site, idempotency key) DO NOTHING RETURNING id, per dialect.
_COMMENT_INSERTS: dict[str, Insert] = {
    name: insert_into(_COMMENTS)
    .on_conflict_do_nothing(index_elements=["site_id", "idempotency_key"])
    .returning(_COMMENTS.c.id)
    for name, insert_into in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def insert_comment(session: Session, values: dict[str, Any]) -> Comment | None:
    """Insert the comment in one statement; None when its idempotency key was taken meanwhile.

    Replaces a savepoint, an ORM flush and the savepoint's release; the row is then attached
    to the session as if loaded, so callers get a persistent Comment as before.
    """
    statement = _COMMENT_INSERTS[session.get_bind().dialect.name]
    comment_id = session.connection().execute(statement, values).scalar()
    if comment_id is None:
        return None
    comment = Comment(id=comment_id, **values)
    make_transient_to_detached(comment)
    session.add(comment)
    return comment


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """INSERT rows in one Core statement: no model objects, no unit of work (column defaults
    such as created_at still apply)."""
    if rows:
        session.connection().execute(cast(Table, model.__table__).insert(), rows)


def record_decision(
    session: Session,
    comment: Comment,
    outcome: Outcome,
    scored: ScoreResult,
    shadow: tuple[ModelScores, str] | None,
    now: datetime,
) -> None:
    """Scores, signals and the automatic decision, each naming the model version, then a
    shadow model's scores; one INSERT per row kind."""
    scores: list[dict[str, Any]] = []
    if scored.scores is not None:
        held = outcome.status != "published"
        scores.append(
            {
                "comment_id": comment.id,
                "model_version": scored.scores.model_version,
                "role": "decision",
                "toxicity": scored.scores.toxicity,
                "spam": scored.scores.spam,
                "status": outcome.status,
                # Moderators look at held comments; published ones are explained on demand.
                "explanation": explain(scored.model, comment.body_raw) if held else None,
                "created_at": now,
            }
        )
    if shadow is not None:
        candidate, status = shadow
        scores.append(
            {
                "comment_id": comment.id,
                "model_version": candidate.model_version,
                "role": "shadow",
                "toxicity": candidate.toxicity,
                "spam": candidate.spam,
                "status": status,
                "explanation": None,
                "created_at": now,
            }
        )
    _insert(session, CommentScore, scores)
    _insert(
        session,
        CommentSignal,
        [
            {"comment_id": comment.id, "name": signal.name, "detail": signal.detail}
            for signal in outcome.signals
        ],
    )
    _insert(
        session,
        Decision,
        [
            {
                "comment_id": comment.id,
                "actor": "model",
                "staff_id": None,
                "model_version": comment.model_version,
                "action": _AUTOMATIC_ACTIONS[outcome.status],
                "toxicity": comment.toxicity,
                "spam": comment.spam,
                "from_status": None,
                "to_status": outcome.status,
                "reason": outcome.reason,
                "note": "",
                "created_at": now,
            }
        ],
    )
