"""The baseline of the submission bench: a bare Flask endpoint that stores the same JSON.

It validates the widget's fields (types, lengths, required ones), finds or creates the thread
(moving its ``last_comment_at`` forward, as the schema requires) and inserts the comment into
the service's own schema (the database is migrated by the bench), on the
same engine and with the same SQLite settings as the service, under the same gunicorn. What it
leaves out is exactly what the service adds: text cleaning, rules, scoring, the decision and its
record, Markdown rendering and sanitising. Our CPU per comment is reported as a ratio to this.
On SQLite it waits for the write lock with SQLite's busy handler alone: the service's writers
also take turns through a lock file (comments.sqlite_turns), which shortens waits, not CPU.

    DATABASE_URL=sqlite:///x.db gunicorn --workers 2 bench.bare_app:app
"""

from __future__ import annotations

import hashlib
import html
import os
import sqlite3
from datetime import UTC, datetime
from typing import Any

from flask import Flask, request
from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, event, select
from sqlalchemy.exc import IntegrityError

LIMITS = {
    "site": 64,
    "thread": 512,
    "thread_title": 300,
    "thread_url": 2048,
    "author_name": 80,
    "author_email": 254,
    "author_url": 200,
    "body": 10_000,
    "form_token": 512,
    "honeypot": 2_000,
    "idempotency_key": 64,
}
REQUIRED = ("thread", "body")


def _engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # As the service: connections to a server are pinged at checkout, SQLite files are not.
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _connect(connection: sqlite3.Connection, _record: Any) -> None:
            connection.isolation_level = None
            for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "synchronous = NORMAL"):
                connection.execute(f"PRAGMA {pragma}")

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


engine = _engine(os.environ["DATABASE_URL"])
_metadata = MetaData()
sites = Table("sites", _metadata, autoload_with=engine)
threads = Table("threads", _metadata, autoload_with=engine)
comments = Table("comments", _metadata, autoload_with=engine)
_site_ids: dict[str, int] = {}
app = Flask(__name__)


def _errors(payload: Any) -> dict[str, list[str]]:
    if not isinstance(payload, dict):
        return {"_schema": ["Not an object."]}
    known = {*LIMITS, "parent_id"}
    errors = {name: ["Unknown field."] for name in payload if name not in known}
    for name, limit in LIMITS.items():
        value = payload.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            errors[name] = [f"A string of at most {limit} characters."]
    for name in REQUIRED:
        if not (payload.get(name) or "").strip():
            errors[name] = ["Required."]
    parent = payload.get("parent_id")
    if parent is not None and not isinstance(parent, int):
        errors["parent_id"] = ["An integer."]
    return errors


def _site_id(connection: Connection, name: str) -> int | None:
    if name not in _site_ids:
        found = connection.scalar(select(sites.c.id).where(sites.c.name == name))
        if found is None:
            return None
        _site_ids[name] = found
    return _site_ids[name]


def _thread_id(connection: Connection, site_id: int, payload: dict[str, Any], now: datetime) -> int:
    query = select(threads.c.id).where(
        threads.c.site_id == site_id, threads.c.key == payload["thread"]
    )
    found = connection.scalar(query)
    if found is not None:
        # The schema keeps when a thread was last commented on (it orders the staff's listing).
        connection.execute(
            threads.update()
            .where(threads.c.id == found, threads.c.last_comment_at < now)
            .values(last_comment_at=now)
        )
        return int(found)
    try:
        with connection.begin_nested():
            row = {"site_id": site_id, "key": payload["thread"], "url": payload.get("thread_url")}
            row.update(title=payload.get("thread_title") or "", created_at=now, last_comment_at=now)
            return int(connection.execute(threads.insert().returning(threads.c.id), row).scalar())
    except IntegrityError:  # another worker created it first
        return int(connection.scalar(query))


@app.post("/api/v1/comments")
def create_comment() -> tuple[dict[str, Any], int]:
    payload = request.get_json()
    errors = _errors(payload)
    if errors:
        return {"code": 422, "errors": errors}, 422
    now = datetime.now(UTC)
    body = payload["body"].strip()
    with engine.begin() as connection:
        site_id = _site_id(connection, payload.get("site") or "default")
        if site_id is None:
            return {"code": 422, "errors": {"site": ["Unknown site."]}}, 422
        row = {
            "site_id": site_id,
            "thread_id": _thread_id(connection, site_id, payload, now),
            "parent_id": payload.get("parent_id"),
            "status": "published",
            "body_raw": body,
            "body_html": f"<p>{html.escape(body)}</p>",
            "renderer_version": "bare",
            "body_fingerprint": hashlib.sha256(body.casefold().encode()).hexdigest(),
            "author_name": payload.get("author_name") or "",
            "author_email": payload.get("author_email") or None,
            "author_url": payload.get("author_url") or None,
            "user_agent": (request.user_agent.string or "")[:512],
            "idempotency_key": payload.get("idempotency_key"),
            "created_at": now,
            "updated_at": now,
            "published_at": now,
        }
        comment_id = connection.execute(comments.insert().returning(comments.c.id), row).scalar()
    return {
        "id": comment_id,
        "status": "published",
        "html": row["body_html"],
        "parent_id": row["parent_id"],
        "author_name": row["author_name"],
        "author_url": row["author_url"],
        "created_at": now.isoformat(),
    }, 201


@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}
