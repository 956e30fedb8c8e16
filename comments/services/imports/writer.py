"""Storing what a reader produced, in batches, whatever the format.

Each batch of comments costs a few statements (which are new, their threads, one INSERT per
table). A reply is stored after its parent, whatever order the file lists them in, so a parent
always has the smaller id (threads list comments by id): a reply that comes before its parent
is held back until the parent has been queued (only such replies are held in memory), and a
parent cycle (3 -> 4 -> 3) is broken by making one of its comments top-level, with a warning.
Replies are linked to their parents once everything is in. What earlier imports brought in
is known by origin and id (``ledger.py``). In a dry run the same checks and counts happen and
nothing is written.
Nothing here commits: the caller commits once, so an import lands whole or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

import classifier
from comments.models import Comment, CommentScore, Decision, Site, Thread
from comments.network import hash_ip
from comments.rendering import RENDERER_VERSION, render
from comments.services.imports.ledger import Ledger, Placed
from comments.services.imports.records import Key, Problem, Record, SourceComment, SourceError
from comments.services.imports.summary import ImportSummary
from comments.services.registry import ensure_version
from comments.services.threads import find_thread, get_or_create_thread
from comments.text import fingerprint

ALREADY_IMPORTED = "already imported"
_COMMENTS = cast(Table, Comment.__table__)
_THREADS = cast(Table, Thread.__table__)
#: A thread is as old as its first comment: moved back to an earlier imported one.
_DATE_THREAD = (
    update(_THREADS)
    .where(_THREADS.c.id == bindparam("thread"), _THREADS.c.created_at > bindparam("first"))
    .values(created_at=bindparam("first"))
)
#: And its last comment is its newest, imported or not (a thread the import created was
#: stamped with the time of the import).
_DATE_LAST_COMMENT = (
    update(_THREADS)
    .where(_THREADS.c.id == bindparam("thread"))
    .values(
        last_comment_at=select(func.max(_COMMENTS.c.created_at))
        .where(_COMMENTS.c.thread_id == _THREADS.c.id)
        .scalar_subquery()
    )
)
_LINK_PARENT = (
    update(_COMMENTS)
    .where(_COMMENTS.c.id == bindparam("child"))
    .values(parent_id=bindparam("parent"))
)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    source: str
    #: Source status (records.SOURCE_STATUSES) -> our status, or "skip".
    status_map: Mapping[str, str]
    #: The current IP hash key (network.ip_hash_keys(config)[0]): hashes match new comments'.
    ip_key: bytes
    dry_run: bool = False
    #: Score every imported comment with this model; None leaves them unscored.
    model: classifier.Model | None = None
    batch_size: int = 500


class Writer:
    """Feed it records with ``add``, then call ``finish`` once."""

    def __init__(self, session: Session, site: Site, options: ImportOptions, now: datetime):
        self.session = session
        self.site = site
        self.options = options
        self.now = now
        self.summary = ImportSummary(site.name, options.source, options.dry_run)
        self.ledger = Ledger(
            session, site.id, options.source, dry_run=options.dry_run, chunk=options.batch_size
        )
        self._batch: list[SourceComment] = []
        self._threads: dict[str, int] = {}
        # Comments are known by their key (origin, ref); a reply's parent is in its origin.
        self._placed: dict[Key, Placed] = {}
        self._seen: set[Key] = set()
        #: (comment id, thread id, its key, its parent's key)
        self._replies: list[tuple[int, int, Key, Key]] = []
        #: Keys queued for storing (or already stored), so their replies may follow them.
        self._queued: set[Key] = set()
        #: Replies whose parent has not been queued yet, by that parent's key, in file order.
        self._waiting: defaultdict[Key, list[SourceComment]] = defaultdict(list)
        #: Where each held reply came in the file, to keep that order among equals.
        self._held_at: dict[Key, int] = {}
        #: Comments made top-level to break a parent cycle.
        self._cycle_broken: set[Key] = set()
        #: The earliest comment stored in each thread, which dates the thread.
        self._first_in: dict[int, datetime] = {}
        self._next_fake_id = 0
        if options.model is not None:
            self.summary.model_version = options.model.version
            if not options.dry_run:
                ensure_version(session, options.model)

    def add(self, record: Record) -> None:
        if isinstance(record, Problem):
            self.summary.note(self.summary.skipped, record.reason, record.ref)
            return
        if record.key in self._seen:
            self.summary.note(self.summary.skipped, "duplicate id in the file", record.ref)
            return
        self._seen.add(record.key)
        parent = _parent_key(record)
        if parent is None or parent == record.key or parent in self._queued:
            self._queue(record)
        else:
            self._waiting[parent].append(record)
            self._held_at[record.key] = len(self._seen)

    def finish(self) -> ImportSummary:
        self._release_held()
        self._flush()
        self._link_replies()
        self._date_threads()
        return self.summary

    # -- parents first ---------------------------------------------------------------------

    def _queue(self, comment: SourceComment) -> None:
        """Queue a comment, then every held reply below it (each after its own parent)."""
        pending = [comment]
        while pending:
            current = pending.pop()
            self._queued.add(current.key)
            self._batch.append(current)
            if len(self._batch) >= self.options.batch_size:
                self._flush()
            replies = self._waiting.pop(current.key, [])
            for reply in replies:
                del self._held_at[reply.key]
            pending.extend(reversed(replies))  # the first listed is queued first

    def _release_held(self) -> None:
        """At the end, queue the replies still held: those whose parent never came (linked to
        it if an earlier import brought it in, else top-level), then the parent cycles."""
        for parent in sorted(
            (p for p in self._waiting if p not in self._seen),
            key=lambda p: self._order_key(self._waiting[p][0]),
        ):
            for reply in self._waiting.pop(parent):
                del self._held_at[reply.key]
                self._queue(reply)
        # What is left waits on a comment that itself waits: parent cycles, and their replies.
        while self._waiting:
            by_key = {c.key: c for replies in self._waiting.values() for c in replies}
            current = min(by_key.values(), key=self._order_key)
            walked: list[SourceComment] = []
            keys: set[Key] = set()
            while current.key not in keys:  # up the parents until one repeats: the cycle
                walked.append(current)
                keys.add(current.key)
                current = by_key[cast(Key, _parent_key(current))]
            cycle = walked[walked.index(current) :]
            breaker = min(cycle, key=self._order_key)
            parent = cast(Key, _parent_key(breaker))
            self._waiting[parent].remove(breaker)
            if not self._waiting[parent]:
                del self._waiting[parent]
            del self._held_at[breaker.key]
            self._cycle_broken.add(breaker.key)
            self._queue(breaker)

    def _order_key(self, comment: SourceComment) -> tuple[datetime, int]:
        """Held comments go oldest first, then in the file's order."""
        return (comment.created_at, self._held_at[comment.key])

    # -- batches ---------------------------------------------------------------------------

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        earlier = self.ledger.find_comments(batch)
        fresh: list[SourceComment] = []
        for comment in batch:
            if comment.key in earlier:
                self._placed[comment.key] = earlier[comment.key]
                self.summary.note(self.summary.skipped, ALREADY_IMPORTED, comment.ref)
            elif self.options.status_map[comment.status] == "skip":
                reason = f"{comment.status}: mapped to skip"
                self.summary.note(self.summary.skipped, reason, comment.ref)
            else:
                fresh.append(comment)
        if fresh:
            self._store(fresh)

    def _thread_id(self, comment: SourceComment) -> int:
        thread = comment.thread
        if thread.key in self._threads:
            return self._threads[thread.key]
        found = find_thread(self.session, self.site, thread.key)
        if found is not None:
            self.summary.threads_existing += 1
        else:
            self.summary.threads_created += 1
        if self.options.dry_run:
            thread_id = found.id if found is not None else self._fake_id()
        else:
            stored = get_or_create_thread(
                self.session, self.site, thread.key, title=thread.title, url=thread.url
            )
            if thread.closed and stored.closed is None:
                stored.closed = True  # the source's word, where staff here gave none
            thread_id = stored.id
        self._threads[thread.key] = thread_id
        return thread_id

    def _fake_id(self) -> int:
        """Stands in for an id in a dry run; negative, so it can never name a real row."""
        self._next_fake_id -= 1
        return self._next_fake_id

    def _scores(self, comments: list[SourceComment]) -> list[classifier.Scores | None]:
        model = self.options.model
        if model is None:
            return [None] * len(comments)
        try:
            scores = model.score_many([comment.body for comment in comments])
        except Exception as error:  # an import must not half-score: stop, nothing is kept
            raise SourceError(f"model {model.version} failed to score: {error}") from error
        for found in scores:
            if not (0.0 <= found.toxicity <= 1.0 and 0.0 <= found.spam <= 1.0):
                raise SourceError(f"model {model.version} gave scores outside 0..1")
        return list(scores)

    def _store(self, comments: list[SourceComment]) -> None:
        rows = [self._row(c, s) for c, s in zip(comments, self._scores(comments), strict=True)]
        if self.options.dry_run:
            ids = [self._fake_id() for _ in rows]
        else:
            statement = insert(_COMMENTS).returning(_COMMENTS.c.id, sort_by_parameter_order=True)
            ids = list(self.session.connection().execute(statement, rows).scalars())
            self._record(comments, rows, ids)
        for comment, row, comment_id in zip(comments, rows, ids, strict=True):
            first = self._first_in.get(row["thread_id"])
            if first is None or comment.created_at < first:
                self._first_in[row["thread_id"]] = comment.created_at
            self._placed[comment.key] = Placed(comment_id, row["thread_id"])
            self.summary.imported[row["status"]] += 1
            if (parent := _parent_key(comment)) is not None:
                self._replies.append((comment_id, row["thread_id"], comment.key, parent))

    def _row(self, comment: SourceComment, scores: classifier.Scores | None) -> dict[str, Any]:
        status = self.options.status_map[comment.status]
        # Our own WXR export says when; otherwise a published comment counts from its writing.
        published_at = comment.published_at or (
            comment.created_at if status == "published" else None
        )
        return {
            "site_id": self.site.id,
            "thread_id": self._thread_id(comment),
            "parent_id": None,  # linked in _link_replies, once every parent has its id
            "status": status,
            "body_raw": comment.body,
            "body_html": render(comment.body),
            "renderer_version": RENDERER_VERSION,
            "body_fingerprint": fingerprint(comment.body),
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": comment.author_url,
            "ip_hash": hash_ip(comment.ip, self.options.ip_key) if comment.ip else None,
            "user_agent": "",
            "idempotency_key": None,
            "toxicity": scores.toxicity if scores else None,
            "spam": scores.spam if scores else None,
            "model_version": self.summary.model_version if scores else None,
            "created_at": comment.created_at,
            # Changed now: retention counts from here, so moderators get their full window.
            "updated_at": self.now,
            "published_at": published_at,
        }

    def _record(
        self, comments: list[SourceComment], rows: list[dict[str, Any]], ids: list[int]
    ) -> None:
        """Where each comment came from, the import as its first decision, and its scores."""
        connection = self.session.connection()
        self.ledger.add(comments, ids, self.now)
        connection.execute(
            insert(Decision),
            [
                {
                    "comment_id": comment_id,
                    "actor": "system",
                    "staff_id": None,
                    "model_version": row["model_version"],
                    "action": "import",
                    "toxicity": row["toxicity"],
                    "spam": row["spam"],
                    "from_status": None,
                    "to_status": row["status"],
                    "reason": _reason(self.options.source, comment),
                    "note": "",
                    "created_at": self.now,
                }
                for comment, row, comment_id in zip(comments, rows, ids, strict=True)
            ],
        )
        scored = [
            {
                "comment_id": comment_id,
                "model_version": row["model_version"],
                "role": "decision",
                "toxicity": row["toxicity"],
                "spam": row["spam"],
                "status": row["status"],
                "explanation": None,  # explained on demand, as for published comments
                "created_at": self.now,
            }
            for row, comment_id in zip(rows, ids, strict=True)
            if row["model_version"] is not None
        ]
        if scored:
            connection.execute(insert(CommentScore), scored)

    def _date_threads(self) -> None:
        """A thread's creation is its first comment's: a thread the import created (now), or
        one that was here, goes back to the earliest comment imported into it, so a site's
        close_after_days counts an old post's age from its history, not from the import; and
        its last comment is its newest, so staff's listing does not put it first."""
        if self.options.dry_run or not self._first_in:
            return
        self.session.connection().execute(
            _DATE_THREAD,
            [{"thread": thread, "first": first} for thread, first in self._first_in.items()],
        )
        self.session.connection().execute(
            _DATE_LAST_COMMENT, [{"thread": thread} for thread in self._first_in]
        )

    # -- threading -------------------------------------------------------------------------

    def _link_replies(self) -> None:
        """Point each reply at its parent; one whose parent is missing stays top-level."""
        missing = {parent for _, _, _, parent in self._replies if parent not in self._placed}
        self._placed.update(self.ledger.find(sorted(missing)))
        links = []
        for comment_id, thread_id, key, parent_key in self._replies:
            parent, ref = self._placed.get(parent_key), key[1]
            if key in self._cycle_broken:
                self.summary.note(self.summary.warnings, "parent cycle: top-level", ref)
            elif parent is None or parent.comment_id is None or parent_key == key:
                self.summary.note(self.summary.warnings, "parent not imported: top-level", ref)
            elif parent.thread_id != thread_id:
                self.summary.note(self.summary.warnings, "parent in another thread: top-level", ref)
            else:
                links.append({"child": comment_id, "parent": parent.comment_id})
        if links and not self.options.dry_run:
            self.session.connection().execute(_LINK_PARENT, links)


def _parent_key(comment: SourceComment) -> Key | None:
    """A reply's parent is a comment of the same blog, forum or database."""
    return (comment.origin, comment.parent_ref) if comment.parent_ref is not None else None


def _reason(source: str, comment: SourceComment) -> str:
    where = f"{source} {comment.origin}" if comment.origin else source
    return f"imported from {where} (there: {comment.status}, id {comment.ref})"
