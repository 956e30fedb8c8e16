"""A site's threads for staff, the most recently commented first, a page at a time.

Shared by ``flask threads list``, the moderation API and the pages. A page costs a page: it
is read from ``ix_threads_site_last_comment`` (no sort, no look at other threads), and only
its own threads' published comments are counted.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.orm import Session, lazyload

from comments.models import Comment, Site, Staff, Thread
from comments.services.threads import is_closed

#: Where the next page starts: just after this thread's (last_comment_at, id).
After = tuple[datetime, int]


class BadThreadCursor(ValueError):
    """A cursor that no listing gave out (they come back from clients)."""


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    key: str
    title: str
    url: str | None
    published: int
    #: When a comment was last posted on it (Thread.last_comment_at).
    last_comment_at: datetime
    #: When its first comment was posted, from which the site's close_after_days counts.
    created_at: datetime
    #: Whether it takes no new comments now (is_closed), and staff's word on it (Thread.closed).
    closed: bool
    closed_setting: bool | None
    #: When staff last set closed_setting, and who (None: the command line, or nobody).
    closed_changed_at: datetime | None
    closed_changed_by: str | None


@dataclass(frozen=True, slots=True)
class ThreadPage:
    threads: list[ThreadSummary]
    #: Give it back as ``after`` (decoded) for the next page; None on the last one.
    next_cursor: str | None


def encode_cursor(at: datetime, thread_id: int) -> str:
    raw = json.dumps([at.isoformat(), thread_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> After:
    """The position a cursor of encode_cursor names; BadThreadCursor for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, thread_id = json.loads(base64.urlsafe_b64decode(padded))
        moment = datetime.fromisoformat(at)
    except (ValueError, TypeError, binascii.Error) as error:
        raise BadThreadCursor("Not a cursor of this listing.") from error
    if type(thread_id) is not int or thread_id < 1 or moment.tzinfo is None:
        raise BadThreadCursor("Not a cursor of this listing.")
    return moment, thread_id


def page_statement(site_id: int, limit: int, after: After | None = None) -> Select[Thread]:
    """A page of the site's threads in index order; the bound ``last_comment_at <=`` beside
    the row comparison lets every engine start its index range at the cursor."""
    statement = select(Thread).options(lazyload(Thread.site)).where(Thread.site_id == site_id)
    if after is not None:
        at, thread_id = after
        position = tuple_(Thread.last_comment_at, Thread.id)
        cursor = tuple_(
            literal(at, Thread.last_comment_at.type), literal(thread_id, Thread.id.type)
        )
        statement = statement.where(Thread.last_comment_at <= at, position < cursor)
    return statement.order_by(Thread.last_comment_at.desc(), Thread.id.desc()).limit(limit)


def published_counts_statement(thread_ids: list[int]) -> Select[int, int]:
    """Published comments of these threads only, each a range of ix_comments_thread_status_id."""
    return (
        select(Comment.thread_id, func.count())
        .where(Comment.thread_id.in_(thread_ids), Comment.status == "published")
        .group_by(Comment.thread_id)
    )


def summarise(
    session: Session, site: Site, threads: list[Thread], now: datetime
) -> list[ThreadSummary]:
    """What staff see of each thread: two lookups for all of them (counts, who closed)."""
    ids = [thread.id for thread in threads]
    counts: dict[int, int] = {}
    if ids:
        counts.update((tid, n) for tid, n in session.execute(published_counts_statement(ids)))
    changers = {thread.closed_changed_by for thread in threads} - {None}
    names: dict[int, str] = {}
    if changers:
        query = select(Staff.id, Staff.name).where(Staff.id.in_(changers))
        names.update((staff_id, name) for staff_id, name in session.execute(query))
    return [
        ThreadSummary(
            key=thread.key,
            title=thread.title,
            url=thread.url,
            published=counts.get(thread.id, 0),
            last_comment_at=thread.last_comment_at,
            created_at=thread.created_at,
            closed=is_closed(thread.closed, thread.created_at, site.close_after_days, now),
            closed_setting=thread.closed,
            closed_changed_at=thread.closed_changed_at,
            closed_changed_by=names.get(thread.closed_changed_by or 0),
        )
        for thread in threads
    ]


def list_threads(
    session: Session, site: Site, *, limit: int, now: datetime, after: After | None = None
) -> ThreadPage:
    """Up to ``limit`` of the site's threads after ``after``, with their published counts and
    whether each is closed at ``now``, and the cursor of the next page."""
    threads = list(session.scalars(page_statement(site.id, limit + 1, after)))
    more, threads = len(threads) > limit, threads[:limit]
    last = threads[-1] if more else None
    return ThreadPage(
        summarise(session, site, threads, now),
        encode_cursor(last.last_comment_at, last.id) if last is not None else None,
    )
