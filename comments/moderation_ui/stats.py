"""Moderation statistics from the decisions table: plain functions of a Session.

No request, no ``g``: the statistics page calls them, tests call them on a known dataset,
and a later service (or a report job) can import them unchanged. Every result is computed
in SQL except medians, which neither SQLite nor portable SQL offers.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, case, cast, func, select
from sqlalchemy.orm import Session, aliased

from comments.models import Comment, Decision
from comments.moderation_ui.present import as_utc
from comments.services.moderation.decisions import AUTHOR_ACTIONS, LABELS

#: How far back the per-day series reach.
WINDOW_DAYS = 30
#: What the model decided at submission, as stored in decisions.to_status.
MODEL_OUTCOMES = ("published", "pending", "spam")
#: Staff actions that decide a comment (those that teach training a label).
VERDICTS = tuple(LABELS)


@dataclass(frozen=True, slots=True)
class DayOutcomes:
    """The model's decisions on one UTC day: auto-published, held, filed as spam."""

    day: date
    published: int = 0
    pending: int = 0
    spam: int = 0

    @property
    def total(self) -> int:
        return self.published + self.pending + self.spam

    def rate(self, outcome: str) -> float:
        count: int = getattr(self, outcome)
        return count / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Overrules:
    """For one model version: comments it decided, how many staff reviewed, how many changed."""

    model_version: str | None
    decided: int
    reviewed: int
    overruled: int
    #: (model's status, staff's status, count), most frequent first.
    changes: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """Share of reviewed comments whose status the moderator changed; None if none."""
        return self.overruled / self.reviewed if self.reviewed else None


@dataclass(frozen=True, slots=True)
class DayTiming:
    day: date
    median_seconds: float
    count: int


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds from a comment's creation to its first staff decision."""

    median_seconds: float | None
    count: int
    by_day: list[DayTiming]


def _utc_day(session: Session, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp, in each dialect's own words."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    # SQLite stores UTC wall-clock text; date() takes its first ten characters' meaning.
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _only_sites(query: Select[Any], comment_id: Any, site_ids: frozenset[int] | None) -> Any:
    if site_ids is None:
        return query
    return query.join(Comment, Comment.id == comment_id).where(Comment.site_id.in_(site_ids))


def _since(days: int, now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


def model_outcomes_by_day(
    session: Session,
    site_ids: frozenset[int] | None = None,
    *,
    days: int = WINDOW_DAYS,
    now: datetime | None = None,
) -> list[DayOutcomes]:
    """Auto-publish, hold and spam counts per day from the model's own decisions."""
    day = _utc_day(session, Decision.created_at).label("day")
    query = (
        select(day, Decision.to_status, func.count())
        .where(Decision.actor == "model", Decision.created_at >= _since(days, now))
        .group_by(day, Decision.to_status)
    )
    query = _only_sites(query, Decision.comment_id, site_ids)
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    for raw_day, status, count in session.execute(query):
        if status in MODEL_OUTCOMES:
            counts[_as_date(raw_day)][status] = int(count)
    return [DayOutcomes(day, **counts[day]) for day in sorted(counts)]


def _first_decisions(actor: str) -> Any:
    """Per comment, the id and time of the first decision by ``actor`` (bans and trust, which
    are about the author, excluded)."""
    return _first_of(Decision.actor == actor, Decision.action.not_in(AUTHOR_ACTIONS))


def _first_verdicts() -> Any:
    """Per comment, the id and time of the first staff verdict: an approve, reject, spam or
    not-spam, or an Unpublish (a restore from published: staff taking it down). Any other
    restore only puts a comment back in the queue, where the decision that follows is the
    verdict, as it is the label training sees."""
    unpublish = (Decision.action == "restore") & (Decision.from_status == "published")
    return _first_of(Decision.actor == "staff", Decision.action.in_(VERDICTS) | unpublish)


def _first_of(*criteria: ColumnElement[bool]) -> Any:
    return (
        select(
            Decision.comment_id.label("comment_id"),
            func.min(Decision.id).label("id"),
            func.min(Decision.created_at).label("created_at"),
        )
        .where(*criteria)
        .group_by(Decision.comment_id)
        .subquery()
    )


def overrules_by_model(session: Session, site_ids: frozenset[int] | None = None) -> list[Overrules]:
    """How often a moderator's first verdict on a comment goes against the model's.

    Against means the moderator published what the model held or filed as spam, or took down
    what it published (rejected, filed or unpublished it); rejecting or filing a held comment
    agrees with it (holding is the model saying "not without a look"). Only the first verdict
    counts (``_first_verdicts``), so a moderator changing their own mind, or rejecting what
    they unpublished, is not a second overrule; bans are about authors and are left out.
    """
    model_first, staff_first = _first_decisions("model"), _first_verdicts()
    model, staff = aliased(Decision), aliased(Decision)
    against = (staff.to_status == "published") != (model.to_status == "published")
    differs = case((against, 1), else_=0)
    # An Unpublish leads to "pending", which beside the model's "pending" would read as held.
    staff_outcome = case((staff.action == "restore", "unpublished"), else_=staff.to_status)
    base = (
        select(model_first.c.comment_id)
        .join(model, model.id == model_first.c.id)
        .outerjoin(staff_first, staff_first.c.comment_id == model_first.c.comment_id)
        .outerjoin(staff, staff.id == staff_first.c.id)
    )
    base = _only_sites(base, model_first.c.comment_id, site_ids)
    totals = base.with_only_columns(
        model.model_version,
        func.count(model.id),
        func.count(staff.id),
        func.coalesce(func.sum(differs), 0),
        func.min(model.created_at),
    ).group_by(model.model_version)
    pairs = (
        base.with_only_columns(model.model_version, model.to_status, staff_outcome, func.count())
        .where(staff.id.is_not(None), against)
        .group_by(model.model_version, model.to_status, staff_outcome)
    )
    changes: dict[str | None, list[tuple[str, str, int]]] = defaultdict(list)
    for version, before, after, count in session.execute(pairs):
        changes[version].append((before, after, int(count)))
    rows = sorted(session.execute(totals).all(), key=lambda row: (as_utc(row[4]), row[0] or ""))
    return [
        Overrules(
            model_version=version,
            decided=int(decided),
            reviewed=int(reviewed),
            overruled=int(overruled),
            changes=sorted(changes[version], key=lambda change: (-change[2], change[:2])),
        )
        for version, decided, reviewed, overruled, _first in rows
    ]


def time_to_decision(
    session: Session,
    site_ids: frozenset[int] | None = None,
    *,
    days: int = WINDOW_DAYS,
    now: datetime | None = None,
) -> Timing:
    """Median time from a comment's creation to its first staff verdict, overall and per day.

    The day is the day of the decision, so the series shows how quickly the queue was worked.
    The verdicts are those the overrule rates compare (``_first_verdicts``).
    """
    staff_first = _first_verdicts()
    query = (
        select(Comment.created_at, staff_first.c.created_at)
        .join(staff_first, staff_first.c.comment_id == Comment.id)
        .where(staff_first.c.created_at >= _since(days, now))
    )
    if site_ids is not None:
        query = query.where(Comment.site_id.in_(site_ids))
    waits: dict[date, list[float]] = defaultdict(list)
    for created, decided in session.execute(query):
        created_utc, decided_utc = as_utc(created), as_utc(decided)
        assert created_utc is not None and decided_utc is not None
        waits[decided_utc.date()].append((decided_utc - created_utc).total_seconds())
    every = [seconds for day in waits.values() for seconds in day]
    return Timing(
        median_seconds=statistics.median(every) if every else None,
        count=len(every),
        by_day=[
            DayTiming(day, statistics.median(waits[day]), len(waits[day])) for day in sorted(waits)
        ],
    )
