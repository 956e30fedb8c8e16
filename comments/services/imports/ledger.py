"""The record of what earlier imports brought into a site (``imported_comments``).

A source comment is named by its origin (the blog, forum or database it came from) and its id
there: ids restart at 1 in every WordPress blog and Isso database, so an id alone would make a
second blog's comments look "already imported".

Some rows name no blog (origin ""): every row written before origins were recorded (nothing in
the database says which blog those imports read, so the migration could not fill it in), and
rows from a source that named none (a WXR file without a link, an Isso database without a
session key). Between a comment and a row of which only one names its blog, the id is not
enough: the row counts only if it is that comment, the one it made created at the same second.
A row that names no blog then takes the comment's origin (is "adopted"), and no longer stands
in the way of another blog's comment with that id. A row whose comment was erased since, or
looked up without a time (a parent that is not in the file), is taken at its word and left as
it is: bringing back an erased comment would be worse than missing one of another blog's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from comments.models import Comment, ImportedComment
from comments.services.imports.records import Key, SourceComment

_IMPORTED = cast(Table, ImportedComment.__table__)
_ADOPT = (
    update(_IMPORTED)
    .where(_IMPORTED.c.id == bindparam("row_id"))
    .values(origin=bindparam("new_origin"))
)
#: The origin of rows that name no blog.
UNNAMED = ""


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a source comment ended up here: its id (None once deleted here) and thread."""

    comment_id: int | None
    thread_id: int | None


class Ledger:
    """Lookups and new rows for one site and one source format."""

    def __init__(
        self, session: Session, site_id: int, source: str, *, dry_run: bool, chunk: int = 500
    ) -> None:
        self.session = session
        self.site_id = site_id
        self.source = source
        self.dry_run = dry_run
        self.chunk = chunk
        #: Whether any row names no blog; otherwise no lookup falls back to them.
        self._unnamed = self._any_unnamed()

    def find(
        self, keys: Iterable[Key], created: Mapping[Key, datetime] | None = None
    ) -> dict[Key, Placed]:
        """Which of ``keys`` an earlier import brought in, and where they are now. ``created``
        (their times in the source) tells whether a row that differs in naming a blog is theirs."""
        wanted = list(dict.fromkeys(keys))
        found = self._recorded(wanted)
        missing = [key for key in wanted if key not in found]
        named = [key for key in missing if key[0] != UNNAMED]
        if named and self._unnamed:
            rows = ImportedComment.origin == UNNAMED
            found.update(self._recognised(named, created or {}, rows))
        if unnamed := [key for key in missing if key[0] == UNNAMED]:
            rows = ImportedComment.origin != UNNAMED
            found.update(self._recognised(unnamed, created or {}, rows))
        return found

    def find_comments(self, comments: Sequence[SourceComment]) -> dict[Key, Placed]:
        return self.find((c.key for c in comments), {c.key: c.created_at for c in comments})

    def add(self, comments: Sequence[SourceComment], ids: Sequence[int], now: datetime) -> None:
        """Record newly stored comments (never called in a dry run)."""
        self.session.connection().execute(
            insert(ImportedComment),
            [
                {
                    "site_id": self.site_id,
                    "source": self.source,
                    "origin": comment.origin,
                    "ref": comment.ref,
                    "comment_id": comment_id,
                    "imported_at": now,
                }
                for comment, comment_id in zip(comments, ids, strict=True)
            ],
        )

    def _rows(self, *columns: Any, which: ColumnElement[bool], refs: list[str]) -> Iterable[Any]:
        query = (
            select(*columns)
            .outerjoin(Comment, Comment.id == ImportedComment.comment_id)
            .where(*self._here(), which, ImportedComment.ref.in_(bindparam("refs", expanding=True)))
        )
        for start in range(0, len(refs), self.chunk):
            yield from self.session.execute(query, {"refs": refs[start : start + self.chunk]})

    def _here(self) -> tuple[ColumnElement[bool], ...]:
        return (ImportedComment.site_id == self.site_id, ImportedComment.source == self.source)

    def _any_unnamed(self) -> bool:
        query = select(ImportedComment.id).where(*self._here(), ImportedComment.origin == UNNAMED)
        return self.session.execute(query.limit(1)).first() is not None

    def _recorded(self, keys: list[Key]) -> dict[Key, Placed]:
        by_origin: defaultdict[str, list[str]] = defaultdict(list)
        for origin, ref in keys:
            by_origin[origin].append(ref)
        found = {}
        columns = (ImportedComment.ref, ImportedComment.comment_id, Comment.thread_id)
        for origin, refs in by_origin.items():
            which = ImportedComment.origin == origin
            for ref, comment_id, thread_id in self._rows(*columns, which=which, refs=refs):
                found[(origin, ref)] = Placed(comment_id, thread_id)
        return found

    def _recognised(
        self, keys: list[Key], created: Mapping[Key, datetime], which: ColumnElement[bool]
    ) -> dict[Key, Placed]:
        """Rows (of ``which``: other origins) that are these comments, by id and time."""
        columns = (
            ImportedComment.id,
            ImportedComment.origin,
            ImportedComment.ref,
            ImportedComment.comment_id,
            Comment.thread_id,
            Comment.created_at,
        )
        rows: defaultdict[str, list[Any]] = defaultdict(list)
        for row in self._rows(*columns, which=which, refs=sorted({ref for _, ref in keys})):
            rows[row.ref].append(row)
        found: dict[Key, Placed] = {}
        adopted: dict[int, str] = {}
        for key in keys:
            when, match, verified = created.get(key), None, False
            for row in rows.get(key[1], ()):
                if row.id in adopted:
                    continue
                if row.comment_id is not None and when is not None:
                    if _same_second(row.created_at, when):
                        match, verified = row, True
                        break
                elif match is None:  # cannot be compared: taken at its word
                    match = row
            if match is None:
                continue
            found[key] = Placed(match.comment_id, match.thread_id)
            if verified and match.origin == UNNAMED:
                adopted[match.id] = key[0]
        if adopted and not self.dry_run:
            self.session.connection().execute(
                _ADOPT, [{"row_id": i, "new_origin": o} for i, o in adopted.items()]
            )
        return found


def _same_second(stored: datetime, source: datetime) -> bool:
    return stored.replace(microsecond=0) == source.replace(microsecond=0)
