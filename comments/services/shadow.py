"""How a shadow candidate compares with the model that decided, on the same live comments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from comments.models import Comment, CommentScore, Decision, ModelEvent

_Ts = TypeVarTuple("_Ts")
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
    #: Comments of the range decided by another version than the one compared against.
    left_out: Counter[str] = field(default_factory=Counter)
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
            "left_out": dict(self.left_out),
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


@dataclass(frozen=True, slots=True)
class ShadowPeriod:
    """One stretch of time a version scored in shadow: from ``shadow VERSION`` until shadowing
    stopped, another version took its place, or it became the active version."""

    version: str
    start: datetime
    #: None while the version is still in shadow.
    end: datetime | None = None
    #: "stopped", "became active" or "replaced by VERSION"; None while it lasts.
    ended_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "ended_by": self.ended_by,
            "current": self.end is None,
        }


def shadow_periods(session: Session, version: str | None = None) -> list[ShadowPeriod]:
    """Every shadow period in the model history, oldest first; only ``version``'s if given."""
    events = session.scalars(
        select(ModelEvent)
        .where(ModelEvent.action.in_(("shadow", "unshadow", "promote", "rollback")))
        .order_by(ModelEvent.created_at, ModelEvent.id)
    ).all()
    # Promoting (or rolling back to) the shadow version ends its shadow in the same instant.
    activated = {(e.version, e.created_at) for e in events if e.action in ("promote", "rollback")}
    periods: list[ShadowPeriod] = []
    open_period: ShadowPeriod | None = None
    for event in events:
        if event.action == "shadow":
            if open_period is not None and open_period.version == event.version:
                continue  # shadowed again while in shadow: the same period goes on
            if open_period is not None:
                ended = f"replaced by {event.version}"
                periods.append(_closed(open_period, event.created_at, ended))
            open_period = ShadowPeriod(event.version, event.created_at)
        elif (
            event.action == "unshadow"
            and open_period is not None
            and open_period.version == event.version
        ):
            became_active = (event.version, event.created_at) in activated
            ended = "became active" if became_active else "stopped"
            periods.append(_closed(open_period, event.created_at, ended))
            open_period = None
    if open_period is not None:
        periods.append(open_period)
    return [p for p in periods if version is None or p.version == version]


def _closed(period: ShadowPeriod, end: datetime, ended_by: str) -> ShadowPeriod:
    return ShadowPeriod(period.version, period.start, end, ended_by)


# A comment's shadow score beside the score that decided it.
_SHADOW = aliased(CommentScore)
_DECIDED = aliased(CommentScore)


def _in_range(
    query: Select[*_Ts], candidate: str, since: datetime | None, until: datetime | None
) -> Select[*_Ts]:
    """``query`` joined to the candidate's shadow scores of ``[since, until)`` and the decision
    scores of the same comments."""
    query = query.join(
        _DECIDED, (_DECIDED.comment_id == _SHADOW.comment_id) & (_DECIDED.role == "decision")
    ).where(_SHADOW.role == "shadow", _SHADOW.model_version == candidate)
    if since is not None:
        query = query.where(_SHADOW.created_at >= since)
    if until is not None:
        query = query.where(_SHADOW.created_at < until)
    return query


def latest_decider(
    session: Session, candidate: str, since: datetime | None, until: datetime | None
) -> str | None:
    """The version that decided the newest comment ``candidate`` scored in the range: the
    active version of that stretch of the shadow period (None: it scored nothing there)."""
    query = _in_range(select(_DECIDED.model_version).select_from(_SHADOW), candidate, since, until)
    return session.scalar(query.order_by(_SHADOW.created_at.desc(), _SHADOW.id.desc()).limit(1))


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
    until: datetime | None = None,
    decided_by: str | None = None,
    examples: int = 10,
) -> ShadowReport:
    """Agreement, the decisions the candidate would have made, and who matched moderators.

    With ``decided_by``, only the comments that version decided are compared; the others of
    the range are counted in ``left_out`` by the version that decided them.
    """
    query = _in_range(
        select(_SHADOW, _DECIDED, Comment.body_raw).join(Comment, Comment.id == _SHADOW.comment_id),
        candidate,
        since,
        until,
    )
    report = ShadowReport(candidate)
    rows = session.execute(query.order_by(_SHADOW.created_at, _SHADOW.id)).all()
    differences = {"toxicity": 0.0, "spam": 0.0}
    pairs: dict[int, tuple[str, str]] = {}
    for candidate_score, decision_score, body in rows:
        if decided_by is not None and decision_score.model_version != decided_by:
            report.left_out[decision_score.model_version] += 1
            continue
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
