"""Moderator decisions: legal transitions, the record of each, and the label it becomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from comments.models import Comment, Decision, LabelledExample, Report, Staff
from comments.services import webhooks
from comments.services.mail import notifications

#: action -> (statuses it applies to, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({"pending", "spam", "rejected", "published"}), "published"),
    "reject": (frozenset({"pending", "spam", "published"}), "rejected"),
    "spam": (frozenset({"pending", "published", "rejected"}), "spam"),
    "not_spam": (frozenset({"spam"}), "published"),
    "restore": (frozenset({"rejected", "spam", "deleted"}), "pending"),
}
ACTIONS = tuple(TRANSITIONS)

#: What each action teaches the model: (toxic, spam); None leaves a label unknown.
LABELS: dict[str, tuple[bool | None, bool | None]] = {
    "approve": (False, False),
    "reject": (True, None),
    "spam": (None, True),
    "not_spam": (None, False),
}


class IllegalTransition(Exception):
    """The action does not apply to the comment's current status (answered as 409)."""


class StaleDecision(IllegalTransition):
    """The comment changed status since the moderator saw it (answered as 409)."""


class CommentNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    action: str
    reason: str = ""
    note: str = ""
    #: The status the moderator saw; another status now means someone decided meanwhile.
    expected_status: str | None = None


def open_reports(session: Session, comment_id: int) -> list[Report]:
    query = select(Report).where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
    return list(session.scalars(query))


def _last_decider(session: Session, comment_id: int) -> str:
    query = (
        select(Decision.actor, Staff.name)
        .outerjoin(Staff, Staff.id == Decision.staff_id)
        .where(Decision.comment_id == comment_id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    if row is None:
        return "someone"
    actor, name = row
    return name or ("the model" if actor == "model" else f"the {actor}")


def _check_not_stale(session: Session, comment: Comment, expected: str | None) -> None:
    if expected is None or comment.status == expected:
        return
    who = _last_decider(session, comment.id)
    raise StaleDecision(
        f"The comment is {comment.status} now, not {expected}: {who} decided it meanwhile. "
        "Nothing was changed."
    )


def _check(comment: Comment, action: str, has_open_reports: bool) -> str:
    allowed_from, target = TRANSITIONS[action]
    if comment.status not in allowed_from:
        raise IllegalTransition(f"Cannot {action.replace('_', ' ')} a {comment.status} comment.")
    if action == "approve" and comment.status == "published" and not has_open_reports:
        raise IllegalTransition("The comment is published already and has no open reports.")
    return target


def decide_comment(
    session: Session,
    comment: Comment,
    request: DecisionRequest,
    staff: Staff,
    now: datetime | None = None,
) -> Decision:
    """Apply one moderator action; reports on the comment are resolved by it.

    The comment's row is re-read under a lock first, so two moderators deciding at once are
    taken in turn and each checks the status the other left.
    """
    now = now or datetime.now(UTC)
    session.refresh(comment, with_for_update=True)
    _check_not_stale(session, comment, request.expected_status)
    reports = open_reports(session, comment.id)
    target = _check(comment, request.action, bool(reports))
    decision = Decision.about(
        comment,
        actor="staff",
        action=request.action,
        to_status=target,
        staff_id=staff.id,
        reason=request.reason,
        note=request.note,
        created_at=now,
    )
    session.add(decision)
    if target == "published" and comment.published_at is None:
        comment.published_at = now
    comment.status = target
    comment.updated_at = now
    if request.action != "restore":
        session.execute(
            update(Report)
            .where(Report.comment_id == comment.id, Report.resolved_at.is_(None))
            .values(resolved_at=now, resolved_by=staff.id)
        )
    session.flush()
    webhooks.record_decision_events(session, comment, decision)
    notifications.comment_decided(session, comment, decision)
    if request.action in LABELS:
        toxic, spam = LABELS[request.action]
        session.add(
            LabelledExample(
                site_id=comment.site_id,
                comment_id=comment.id,
                decision_id=decision.id,
                text=comment.body_raw,
                toxic=toxic,
                spam=spam,
                reason=request.reason,
                created_at=now,
            )
        )
    return decision
