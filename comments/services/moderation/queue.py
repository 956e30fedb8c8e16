"""The moderation queues: filtered, sorted, keyset-paginated, with counts per queue."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    FunctionElement,
    ScalarSelect,
    Select,
    case,
    distinct,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler

from comments.models import STATUSES, Comment, CommentSignal, Report, Site, Thread
from comments.services.moderation.text_search import mentions_every_word

#: "deleted" holds what authors took down themselves: moderators can read it (e.g. before a ban)
#: and restore it to pending.
QUEUES = ("pending", "spam", "reported", "published", "rejected", "deleted")
SORTS = ("newest", "oldest", "toxic", "spam", "uncertain")


class BadCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class QueueQuery:
    queue: str = "pending"
    #: None: every site; otherwise only these (a moderator limited to some sites).
    site_ids: frozenset[int] | None = None
    site: str | None = None
    thread: str | None = None
    signal: str | None = None
    author: str | None = None
    min_toxicity: float | None = None
    max_toxicity: float | None = None
    min_spam: float | None = None
    max_spam: float | None = None
    #: Words that must each appear in the comment's text or its author's name.
    q: str | None = None
    sort: str = "newest"
    per_page: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class QueuePage:
    comments: list[Comment]
    next_cursor: str | None


def _has_open_report() -> ColumnElement[bool]:
    """As IN rather than EXISTS, so SQLite starts from the few open reports, not every comment."""
    return Comment.id.in_(select(Report.comment_id).where(Report.resolved_at.is_(None)))


class _Unindexed(FunctionElement[Any]):
    """A column that SQLite is not to read through an index (its documented unary "+"); as it
    is on PostgreSQL, which plans by statistics.

    Under an author filter: without statistics SQLite guesses ten rows per status, site or
    thread, so it read a whole queue in time order (or a site's) checking every comment's
    author, where the author's comments are a few: each side of the filter's OR is a range of
    an index (ix_comments_email_site_status, ix_comments_lower_name_status).
    """

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(_Unindexed)
def _as_it_is(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_Unindexed, "sqlite")
def _unary_plus(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)


def _filter_column(query: QueueQuery, column: InstrumentedAttribute[Any]) -> ColumnElement[Any]:
    """The column as the query's filters compare it: under an author, through no index."""
    return _Unindexed(column.expression) if query.author else column.expression


def _in_queue(queue: str, query: QueueQuery) -> ColumnElement[bool]:
    if queue == "reported":
        return _has_open_report()
    return _filter_column(query, Comment.status) == queue


def _uncertainty() -> ColumnElement[Any]:
    """Distance of the nearer score to 0.5: small means the model hesitated."""
    toxicity = func.abs(func.coalesce(Comment.toxicity, 0.0) - 0.5)
    spam = func.abs(func.coalesce(Comment.spam, 0.0) - 0.5)
    return case((toxicity < spam, toxicity), else_=spam)


#: Rendered as a literal, not a bound parameter, so the expression is the one indexed
#: (ix_comments_status_toxicity and ix_comments_status_spam in comments/models/comments.py).
_UNSCORED: ColumnClause[float] = literal_column("-1.0")


def _sort_key(sort: str) -> tuple[Any, bool]:
    """The column a sort orders by, and whether it runs descending."""
    return {
        "newest": (Comment.created_at, True),
        "oldest": (Comment.created_at, False),
        "toxic": (func.coalesce(Comment.toxicity, _UNSCORED), True),
        "spam": (func.coalesce(Comment.spam, _UNSCORED), True),
        "uncertain": (_uncertainty(), False),
    }[sort]


def encode_cursor(value: Any, comment_id: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, comment_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, comment_id = json.loads(base64.urlsafe_b64decode(padded))
        value = datetime.fromisoformat(value) if sort in ("newest", "oldest") else float(value)
        return value, int(comment_id)
    except (ValueError, TypeError) as error:
        raise BadCursor("Not a cursor of this sort.") from error


def _narrowing(
    query: QueueQuery, *, counting: bool = False, reported: bool = False
) -> list[ColumnElement[bool]]:
    """What the query selects in a queue: the sites the staff sees and the filters.

    `counting`: score bounds on the indexed expression (ix_comments_status_toxicity, _spam),
    so a queue's count under them is a range of that index. A page keeps the bare column:
    sorted by time, it reads its few rows in time order, where the range made it sort them.

    `reported`: the sites through no index, so the reported queue starts from the open reports
    (_has_open_report), as it does unfiltered; SQLite read the whole site instead (a site's
    index, ix_comments_site_status_created), 48 ms for the count and 160 ms for the page at a
    million comments, for a moderator limited to some sites or under a site filter.
    """
    conditions: list[ColumnElement[bool]] = []
    site_id = (
        _Unindexed(Comment.site_id.expression)
        if reported
        else _filter_column(query, Comment.site_id)
    )
    if query.site_ids is not None:
        conditions.append(site_id.in_(query.site_ids))
    if query.site:
        conditions.append(
            site_id == select(Site.id).where(Site.name == query.site).scalar_subquery()
        )
    if query.thread:
        conditions.append(
            _filter_column(query, Comment.thread_id).in_(
                select(Thread.id).where(Thread.key == query.thread)
            )
        )
    if query.signal:
        conditions.append(
            exists().where(
                CommentSignal.comment_id == Comment.id, CommentSignal.name == query.signal
            )
        )
    if query.author:
        needle = query.author.lower()
        conditions.append(
            or_(Comment.author_email == needle, func.lower(Comment.author_name) == needle)
        )
    if query.q:
        conditions.extend(mentions_every_word(query.q))
    for column, low, high in (
        (Comment.toxicity, query.min_toxicity, query.max_toxicity),
        (Comment.spam, query.min_spam, query.max_spam),
    ):
        if counting and (low is not None or high is not None):
            # Scores are probabilities: a bound of 0 leaves out the unscored (-1.0), as the
            # bare column's comparisons do.
            scored = func.coalesce(column, _UNSCORED)
            conditions.append(scored >= (low or 0.0))
            if high is not None:
                conditions.append(scored <= high)
            continue
        if low is not None:
            conditions.append(column >= low)
        if high is not None:
            conditions.append(column <= high)
    return conditions


def _filters(query: QueueQuery) -> list[ColumnElement[bool]]:
    reported = query.queue == "reported"
    return [_in_queue(query.queue, query), *_narrowing(query, reported=reported)]


def page_statement(query: QueueQuery) -> Select[Any]:
    """The SELECT of a page: its comments and their sort keys, one more than a page (whether
    there is a next). Apart from queue_page, so tests can read its plan."""
    key, descending = _sort_key(query.sort)
    statement = select(Comment).where(*_filters(query))
    if query.cursor:
        # A row comparison, (key, id) after (value, id), is an index range on both engines, where
        # "key < value OR (key = value AND id < id)" made deep pages scan; the bound on the key
        # alone is implied by it, and lets SQLite range over an expression index too.
        value, after_id = decode_cursor(query.cursor, query.sort)
        position = tuple_(key, Comment.id)
        cursor = tuple_(literal(value, key.type), literal(after_id, Comment.id.type))
        if descending:
            statement = statement.where(key <= value, position < cursor)
        else:
            statement = statement.where(key >= value, position > cursor)
    order = (key.desc(), Comment.id.desc()) if descending else (key.asc(), Comment.id.asc())
    return statement.add_columns(key).order_by(*order).limit(query.per_page + 1)


def queue_page(session: Session, query: QueueQuery) -> QueuePage:
    rows: list[Any] = list(session.execute(page_statement(query)))
    comments = [row[0] for row in rows[: query.per_page]]
    next_cursor = None
    if len(rows) > query.per_page:
        last_comment, last_key = rows[query.per_page - 1]
        next_cursor = encode_cursor(last_key, last_comment.id)
    return QueuePage(comments, next_cursor)


#: Every status but "published", the biggest by far; the CHECK constraint on comments.status
#: allows no others, so "published" is the total less these.
_NOT_PUBLISHED = tuple(status for status in STATUSES if status != "published")


def exact_counts_statement(site_ids: frozenset[int] | None) -> Select[*tuple[int, ...]]:
    """One row: comments per status on the sites (None: every site), the total as published
    across all sites, and the reported comments. Apart from queue_counts, so tests can read its
    plan."""
    visible = [Comment.site_id.in_(site_ids)] if site_ids is not None else []

    def count(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
        return (
            select(func.count()).select_from(Comment).where(*visible, *conditions).scalar_subquery()
        )

    columns = {status: count(Comment.status == status) for status in _NOT_PUBLISHED}
    columns["published"] = count() if site_ids is None else count(Comment.status == "published")
    reported = (
        select(func.count(distinct(Report.comment_id))).where(Report.resolved_at.is_(None))
        if site_ids is None
        else select(func.count())
        .select_from(Comment)
        .where(_has_open_report(), _Unindexed(Comment.site_id.expression).in_(site_ids))
    )
    columns["reported"] = reported.scalar_subquery()
    return select(*(column.label(name) for name, column in columns.items()))


def queue_counts(session: Session, site_ids: frozenset[int] | None) -> dict[str, int]:
    """Comments per queue, exact, in one statement (one snapshot: exact_counts_statement).

    Counting the published queue row by row took most of a queue page at a million comments.
    Across all sites, SQLite reads a whole table's count(*) from its b-tree pages, so published
    is the total less the other queues, each an index range (ix_comments_status_created); open
    reports are counted in their own index (reports.comment_id is a cascading foreign key, so
    each names an existing comment). Limited to some sites, each status is a range of
    ix_comments_site_status_created, and the reported comments are read from the open reports
    (the sites through no index, as on a queue page: _narrowing).
    """
    row = session.execute(exact_counts_statement(site_ids)).one()._mapping
    counts = {queue: int(row[queue]) for queue in QUEUES}
    if site_ids is None:
        counts["published"] -= sum(counts[status] for status in _NOT_PUBLISHED)
    return counts


@dataclass(frozen=True, slots=True)
class QueueCounts:
    #: Comments per queue, exact up to the cap; a capped queue shows the cap. Empty under a
    #: filter no index can count by (UNCOUNTED_FILTERS).
    counts: dict[str, int]
    #: The queues holding more comments than the cap ("1,000+").
    capped: frozenset[str]


#: Filters that no index counts by: a signal, rare in most queues, would have every queue read
#: to its end (0.95 s at a million comments), and words searched for (q) every queue's text. An
#: author is counted from their own comments (_Unindexed).
UNCOUNTED_FILTERS = ("signal", "q")


def counts_statement(query: QueueQuery, cap: int) -> Select[*tuple[int, ...]]:
    """One row: per queue, how many comments the query's sites and filters select, each counted
    through at most cap + 1 index entries. Apart from capped_queue_counts, so tests can read its
    plan."""

    def count(queue: str) -> ScalarSelect[int]:
        narrowing = _narrowing(query, counting=True, reported=queue == "reported")
        first = (
            select(literal(1))
            .select_from(Comment)
            .where(_in_queue(queue, query), *narrowing)
            .limit(cap + 1)
        )
        return select(func.count()).select_from(first.subquery()).scalar_subquery()

    return select(*(count(queue).label(queue) for queue in QUEUES))


def capped_queue_counts(session: Session, query: QueueQuery, cap: int) -> QueueCounts:
    """Comments per queue that the query's sites and filters select (its queue, sort and cursor
    aside), each counted up to cap + 1 (counts_statement).

    Queue pages show these: beyond a few thousand the exact number costs a scan of the queue
    (tens of milliseconds at a million comments) and tells a moderator nothing more. Under a
    filter they count what the filter selects, as the page lists it, not the whole queue; under
    one no index counts by, nothing is counted rather than the whole queue.
    """
    if any(getattr(query, name) for name in UNCOUNTED_FILTERS):
        return QueueCounts({}, frozenset())
    row = session.execute(counts_statement(query, cap)).one()._mapping
    counts = {queue: int(row[queue]) for queue in QUEUES}
    capped = frozenset(queue for queue, number in counts.items() if number > cap)
    return QueueCounts({q: min(n, cap) for q, n in counts.items()}, capped)
