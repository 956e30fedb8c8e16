"""Sites and threads: looked up by name and key, threads created on first comment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comments.errors import FieldErrors, StateConflict
from comments.models import Comment, Site, Thread

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


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    key: str
    title: str
    url: str | None
    published: int
    #: When its newest comment (any status) was posted; None for a thread without any left.
    last_comment_at: datetime | None
    #: Whether it takes no new comments now (is_closed), and staff's word on it (Thread.closed).
    closed: bool
    closed_setting: bool | None


def list_threads(session: Session, site: Site, *, limit: int, now: datetime) -> list[ThreadSummary]:
    """The site's threads, the most recently commented first, with their published counts
    and whether each is closed at ``now``."""
    published = func.count(Comment.id).filter(Comment.status == "published")
    last = func.max(Comment.created_at)
    rows = session.execute(
        select(
            Thread.key, Thread.title, Thread.url, published, last, Thread.closed, Thread.created_at
        )
        .outerjoin(Comment, Comment.thread_id == Thread.id)
        .where(Thread.site_id == site.id)
        .group_by(Thread.id)
        .order_by(last.desc().nulls_last(), Thread.id.desc())
        .limit(limit)
    )
    return [
        ThreadSummary(
            key,
            title,
            url,
            int(count),
            at,
            is_closed(closed, created, site.close_after_days, now),
            closed,
        )
        for key, title, url, count, at, closed, created in rows
    ]


def unknown_thread(key: str) -> FieldErrors:
    return FieldErrors({"thread": [f"No thread {key!r} on this site."]})


def update_thread(session: Session, site: Site, key: str, changes: Mapping[str, Any]) -> Thread:
    """Set a thread's title, page address and whether it is closed (validated by
    ThreadSettingsSchema); "" or None for the address removes it; ``closed`` None follows the
    site's close_after_days again. The caller commits."""
    thread = find_thread(session, site, key)
    if thread is None:
        raise unknown_thread(key)
    if "title" in changes:
        thread.title = changes["title"] or ""
    if "url" in changes:
        thread.url = changes["url"] or None
    if "closed" in changes:
        thread.closed = changes["closed"]
    return thread


def create_thread(session: Session, site: Site, key: str, changes: Mapping[str, Any]) -> Thread:
    """Make the thread of a page without comments yet, then set it as update_thread does (an
    existing thread is only updated): staff close a page, or title it, before anyone posts.
    Its age for close_after_days counts from now. The caller commits."""
    get_or_create_thread(session, site, key, title="", url=None)
    return update_thread(session, site, key, changes)
