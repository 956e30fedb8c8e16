"""Retention: spam and rejected comments are purged some days after their last change.

Purging deletes the comment with its scores, signals, decisions and reports; one that others
answered stays as an anonymous "[deleted]" placeholder so their replies keep their place.
Labelled examples made from purged comments are training data moderators produced: they keep
their text and label and lose any author details. Webhook deliveries about purged comments are
scrubbed as an erasure in ``remove`` mode scrubs them: the events stay in the delivery log
without the author or the text. Reader links that expired unused go too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from comments.models import Comment, LabelledExample, PrivacyRequest
from comments.services.privacy.erase import (
    affected,
    chunks,
    keep_answered,
    remove,
    scrub_deliveries,
    scrub_examples,
)


def purge(
    session: Session, *, spam_days: int, rejected_days: int, now: datetime, dry_run: bool = False
) -> dict[str, int]:
    """Purge what retention allows no longer; with ``dry_run`` count it and change nothing."""
    found = {
        "spam": expired(session, "spam", spam_days, now),
        "rejected": expired(session, "rejected", rejected_days, now),
    }
    stale_links = (PrivacyRequest.status == "pending", PrivacyRequest.expires_at < now)
    counts = {"spam_purged": 0, "rejected_purged": 0, "left_as_placeholders": 0}
    if dry_run:
        for status, ids in found.items():
            kept = keep_answered(session, set(ids))
            counts[f"{status}_purged"] = len(ids) - len(kept)
            counts["left_as_placeholders"] += len(kept)
        links = select(func.count()).select_from(PrivacyRequest).where(*stale_links)
        counts["expired_links_deleted"] = session.scalar(links) or 0
        return counts
    scrubbed = 0
    for ids in found.values():
        for part in chunks(ids):
            scrubbed += scrub_examples(session, LabelledExample.comment_id.in_(part))
    # Placeholders included: their text is gone from the thread, so from the log too.
    deliveries = scrub_deliveries(session, [], [i for ids in found.values() for i in ids])
    for status, ids in found.items():
        removed, placeholders = remove(session, ids, now)
        counts[f"{status}_purged"] = removed
        counts["left_as_placeholders"] += placeholders
    counts["labelled_examples_scrubbed"] = scrubbed
    counts["webhook_deliveries_scrubbed"] = deliveries
    counts["expired_links_deleted"] = affected(session, delete(PrivacyRequest).where(*stale_links))
    session.expire_all()
    return counts


def expired(session: Session, status: str, days: int, now: datetime) -> list[int]:
    """Comments in ``status`` unchanged for ``days``; none when ``days`` is 0 (kept forever)."""
    if days <= 0:
        return []
    cutoff = now - timedelta(days=days)
    query = select(Comment.id).where(Comment.status == status, Comment.updated_at < cutoff)
    return list(session.scalars(query.order_by(Comment.id)))
