"""How a shadow candidate compares with the model that decided, on the same live comments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from comments.models import Comment, CommentScore, Decision, ModelEvent

_OUTCOMES = ("published", "pending", "spam")
# A moderator's action, as the status a perfect model would have chosen without review.
_MODERATOR_STATUS = {"approve": "published", "reject": "pending", "spam": "spam"}


@dataclass
class ShadowReport:
    candidate: str
    comments: int = 0
    agreed: int = 0
    #: (status the active model chose, status the candidate would have chosen) -> count
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    active_versions: Counter[str] = field(default_factory=Counter)
    #: Against moderators' later decisions: how often each model's outcome matched them.
    moderated: int = 0
    active_matches_moderators: int = 0
    candidate_matches_moderators: int = 0
    mean_abs_difference: dict[str, float] = field(default_factory=dict)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def agreement(self) -> float | None:
        return self.agreed / self.comments if self.comments else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "comments": self.comments,
            "agreement": self.agreement,
            "active_versions": dict(self.active_versions),
            "would_have_decided": {
                f"{active}->{candidate}": count
                for (active, candidate), count in sorted(self.transitions.items())
            },
            "candidate_outcomes": {
                status: sum(n for (_, c), n in self.transitions.items() if c == status)
                for status in _OUTCOMES
            },
            "active_outcomes": {
                status: sum(n for (a, _), n in self.transitions.items() if a == status)
                for status in _OUTCOMES
            },
            "moderated": self.moderated,
            "active_matches_moderators": self.active_matches_moderators,
            "candidate_matches_moderators": self.candidate_matches_moderators,
            "mean_abs_difference": self.mean_abs_difference,
            "disagreements": self.disagreements,
        }


def shadowed_version(session: Session) -> str | None:
    """The version most recently put in shadow, even if shadowing has stopped since."""
    return session.scalar(
        select(ModelEvent.version)
        .where(ModelEvent.action == "shadow")
        .order_by(ModelEvent.created_at.desc(), ModelEvent.id.desc())
        .limit(1)
    )


def _moderator_outcomes(session: Session, comment_ids: list[int]) -> dict[int, str]:
    """The latest staff decision per comment, as the status it put the comment in."""
    outcomes: dict[int, str] = {}
    for chunk_start in range(0, len(comment_ids), 500):
        chunk = comment_ids[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(Decision.comment_id, Decision.action)
            .where(Decision.comment_id.in_(chunk), Decision.actor == "staff")
            .order_by(Decision.created_at, Decision.id)
        )
        for comment_id, action in rows:
            if action in _MODERATOR_STATUS:
                outcomes[comment_id] = _MODERATOR_STATUS[action]
    return outcomes


def shadow_report(
    session: Session,
    candidate: str,
    *,
    since: datetime | None = None,
    examples: int = 10,
) -> ShadowReport:
    """Agreement, the decisions the candidate would have made, and who matched moderators."""
    decided = aliased(CommentScore)
    shadow = aliased(CommentScore)
    query = (
        select(shadow, decided, Comment.body_raw)
        .join(decided, (decided.comment_id == shadow.comment_id) & (decided.role == "decision"))
        .join(Comment, Comment.id == shadow.comment_id)
        .where(shadow.role == "shadow", shadow.model_version == candidate)
        .order_by(shadow.created_at, shadow.id)
    )
    if since is not None:
        query = query.where(shadow.created_at >= since)
    report = ShadowReport(candidate)
    rows = session.execute(query).all()
    differences = {"toxicity": 0.0, "spam": 0.0}
    pairs: dict[int, tuple[str, str]] = {}
    for candidate_score, decision_score, body in rows:
        active_status = decision_score.status or "unknown"
        candidate_status = candidate_score.status or "unknown"
        report.comments += 1
        report.active_versions[decision_score.model_version] += 1
        report.transitions[(active_status, candidate_status)] += 1
        differences["toxicity"] += abs(candidate_score.toxicity - decision_score.toxicity)
        differences["spam"] += abs(candidate_score.spam - decision_score.spam)
        pairs[candidate_score.comment_id] = (active_status, candidate_status)
        if active_status == candidate_status:
            report.agreed += 1
        elif len(report.disagreements) < examples:
            report.disagreements.append(
                {
                    "comment_id": candidate_score.comment_id,
                    "text": body[:160],
                    "active": {
                        "status": active_status,
                        "toxicity": round(decision_score.toxicity, 4),
                        "spam": round(decision_score.spam, 4),
                    },
                    "candidate": {
                        "status": candidate_status,
                        "toxicity": round(candidate_score.toxicity, 4),
                        "spam": round(candidate_score.spam, 4),
                    },
                }
            )
    if report.comments:
        report.mean_abs_difference = {
            head: round(total / report.comments, 4) for head, total in differences.items()
        }
    for comment_id, moderator_status in _moderator_outcomes(session, list(pairs)).items():
        active_status, candidate_status = pairs[comment_id]
        report.moderated += 1
        report.active_matches_moderators += active_status == moderator_status
        report.candidate_matches_moderators += candidate_status == moderator_status
    return report
