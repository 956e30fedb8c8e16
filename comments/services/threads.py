"""Sites and threads: looked up by name and key, threads created on first comment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comments.errors import FieldErrors
from comments.models import Site, Thread


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
