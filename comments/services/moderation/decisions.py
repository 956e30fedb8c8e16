"""Moderator decisions: legal transitions, the record of each, and the label it becomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from comments.models import Comment, Decision, LabelledExample, Report, Staff
from comments.services import webhooks
from comments.services.mail import notifications
from comments.services.placeholders import NOT_DECIDABLE, is_placeholder

#: action -> (statuses it applies to, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({"pending", "spam", "rejected", "published"}), "published"),
    "reject": (frozenset({"pending", "spam", "published"}), "rejected"),
    "spam": (frozenset({"pending", "published", "rejected"}), "spam"),
    "not_spam": (frozenset({"spam"}), "published"),
    # From published too: a wrong approval is undone by taking the comment back to the queue.
    "restore": (frozenset({"rejected", "spam", "deleted", "published"}), "pending"),
}
ACTIONS = tuple(TRANSITIONS)
#: Decisions about a comment's author, recorded in its history but deciding nothing about it.
AUTHOR_ACTIONS = ("ban", "trust", "untrust")


@dataclass(frozen=True, slots=True)
class Action:
    """An action as moderators are offered it: a button's label and, on the queue, its key."""

    name: str
    label: str
    #: The queue's single-key shortcut; empty for none.
    key: str


#: Every action, in the order cards show their buttons.
OFFERED = (
    Action("approve", "Approve", "a"),
    Action("reject", "Reject", "r"),
    Action("spam", "Spam", "s"),
    Action("not_spam", "Not spam", "n"),
    Action("restore", "Restore", "p"),
)
#: Approving a published comment keeps it and resolves its reports.
KEEP = Action("approve", "Keep (dismiss reports)", "a")
#: Restoring a published comment takes it down to pending: "Restore" would read as bringing
#: it back, so its button says what readers will notice.
UNPUBLISH = Action("restore", "Unpublish", "p")
#: The keys that decide about the focused comment (with Shift, about the selection, where the
#: queue's bulk form has a button for it).
DECISION_KEYS = tuple(dict.fromkeys(action.key for action in (*OFFERED, KEEP) if action.key))


def legal_actions(status: str, open_reports: int, placeholder: bool = False) -> list[Action]:
    """The actions a moderator may take on a comment now, as the card's buttons and the
    moderation API's comment detail offer them: only those the service would accept (none on
    a placeholder, placeholders.NOT_DECIDABLE)."""
    if placeholder:
        return []
    legal = []
    for action in OFFERED:
        allowed_from, _target = TRANSITIONS[action.name]
        if status not in allowed_from:
            continue
        if action.name == "approve" and status == "published":
            if not open_reports:
                continue
            action = KEEP
        if action.name == "restore" and status == "published":
            action = UNPUBLISH
        legal.append(action)
    return legal


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
    #: The comment's latest decision the moderator saw (``latest_decision`` of a queue item): a
    #: later one means someone decided, or its author edited the text, since the card loaded.
    expected_decision: int | None = None
    #: The newest report id the moderator was shown (0 for none): a decision that leaves the
    #: comment published resolves only those, as a report that came since was never read.
    reports_seen: int | None = None


def open_reports(session: Session, comment_id: int) -> list[Report]:
    query = select(Report).where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
    return list(session.scalars(query))


def latest_decisions(session: Session, comment_ids: list[int]) -> dict[int, int]:
    """Per comment, the id of the latest decision about the comment itself (not its author):
    a moderator's, the model's, or its author's edit or deletion."""
    if not comment_ids:
        return {}
    rows = session.execute(
        select(Decision.comment_id, func.max(Decision.id))
        .where(Decision.comment_id.in_(comment_ids), Decision.action.not_in(AUTHOR_ACTIONS))
        .group_by(Decision.comment_id)
    )
    return {comment_id: latest for comment_id, latest in rows}


def _latest(session: Session, comment_id: int) -> tuple[int, str, str, str] | None:
    """The latest decision about the comment: its id, actor, action and who made it."""
    query = (
        select(Decision.id, Decision.actor, Decision.action, Staff.name)
        .outerjoin(Staff, Staff.id == Decision.staff_id)
        .where(Decision.comment_id == comment_id, Decision.action.not_in(AUTHOR_ACTIONS))
        .order_by(Decision.id.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    if row is None:
        return None
    decision_id, actor, action, name = row
    return decision_id, actor, action, name or ("the model" if actor == "model" else f"the {actor}")


def _check_not_stale(session: Session, comment: Comment, request: DecisionRequest) -> None:
    """Refuse a decision about a comment that changed since the moderator saw it."""
    latest = _latest(session, comment.id)
    who = latest[3] if latest else "someone"
    expected = request.expected_status
    if expected is not None and comment.status != expected:
        raise StaleDecision(
            f"The comment is {comment.status} now, not {expected}: {who} decided it meanwhile. "
            "Nothing was changed."
        )
    if request.expected_decision is None or (latest and latest[0] == request.expected_decision):
        return
    if latest and latest[1:3] == ("author", "edit"):
        raise StaleDecision(
            "Its author edited the comment since you loaded it: read the new text first. "
            "Nothing was changed."
        )
    raise StaleDecision(
        f"The comment is {comment.status} now: {who} decided it since you loaded it. "
        "Nothing was changed."
    )


#: Why an action does not apply, of a comment in ``{status}``: the action's name is no verb
#: ("Cannot not spam a published comment.").
REFUSALS = {
    "approve": "Cannot approve a {status} comment.",
    "reject": "Cannot reject a {status} comment.",
    "spam": "Cannot mark a {status} comment as spam.",
    "not_spam": "Cannot mark a {status} comment as not spam: only a comment in spam can be.",
    "restore": "Cannot restore a {status} comment.",
}


def _check(comment: Comment, request: DecisionRequest, reports: list[Report]) -> str:
    allowed_from, target = TRANSITIONS[request.action]
    if comment.status not in allowed_from:
        raise IllegalTransition(REFUSALS[request.action].format(status=comment.status))
    if request.action == "approve" and comment.status == "published":
        if not reports:
            raise IllegalTransition("The comment is published already and has no open reports.")
        if not _seen(reports, request.reports_seen):
            raise StaleDecision(
                "Readers reported it since you loaded it: read their reports first. "
                "Nothing was changed."
            )
    return target


def _seen(reports: list[Report], reports_seen: int | None) -> list[Report]:
    """The open reports the moderator was shown: all of them when the request does not say."""
    if reports_seen is None:
        return reports
    return [report for report in reports if report.id <= reports_seen]


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
    if is_placeholder(comment):
        raise IllegalTransition(NOT_DECIDABLE)
    _check_not_stale(session, comment, request)
    reports = open_reports(session, comment.id)
    target = _check(comment, request, reports)
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
    first_publication = target == "published" and comment.published_at is None
    if first_publication:
        comment.published_at = now
    comment.status = target
    comment.updated_at = now
    # A restore decides nothing yet: readers' open reports on a comment taken down to pending
    # stay for the moderator who decides it, as its card shows them (and the Reported queue).
    # Keeping it published dismisses only the reports the moderator read: one that came since
    # stays open, and the comment in the Reported queue. Taking it down answers every report.
    answered = reports if target != "published" else _seen(reports, request.reports_seen)
    if request.action != "restore" and answered:
        session.execute(
            update(Report)
            .where(Report.id.in_([report.id for report in answered]))
            .values(resolved_at=now, resolved_by=staff.id)
        )
    session.flush()
    webhooks.record_decision_events(session, comment, decision)
    notifications.comment_decided(
        session,
        comment,
        first_publication=first_publication,
        settled=request.action != "restore",
    )
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
