"""Sites and threads: looked up by name and key, threads created on first comment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comments.errors import FieldErrors
from comments.models import Comment, Site, Thread


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


def list_threads(session: Session, site: Site, *, limit: int) -> list[ThreadSummary]:
    """The site's threads, the most recently commented first, with their published counts."""
    published = func.count(Comment.id).filter(Comment.status == "published")
    last = func.max(Comment.created_at)
    rows = session.execute(
        select(Thread.key, Thread.title, Thread.url, published, last)
        .outerjoin(Comment, Comment.thread_id == Thread.id)
        .where(Thread.site_id == site.id)
        .group_by(Thread.id)
        .order_by(last.desc().nulls_last(), Thread.id.desc())
        .limit(limit)
    )
    return [ThreadSummary(key, title, url, int(count), at) for key, title, url, count, at in rows]


def unknown_thread(key: str) -> FieldErrors:
    return FieldErrors({"thread": [f"No thread {key!r} on this site."]})


def update_thread(
    session: Session, site: Site, key: str, changes: Mapping[str, str | None]
) -> Thread:
    """Set a thread's title and/or page address (validated by ThreadSettingsSchema); "" or
    None for the address removes it. The caller commits."""
    thread = find_thread(session, site, key)
    if thread is None:
        raise unknown_thread(key)
    if "title" in changes:
        thread.title = changes["title"] or ""
    if "url" in changes:
        thread.url = changes["url"] or None
    return thread
