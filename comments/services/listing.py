"""Reading a thread: published comments only, oldest first, keyset-paginated; or only those
changed since a watermark, with the ids of those taken down or deleted since, which is how an
open page hears of new, edited and withdrawn ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping, and_, bindparam, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from comments.errors import NoLongerKept
from comments.models import STATUSES, Comment, CommentTombstone, Site, Thread
from comments.services.threads import is_closed, unknown_site
from comments.services.tombstones import WAS_PUBLIC

_PUBLISHED = and_(Comment.thread_id == bindparam("thread_id"), Comment.status == "published")

#: How far a watermark stays behind the newest change it saw: a comment stamped before that
#: change but committed after it (a slow transaction, another host's clock) is still found.
SINCE_MARGIN = timedelta(seconds=60)

_OF_THREAD = and_(Comment.thread_id == Thread.id, Comment.status == "published")

#: The site, its thread, the thread's published count and its newest change, what says
#: whether it is closed, and from when it keeps tombstones, in one round trip; no row means no
#: such site, a NULL thread no such thread.
_THREAD = (
    select(
        Site.id,
        Thread.id,
        select(func.count()).select_from(Comment).where(_OF_THREAD).scalar_subquery(),
        # One step down ix_comments_thread_status_updated.
        select(func.max(Comment.updated_at)).where(_OF_THREAD).scalar_subquery(),
        Thread.closed,
        Thread.created_at,
        Site.close_after_days,
        Thread.tombstones_pruned_before,
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

#: Every status but "published", named: an IN list keeps each a range of
#: ix_comments_thread_status_updated (a "!=" would scan the thread's rows on the index).
_UNPUBLISHED = tuple(status for status in STATUSES if status != "published")

_SINCE = bindparam("since", type_=Comment.updated_at.type)

#: Comments readers here were shown (tombstones.WAS_PUBLIC) that are not published now
#: (rejected, filed as spam, deleted, held again after an edit), changed at or after the
#: watermark; and those deleted outright since (privacy erasure, retention purge), from their
#: tombstones. Ids only, in one round trip: two ranges of indexes, usually empty. Never one
#: that was not shown here, so nothing held is revealed.
_WITHDRAWN = (
    union_all(
        select(Comment.id.label("id")).where(
            Comment.thread_id == bindparam("thread_id"),
            Comment.status.in_(_UNPUBLISHED),
            Comment.updated_at >= _SINCE,
            WAS_PUBLIC,
            Comment.id + 0 > bindparam("after"),
        ),
        select(CommentTombstone.comment_id).where(
            CommentTombstone.thread_id == bindparam("thread_id"),
            CommentTombstone.deleted_at >= _SINCE,
            CommentTombstone.comment_id + 0 > bindparam("after"),
        ),
    )
    .order_by(literal_column("id"))
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
    #: With since: the ids of comments shown once and taken down or deleted since
    #: (_WITHDRAWN), paged with the changed comments; empty without since.
    withdrawn: list[int] = field(default_factory=list)
    #: The thread takes no new comments (threads.is_closed); a thread not created yet is open.
    closed: bool = False


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
    now: datetime | None = None,
) -> ThreadPage:
    """Two queries a page: the thread with its count, then the page itself (and, for replies
    to comments taken down, their removed ancestors). With since, only the comments changed
    at or after it (a comment changed again since is in it too: callers skip ids they have),
    and a third query for those withdrawn since; a page holds per_page of both together.
    A since older than the thread's pruned tombstones is refused (NoLongerKept): deletions
    after it may be forgotten, so the caller must read the thread afresh.
    Whether the thread is closed is told as of ``now`` (default: the present)."""
    found = session.execute(_THREAD, {"site": site_name, "key": thread_key}).one_or_none()
    if found is None:
        raise unknown_site(site_name)
    _, thread_id, total, newest, closed_setting, created_at, close_after_days, pruned = found
    if thread_id is None:
        return ThreadPage([], 0, None, [], None)
    if since is not None and pruned is not None and since < pruned:
        raise NoLongerKept(
            "since",
            "Comments deleted since then are no longer remembered: read the thread again"
            " without `since`, and send the `since` of that answer from then on.",
        )
    closed = is_closed(closed_setting, created_at, close_after_days, now or datetime.now(UTC))
    parameters = {"thread_id": thread_id, "after": after or 0, "limit": per_page + 1}
    withdrawn: list[int] = []
    if since is None:
        rows = list(session.execute(_PAGE, parameters).mappings())
    else:
        parameters["since"] = since
        rows = list(session.execute(_CHANGED, parameters).mappings())
        withdrawn = list(session.scalars(_WITHDRAWN, parameters))
    # The page is the first per_page ids of both lists; the next goes on after its last.
    ids = sorted([row["id"] for row in rows] + withdrawn)
    last = ids[per_page - 1] if len(ids) > per_page else None
    if last is not None:
        rows = [row for row in rows if row["id"] <= last]
        withdrawn = [id_ for id_ in withdrawn if id_ <= last]
    return ThreadPage(
        rows,
        int(total or 0),
        last,
        removed_ancestors(session, thread_id, rows),
        _watermark(newest, pruned),
        withdrawn,
        closed,
    )


def _watermark(newest: datetime | None, pruned: datetime | None) -> datetime | None:
    """The since to answer: the newest published change less the margin, but never before the
    thread's pruned tombstones, so a page loaded on a quiet thread is not refused for them
    (what it shows is as of now, long after anything pruned was deleted)."""
    if newest is None:
        return None
    since = newest - SINCE_MARGIN
    return max(since, pruned) if pruned is not None else since
