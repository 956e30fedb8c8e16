"""Reading a thread: published comments only, oldest first, keyset-paginated."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comments.models import Comment
from comments.services.threads import find_thread, get_site


@dataclass(frozen=True, slots=True)
class ThreadPage:
    comments: list[Comment]
    total: int
    #: The id to continue after, or None on the last page.
    next_after: int | None


def list_thread(
    session: Session, site_name: str, thread_key: str, *, per_page: int, after: int | None
) -> ThreadPage:
    site = get_site(session, site_name)
    thread = find_thread(session, site, thread_key)
    if thread is None:
        return ThreadPage([], 0, None)
    published = (Comment.thread_id == thread.id, Comment.status == "published")
    query = select(Comment).where(*published).order_by(Comment.id).limit(per_page + 1)
    if after is not None:
        query = query.where(Comment.id > after)
    rows = list(session.scalars(query))
    total = session.scalar(select(func.count()).select_from(Comment).where(*published)) or 0
    has_more = len(rows) > per_page
    rows = rows[:per_page]
    return ThreadPage(rows, total, rows[-1].id if has_more else None)
