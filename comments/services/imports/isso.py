"""Isso's own SQLite database, opened read-only: ``threads`` (id, uri, title) and ``comments``
(tid, id, parent, created, mode, remote_addr, text, author, email, website).

``mode`` is 1 (accepted), 2 (pending) or 4 (deleted, its text already emptied by Isso and kept
only because it has replies). ``created`` is a Unix time; ``text`` is Markdown already, and
``uri`` the page path the widget used, so it is the thread key as it stands. Isso stores
addresses with the last part zeroed; their hashes still group an author's comments.

Isso's ids restart at 1 in every database, and a database names no blog; what tells two apart
is the random ``session-key`` Isso writes into its ``preferences`` table when it creates one
(and signs its cookies with): a digest of it is the comments' origin, never the key itself.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote

from comments.services.imports import records as r

_MODES = {1: "approved", 2: "pending", 4: "deleted"}
#: The columns the import reads; a database without them is not Isso's.
_COLUMNS = {
    "comments": {"tid", "id", "parent", "created", "mode", "remote_addr", "text", "author"}
    | {"email", "website"},
    "threads": {"id", "uri", "title"},
}
_COMMENTS = (
    "SELECT c.id, c.parent, c.created, c.mode, c.remote_addr, c.text, c.author, c.email,"
    " c.website, t.uri, t.title FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid"
    " ORDER BY c.id"
)


def _connect(path: Path) -> sqlite3.Connection:
    """Read-only by URI: an import never changes the database it reads."""
    if not path.is_file():
        raise r.SourceError(f"{path} is not a file")
    try:
        connection = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if not set(_COLUMNS) <= tables:
            connection.close()
            raise r.SourceError("not an Isso database: it has no comments and threads tables")
        for table, wanted in _COLUMNS.items():
            columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            if missing := wanted - columns:
                connection.close()
                raise r.SourceError(
                    f"not an Isso database: its {table} table has no {', '.join(sorted(missing))}"
                )
    except sqlite3.DatabaseError as error:
        raise r.SourceError(f"not an Isso database: {error}") from error
    return connection


def size(path: Path) -> int:
    with closing(_connect(path)) as connection:
        count: int = connection.execute("SELECT count(*) FROM comments").fetchone()[0]
        return count


def read(path: Path, progress: r.Progress = r.no_progress) -> Iterator[r.Record]:
    with closing(_connect(path)) as connection:
        try:
            rows = connection.execute(_COMMENTS)
        except sqlite3.DatabaseError as error:
            raise r.SourceError(f"not an Isso database: {error}") from error
        origin = _origin(connection)
        for row in rows:
            yield r.guarded(str(row[0]), partial(_comment, row, origin))
            progress(1)


def _origin(connection: sqlite3.Connection) -> str:
    """Which database this is, by a digest of its session key; "" if it has none."""
    try:
        row = connection.execute(
            "SELECT value FROM preferences WHERE key = 'session-key'"
        ).fetchone()
    except sqlite3.DatabaseError:  # no preferences table: nothing names the database
        return ""
    if row is None or not row[0]:
        return ""
    return "isso-db:" + hashlib.sha256(str(row[0]).encode()).hexdigest()[:32]


def _comment(row: tuple[object, ...], origin: str) -> r.SourceComment:
    ref, parent, created, mode, address, text, author, email, website, uri, title = row
    status = _MODES.get(mode) if isinstance(mode, int) else None
    if status is None:
        raise r.Malformed("unknown mode")
    if uri is None:
        raise r.Malformed("thread not in the database")
    try:
        created_at = datetime.fromtimestamp(created, UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError) as error:
        raise r.Malformed("no valid created time") from error
    return r.SourceComment(
        ref=r.ref(str(ref)),
        thread=r.make_thread(str(uri), str(title or ""), None),
        parent_ref=str(parent) if parent is not None else None,
        status=status,
        created_at=created_at,
        body=r.body(str(text or ""), status),
        author_name=r.author_name(str(author or "")),
        author_email=r.author_email(str(email or "")),
        author_url=r.author_url(str(website or "")),
        ip=r.ip_address(str(address or "")),
        origin=origin,
    )
