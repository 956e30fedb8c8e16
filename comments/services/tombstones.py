"""What readers here were shown, and what stands in for such a comment once it is deleted.

An open page hears that a comment it shows was taken down from the comment's row (listing.py's
``withdrawn``). A privacy erasure in ``remove`` mode and a retention purge delete the row
itself, so ``bury`` leaves a tombstone (id, thread, time) for each comment readers could have
seen; the retention purge prunes tombstones after ``TOMBSTONE_DAYS`` and notes on each thread
from when it still has them, so a page with an older watermark is told to read the thread
again rather than miss a deletion.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from comments.models import Comment, CommentTombstone, Decision, Thread

#: How long a tombstone is kept: far longer than a page stays open and unchecked (a hidden tab
#: is not checked; shown again, it checks at once), and what a watermark older than the
#: thread's pruning costs is one fresh read of the thread, not a missed deletion.
TOMBSTONE_DAYS = 30
#: Ids per statement: well inside every engine's limit on bound parameters.
_CHUNK = 500

#: Shown to readers here at some time: a decision here published it (at submission, by a
#: moderator, by an edit, or an import that brought it in published). An imported comment
#: keeps the time another system first published it (published_at, for exports), but held,
#: rejected or filed as spam on arrival it was never shown here, so its id is never told.
WAS_PUBLIC = and_(
    Comment.published_at.is_not(None),
    select(Decision.id)
    .where(Decision.comment_id == Comment.id, Decision.to_status == "published")
    .exists(),
)


def bury(session: Session, ids: Iterable[int], now: datetime) -> None:
    """Leave a tombstone for each of the comments ``ids`` that readers here were shown;
    call before deleting them (their decisions go with them)."""
    wanted = sorted(set(ids))
    when = literal(now, CommentTombstone.deleted_at.type)
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        # Before migration 0023, SQLite gave a new comment the id of the newest one deleted:
        # such a comment's id may have a tombstone already, which gives way to this one (the
        # later deletion), rather than the erasure failing.
        session.execute(delete(CommentTombstone).where(CommentTombstone.comment_id.in_(part)))
        shown = select(Comment.id, Comment.thread_id, when).where(Comment.id.in_(part), WAS_PUBLIC)
        session.execute(
            insert(CommentTombstone).from_select(["comment_id", "thread_id", "deleted_at"], shown)
        )


def prunable(session: Session, now: datetime) -> int:
    """How many tombstones ``prune`` would delete now."""
    cutoff = now - timedelta(days=TOMBSTONE_DAYS)
    old = select(func.count()).where(CommentTombstone.deleted_at < cutoff)
    return int(session.scalar(old) or 0)


def prune(session: Session, now: datetime) -> None:
    """Delete the tombstones older than TOMBSTONE_DAYS; each thread that had some notes the
    cutoff, so the pages whose watermark is older read it again (listing.py)."""
    cutoff = now - timedelta(days=TOMBSTONE_DAYS)
    old = CommentTombstone.deleted_at < cutoff
    threads = select(CommentTombstone.thread_id).where(old).distinct()
    session.execute(
        update(Thread).where(Thread.id.in_(threads)).values(tombstones_pruned_before=cutoff)
    )
    session.execute(delete(CommentTombstone).where(old))
