"""Retention: spam and rejected comments are purged some days after their last change.

Purging deletes the comment with its scores, signals, decisions and reports; one that others
answered stays as an anonymous "[deleted]" placeholder so their replies keep their place; a
later purge leaves it alone while it is answered, and deletes it once it is not.
Labelled examples made from purged comments are training data moderators produced: they keep
their text and label and lose any author details. Webhook deliveries about purged comments are
scrubbed as an erasure in ``remove`` mode scrubs them: the events stay in the delivery log
without the author or the text. Mails about purged comments (``OutboxMail.comment_id``) are
deleted, sent or not, as an erasure deletes them: the outbox keeps no copy of the text, and a
pending one is never sent. Reader links that expired unused go too, and so do the
tombstones of deleted comments older than ``tombstones.TOMBSTONE_DAYS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from comments.models import (
    Comment,
    LabelledExample,
    OutboxMail,
    PrivacyRequest,
    WebhookDelivery,
)
from comments.services import tombstones
from comments.services.placeholders import placeholder_rows
from comments.services.privacy.erase import (
    chunks,
    delete_mails_about,
    deliveries_about,
    examples_to_scrub,
    keep_answered,
    remove,
    scrub_deliveries,
    scrub_examples,
    scrubbed,
)


@dataclass(frozen=True, slots=True)
class Purgeable:
    """Everything a purge would change, found once: a dry run counts it, a real run changes
    exactly it and counts the same, so the two cannot disagree."""

    #: Expired comments by status ("spam", "rejected").
    expired: dict[str, list[int]]
    #: Those of them that others answer: blanked as placeholders rather than deleted.
    answered: set[int]
    examples: list[LabelledExample]
    deliveries: list[WebhookDelivery]
    #: Outbox mails about the expired comments, sent or not.
    mails: int
    stale_links: list[int]
    #: Tombstones old enough to prune (tombstones.prune).
    old_tombstones: int

    def counts(self) -> dict[str, int]:
        purged = {
            f"{status}_purged": len(set(ids) - self.answered)
            for status, ids in self.expired.items()
        }
        return {
            **purged,
            "left_as_placeholders": len(self.answered),
            "labelled_examples_scrubbed": len(self.examples),
            "webhook_deliveries_scrubbed": len(self.deliveries),
            "mails_about_comments_deleted": self.mails,
            "expired_links_deleted": len(self.stale_links),
            "tombstones_pruned": self.old_tombstones,
        }


def purge(
    session: Session, *, spam_days: int, rejected_days: int, now: datetime, dry_run: bool = False
) -> dict[str, int]:
    """Purge what retention allows no longer; with ``dry_run`` count it and change nothing."""
    found = purgeable(session, spam_days=spam_days, rejected_days=rejected_days, now=now)
    if not dry_run:
        carry_out(session, found, now)
    return found.counts()


def purgeable(session: Session, *, spam_days: int, rejected_days: int, now: datetime) -> Purgeable:
    expired_ids = {
        "spam": expired(session, "spam", spam_days, now),
        "rejected": expired(session, "rejected", rejected_days, now),
    }
    ids = [i for found in expired_ids.values() for i in found]
    # Over both statuses at once: a spam reply purged with the rejected comment it answers
    # leaves no placeholder behind.
    answered = keep_answered(session, set(ids))
    # A placeholder an earlier purge (or erasure) left that is still answered has nothing more
    # to purge: skipped, not counted or touched again. One whose replies have gone since goes.
    done = answered & placeholders_among(session, ids)
    expired_ids = {
        status: [i for i in found if i not in done] for status, found in expired_ids.items()
    }
    ids = [i for i in ids if i not in done]
    removed = set(ids)
    stale = (PrivacyRequest.status == "pending", PrivacyRequest.expires_at < now)
    return Purgeable(
        expired=expired_ids,
        answered=answered - done,
        examples=[
            example
            for part in chunks(ids)
            for example in examples_to_scrub(session, LabelledExample.comment_id.in_(part))
        ],
        # Those of a placeholder going now were scrubbed when it was left.
        deliveries=[
            delivery
            for delivery in deliveries_about(session, ids)
            if scrubbed(delivery, removed) != delivery.payload
        ],
        mails=sum(
            session.scalar(
                select(func.count()).select_from(OutboxMail).where(OutboxMail.comment_id.in_(part))
            )
            or 0
            for part in chunks(ids)
        ),
        stale_links=list(session.scalars(select(PrivacyRequest.id).where(*stale))),
        old_tombstones=tombstones.prunable(session, now),
    )


def carry_out(session: Session, found: Purgeable, now: datetime) -> None:
    ids = {i for expired_ids in found.expired.values() for i in expired_ids}
    # Before the comments go: deleting one unlinks its examples (SET NULL).
    scrub_examples(found.examples)
    # Placeholders included: their text is gone from the thread, so from the log too.
    scrub_deliveries(found.deliveries, ids)
    delete_mails_about(session, sorted(ids))
    remove(session, ids - found.answered, found.answered, now)
    for part in chunks(found.stale_links):
        session.execute(delete(PrivacyRequest).where(PrivacyRequest.id.in_(part)))
    tombstones.prune(session, now)
    session.flush()
    session.expire_all()


def placeholders_among(session: Session, ids: list[int]) -> set[int]:
    """Those of the comments ``ids`` that are placeholders (``placeholders.is_placeholder``)."""
    query = select(Comment.id).where(placeholder_rows())
    return {i for part in chunks(ids) for i in session.scalars(query.where(Comment.id.in_(part)))}


def expired(session: Session, status: str, days: int, now: datetime) -> list[int]:
    """Comments in ``status`` unchanged for ``days``; none when ``days`` is 0 (kept forever)."""
    if days <= 0:
        return []
    cutoff = now - timedelta(days=days)
    query = select(Comment.id).where(Comment.status == status, Comment.updated_at < cutoff)
    return list(session.scalars(query.order_by(Comment.id)))
