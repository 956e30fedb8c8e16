"""Readers report published comments; a report reopens moderation even after approval."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from comments.models import Comment, Report
from comments.services.mail import notifications
from comments.services.placeholders import is_placeholder

REASONS = ("spam", "abusive", "off-topic", "other")


class NotReportable(LookupError):
    """No published comment with that id, or only a placeholder (answered as 404)."""


def report_comment(
    session: Session, comment_id: int, reason: str, text: str, ip_hash: str
) -> tuple[Report, bool]:
    """One open report per reader and comment: a repeat returns the first (created False)."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != "published":
        raise NotReportable(f"No published comment {comment_id}.")
    if is_placeholder(comment):
        # Nothing of it is left to report, and no moderator decision could answer the report.
        raise NotReportable(f"Comment {comment_id} was deleted: nothing of it is left to report.")
    existing = session.scalar(
        select(Report).where(
            Report.comment_id == comment_id,
            Report.ip_hash == ip_hash,
            Report.resolved_at.is_(None),
        )
    )
    if existing is not None:
        return existing, False
    report = Report(comment_id=comment_id, reason=reason, text=text, ip_hash=ip_hash)
    session.add(report)
    session.flush()
    notifications.comment_reported(session, comment)
    return report, True
