"""Reading a thread: published comments only, oldest first, keyset-paginated; or only those
changed since a watermark, which is how an open page hears of new ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping, and_, bindparam, func, select
from sqlalchemy.orm import Session

from comments.models import Comment, Site, Thread
from comments.services.threads import unknown_site

_PUBLISHED = and_(Comment.thread_id == bindparam("thread_id"), Comment.status == "published")

#: How far a watermark stays behind the newest change it saw: a comment stamped before that
#: change but committed after it (a slow transaction, another host's clock) is still found.
SINCE_MARGIN = timedelta(seconds=60)

_OF_THREAD = and_(Comment.thread_id == Thread.id, Comment.status == "published")

#: The site, its thread, the thread's published count and its newest change, in one round
#: trip; no row means no such site, a NULL thread no such thread.
_THREAD = (
    select(
        Site.id,
        Thread.id,
        select(func.count()).select_from(Comment).where(_OF_THREAD).scalar_subquery(),
        # One step down ix_comments_thread_status_updated.
        select(func.max(Comment.updated_at)).where(_OF_THREAD).scalar_subquery(),
    )
    .outerjoin(Thread, and_(Thread.site_id == Site.id, Thread.key == bindparam("key")))
    .where(Site.name == bindparam("site"))
)

#: Only what readers see (PublicCommentSchema), as mappings: readers never need the ORM's
#: identity map or the raw body (building entities was most of the time of a page), and
#: marshmallow reads a mapping's keys about twice as fast as a row's attributes.
_PAGE = (
    select(
        Comment.id,
        Comment.parent_id,
        Comment.author_name,
        Comment.author_url,
        Comment.body_html,
        Comment.created_at,
    )
    .where(_PUBLISHED, Comment.id > bindparam("after"))
    .order_by(Comment.id)
    .limit(bindparam("limit"))
)

#: The same, only comments changed (posted, approved, restored, edited) since the watermark:
#: a range of ix_comments_thread_status_updated, usually empty or a few rows, then sorted.
#: "id + 0" keeps SQLite from walking the whole thread down the id index to skip the sort.
_CHANGED = (
    select(*_PAGE.selected_columns)
    .where(
        _PUBLISHED,
        Comment.updated_at >= bindparam("since", type_=Comment.updated_at.type),
        Comment.id + 0 > bindparam("after"),
    )
    .order_by(Comment.id)
    .limit(bindparam("limit"))
)


#: Depth of removed ancestors looked up for a page: deeper chains are cut (and shown at the
#: top level), so a crafted thread cannot make a read walk without end.
MAX_REMOVED_DEPTH = 8


@dataclass(frozen=True, slots=True)
class ThreadPage:
    #: The public fields: id, parent_id, author_name, author_url, body_html, created_at.
    comments: list[RowMapping]
    total: int
    #: The id to continue after, or None on the last page.
    next_after: int | None
    #: Unpublished comments the page's replies hang from, as {"id", "parent_id"}, so readers
    #: see a "removed" placeholder in its place in the conversation; nothing else of them.
    removed: list[dict[str, int | None]]
    #: The watermark to ask with next time, to hear only of later changes (None: no
    #: published comment yet, so anything that comes is new).
    since: datetime | None


def removed_ancestors(
    session: Session, thread_id: int, rows: Sequence[Mapping[Any, Any]]
) -> list[dict[str, int | None]]:
    """The unpublished parents (and their unpublished parents) of the page's replies (or of
    any comments of the thread given as {"id", "parent_id"}, such as an author's held ones).

    Parents on earlier pages are published and found by their primary key; only the ids and
    parent ids of those that are not published are returned. Nothing is read for a page
    without replies to comments outside it.
    """
    on_page = {row["id"] for row in rows}
    wanted = {row["parent_id"] for row in rows if row["parent_id"] is not None} - on_page
    found: dict[int, int | None] = {}
    for _ in range(MAX_REMOVED_DEPTH):
        if not wanted:
            break
        query = select(Comment.id, Comment.parent_id).where(
            Comment.id.in_(wanted),
            Comment.thread_id == thread_id,
            Comment.status != "published",
        )
        step: dict[int, int | None] = {id_: parent for id_, parent in session.execute(query)}
        found.update(step)
        wanted = {parent for parent in step.values() if parent is not None} - found.keys()
    return [{"id": id_, "parent_id": parent} for id_, parent in sorted(found.items())]


def list_thread(
    session: Session,
    site_name: str,
    thread_key: str,
    *,
    per_page: int,
    after: int | None,
    since: datetime | None = None,
) -> ThreadPage:
    """Two queries a page: the thread with its count, then the page itself (and, for replies
    to comments taken down, their removed ancestors). With since, only the comments changed
    at or after it (a comment changed again since is in it too: callers skip ids they have)."""
    found = session.execute(_THREAD, {"site": site_name, "key": thread_key}).one_or_none()
    if found is None:
        raise unknown_site(site_name)
    _, thread_id, total, newest = found
    if thread_id is None:
        return ThreadPage([], 0, None, [], None)
    parameters = {"thread_id": thread_id, "after": after or 0, "limit": per_page + 1}
    if since is not None:
        parameters["since"] = since
    rows = list(session.execute(_PAGE if since is None else _CHANGED, parameters).mappings())
    has_more = len(rows) > per_page
    rows = rows[:per_page]
    return ThreadPage(
        rows,
        int(total or 0),
        rows[-1]["id"] if has_more else None,
        removed_ancestors(session, thread_id, rows),
        newest - SINCE_MARGIN if newest is not None else None,
    )
