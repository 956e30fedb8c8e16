"""What a moderator sees of a comment: context, signals, scores, reasons, author history."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comments.models import (
    Comment,
    CommentScore,
    CommentSignal,
    Decision,
    Report,
    Site,
    Staff,
    Thread,
)
from comments.services.moderation.authors import banned_comments, trusted_emails
from comments.services.moderation.decisions import latest_decisions
from comments.services.placeholders import is_placeholder
from comments.services.threads import is_closed


def _by_comment(rows: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.comment_id].append(row)
    return grouped


def author_key(comment: Comment) -> tuple[str, str] | None:
    """Who wrote it, as the submission rules tell authors apart: the e-mail address, else the
    IP hash (an author's standing, e.g. ``author_approved``, is counted the same way)."""
    if comment.author_email:
        return ("email", comment.author_email)
    if comment.ip_hash:
        return ("ip_hash", comment.ip_hash)
    return None


def author_histories(
    session: Session, comments: list[Comment]
) -> dict[tuple[int, str, str], dict[str, int]]:
    """Outcomes of every comment by the same author on the same site, a query per key kind."""
    wanted = {(c.site_id, *key) for c in comments if (key := author_key(c)) is not None}
    histories: dict[tuple[int, str, str], dict[str, int]] = defaultdict(dict)
    for kind, column in (("email", Comment.author_email), ("ip_hash", Comment.ip_hash)):
        values = {value for _, k, value in wanted if k == kind}
        if not values:
            continue
        rows = session.execute(
            select(Comment.site_id, column, Comment.status, func.count())
            .where(column.in_(values))
            .group_by(Comment.site_id, column, Comment.status)
        ).all()
        for site_id, value, status, count in rows:
            found = (site_id, kind, str(value))
            if found in wanted:
                histories[found][status] = int(count)
    return histories


def shared_addresses(session: Session, comments: list[Comment]) -> dict[int, dict[str, int]]:
    """Per comment, the comments by other authors from its IP hash on its site.

    A ban that matches the address rejects and files those too (a campus, an office, a mobile
    carrier). Authors are told apart by e-mail; e-mail-less comments from the address count as
    one author, as the rules count them.
    """
    hashes = {c.ip_hash for c in comments if c.ip_hash}
    if not hashes:
        return {}
    rows = session.execute(
        select(Comment.site_id, Comment.ip_hash, Comment.author_email, func.count())
        .where(Comment.ip_hash.in_(hashes))
        .group_by(Comment.site_id, Comment.ip_hash, Comment.author_email)
    ).all()
    by_address: dict[tuple[int, str | None], dict[str | None, int]] = defaultdict(dict)
    for site_id, ip_hash, email, count in rows:
        by_address[(site_id, ip_hash)][email] = int(count)
    shared = {}
    for comment in comments:
        if not comment.ip_hash:
            continue
        at_address = by_address[(comment.site_id, comment.ip_hash)]
        others = {e: n for e, n in at_address.items() if e != comment.author_email}
        shared[comment.id] = {"comments": sum(others.values()), "authors": len(others)}
    return shared


def describe(
    session: Session, comments: list[Comment], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Everything the queue shows for each comment, loaded in a fixed number of queries;
    whether its thread takes replies is as of ``now`` (default: the present)."""
    if not comments:
        return []
    now = now or datetime.now(UTC)
    ids = [c.id for c in comments]
    signals = _by_comment(
        session.scalars(select(CommentSignal).where(CommentSignal.comment_id.in_(ids)))
    )
    scores = _by_comment(
        session.scalars(
            select(CommentScore)
            .where(CommentScore.comment_id.in_(ids), CommentScore.role == "decision")
            .order_by(CommentScore.id)
        )
    )
    reports = _by_comment(
        session.scalars(
            select(Report)
            .where(Report.comment_id.in_(ids), Report.resolved_at.is_(None))
            .order_by(Report.id)
        )
    )
    threads = {
        thread.id: thread
        for thread in session.scalars(
            select(Thread).where(Thread.id.in_({c.thread_id for c in comments}))
        )
    }
    sites = {site.id: site for site in session.scalars(select(Site))}
    histories = author_histories(session, comments)
    shared = shared_addresses(session, comments)
    trusted = trusted_emails(
        session, {(c.site_id, c.author_email) for c in comments if c.author_email}
    )
    banned = banned_comments(session, comments)
    latest = latest_decisions(session, ids)
    items = []
    for comment in comments:
        thread, site = threads[comment.thread_id], sites[comment.site_id]
        key = author_key(comment)
        score = scores[comment.id][-1] if scores[comment.id] else None
        items.append(
            {
                "id": comment.id,
                "status": comment.status,
                # Left where an erased or purged comment was answered: nothing to decide.
                "placeholder": is_placeholder(comment),
                "site": site.name,
                "thread": {
                    "key": thread.key,
                    "title": thread.title,
                    "url": thread.url,
                    "closed": is_closed(
                        thread.closed, thread.created_at, site.close_after_days, now
                    ),
                },
                "parent_id": comment.parent_id,
                "author": {
                    "name": comment.author_name,
                    "email": comment.author_email,
                    "url": comment.author_url,
                    "ip_hash": comment.ip_hash,
                    "history": histories.get((comment.site_id, *key), {}) if key else {},
                    "history_by": key[0] if key else None,
                    "trusted": (comment.site_id, comment.author_email) in trusted,
                    "banned": comment.id in banned,
                    "shared_address": shared.get(comment.id, {"comments": 0, "authors": 0}),
                },
                "body": comment.body_raw,
                "html": comment.body_html,
                "created_at": comment.created_at,
                "published_at": comment.published_at,
                "scores": {
                    "toxicity": comment.toxicity,
                    "spam": comment.spam,
                    "model_version": comment.model_version,
                },
                "explanation": score.explanation if score else None,
                "latest_decision": latest.get(comment.id),
                "signals": [{"name": s.name, "detail": s.detail} for s in signals[comment.id]],
                "reports": [
                    {"id": r.id, "reason": r.reason, "text": r.text, "created_at": r.created_at}
                    for r in reports[comment.id]
                ],
            }
        )
    return items


def history(session: Session, comment: Comment) -> list[dict[str, Any]]:
    """Every decision on the comment, oldest first, with who made it and the scores then."""
    rows = session.execute(
        select(Decision, Staff.name)
        .outerjoin(Staff, Staff.id == Decision.staff_id)
        .where(Decision.comment_id == comment.id)
        .order_by(Decision.id)
    ).all()
    return [
        {
            "action": decision.action,
            "actor": decision.actor,
            "staff": staff_name,
            "from_status": decision.from_status,
            "to_status": decision.to_status,
            "reason": decision.reason,
            "note": decision.note,
            "scores": {
                "toxicity": decision.toxicity,
                "spam": decision.spam,
                "model_version": decision.model_version,
            },
            "created_at": decision.created_at,
        }
        for decision, staff_name in rows
    ]
