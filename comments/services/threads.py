"""Sites and threads: looked up by name and key, threads created on first comment."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comments.errors import FieldErrors, StateConflict
from comments.models import Comment, Site, Staff, Thread

#: What a comment or reply to a closed thread is answered (409, with the field ``thread``).
CLOSED_MESSAGE = "Comments are closed on this page."


def thread_closed() -> StateConflict:
    """Staff closed the thread, or its site closes threads whose first comment is older than
    ``close_after_days``: the request is valid, the thread's state refuses it."""
    return StateConflict("thread", CLOSED_MESSAGE)


def is_closed(
    closed: bool | None, created_at: datetime | None, close_after_days: int, now: datetime
) -> bool:
    """Whether a thread takes no new comments now: staff's word on it (``Thread.closed``) if
    they gave one, else its site's age limit. A thread not created yet (``created_at`` None)
    has no first comment, so no age: open unless closed."""
    if closed is not None:
        return closed
    if close_after_days <= 0 or created_at is None:
        return False
    return now - created_at > timedelta(days=close_after_days)


def closed_setting(closed: bool | None) -> str:
    """Staff's word on a thread in the CLI's words: "closed", "open" or "site" (unset)."""
    return "site" if closed is None else "closed" if closed else "open"


#: What staff choose (the CLI's --close, --open and --follow-site, the pages' buttons) and
#: what each stores in Thread.closed.
CLOSING_CHOICES: dict[str, bool | None] = {"close": True, "open": False, "follow_site": None}


def unknown_site(name: str) -> FieldErrors:
    return FieldErrors({"site": [f"Unknown site {name!r}."]})


def get_site(session: Session, name: str) -> Site:
    site = session.scalar(select(Site).where(Site.name == name))
    if site is None:
        raise unknown_site(name)
    return site


def find_thread(session: Session, site: Site, key: str) -> Thread | None:
    return session.scalar(select(Thread).where(Thread.site_id == site.id, Thread.key == key))


def get_or_create_thread(
    session: Session, site: Site, key: str, *, title: str, url: str | None
) -> Thread:
    """Concurrent first comments on a page create one thread, not two and not an error."""
    thread = find_thread(session, site, key)
    if thread is not None:
        if title and not thread.title:
            thread.title = title
        if url and not thread.url:
            thread.url = url
        return thread
    try:
        with session.begin_nested():
            thread = Thread(site_id=site.id, key=key, title=title, url=url)
            session.add(thread)
    except IntegrityError:
        thread = find_thread(session, site, key)
        if thread is None:
            raise
    return thread


def unknown_thread(key: str) -> FieldErrors:
    return FieldErrors({"thread": [f"No thread {key!r} on this site."]})


def update_thread(
    session: Session,
    site: Site,
    key: str,
    changes: Mapping[str, Any],
    *,
    staff: Staff | None,
    now: datetime,
) -> Thread:
    """Set a thread's title, page address and whether it is closed (validated by
    ThreadSettingsSchema); "" or None for the address removes it; ``closed`` None follows the
    site's close_after_days again. Who set ``closed`` and when is kept on the thread, as a ban
    keeps who banned (``staff`` None: the command line). The caller commits."""
    thread = find_thread(session, site, key)
    if thread is None:
        raise unknown_thread(key)
    if "title" in changes:
        thread.title = changes["title"] or ""
    if "url" in changes:
        thread.url = changes["url"] or None
    if "closed" in changes:
        thread.closed = changes["closed"]
        thread.closed_changed_at = now
        thread.closed_changed_by = staff.id if staff is not None else None
    session.flush()
    return thread


def create_thread(
    session: Session, site: Site, key: str, changes: Mapping[str, Any], *, now: datetime
) -> Thread:
    """Make the thread of a page without comments yet, then set it as update_thread does (an
    existing thread is only updated): staff close a page, or title it, before anyone posts.
    Its age for close_after_days counts from now. The caller commits."""
    get_or_create_thread(session, site, key, title="", url=None)
    return update_thread(session, site, key, changes, staff=None, now=now)


_THREADS = cast(Table, Thread.__table__)
#: Only forward: a retried or slow request must not move a thread's last comment back.
_COMMENT_POSTED = (
    update(_THREADS)
    .where(_THREADS.c.id == bindparam("thread"), _THREADS.c.last_comment_at < bindparam("at"))
    .values(last_comment_at=bindparam("at"))
)


def comment_posted(session: Session, thread_id: int, at: datetime) -> None:
    """Keep the thread's ``last_comment_at``, which orders the staff's thread listing."""
    session.connection().execute(_COMMENT_POSTED, {"thread": thread_id, "at": at})


_COMMENTS = cast(Table, Comment.__table__)
#: Its newest comment left, or its making when none is.
_NEWEST_LEFT = func.coalesce(
    select(func.max(_COMMENTS.c.created_at))
    .where(_COMMENTS.c.thread_id == _THREADS.c.id)
    .scalar_subquery(),
    _THREADS.c.created_at,
)


def comments_deleted(session: Session, thread_ids: Collection[int]) -> None:
    """Move ``last_comment_at`` of these threads back to their newest comment left (or their
    making), after comments of theirs were deleted outright, in the same transaction: a thread
    whose newest comments an erasure or a purge took away is listed by the comments it still has.

    The rows are locked first, in id order, in a statement of their own: on PostgreSQL an
    UPDATE that waited on a comment being posted (comment_posted) would recompute from before
    that comment (its snapshot predates the wait) and move the thread back past it; after the
    lock, the UPDATE's snapshot sees it. FOR NO KEY UPDATE, so comments are still inserted
    meanwhile. ``thread_ids``: a few hundred at most (one statement each).
    """
    if not thread_ids:
        return
    ids = sorted(thread_ids)
    lock = select(Thread.id).where(Thread.id.in_(ids)).order_by(Thread.id)
    session.execute(lock.with_for_update(key_share=True))
    session.execute(
        update(_THREADS).where(_THREADS.c.id.in_(ids)).values(last_comment_at=_NEWEST_LEFT)
    )
