"""Sustained load through gunicorn, then the same load while its processes are killed.

Clients behave like the widget: every comment carries a fresh idempotency key, and a comment
whose answer never arrived (reset, refused, timed out) or was a 5xx is sent again with the same
key until it is acknowledged. Afterwards every acknowledged comment must be stored, once, with
the body that was sent, and the database must pass its integrity checks.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from comments.models.base import Base
from tests.servers import Reply, fetch, serve, wait_for

SUBMITTERS = 16
READERS = 2
LOAD_SECONDS = 30
THREAD_KEYS = 4
#: A comment still unacknowledged after this long counts as lost by the client.
GIVE_UP_SECONDS = 180.0
#: What the crash test does, in order: kill both workers (the master forks new ones), or kill
#: the master and its workers together and start a new server on the same port.
KILL_PLAN = ("workers", "workers", "server", "workers", "workers", "workers")
#: Comments acknowledged between two kills, so that each kill lands on a working server.
ACKS_BETWEEN_KILLS = 10
PROGRESS_TIMEOUT = 120.0

REMARKS = (
    "Thanks for the clear summary, the point about the history was new to me.",
    "I tried the second example on my own data and got the same result.",
    "Could you say more about how this scales beyond a few thousand rows?",
    "The chart in the middle section makes the argument much easier to follow.",
    "I disagree with the conclusion, but the reasoning is laid out fairly.",
    "A link to the original paper would help readers who want the details.",
)


@dataclass(frozen=True, slots=True)
class Acknowledged:
    payload: dict[str, Any]
    id: int
    html: str
    #: 200 when an earlier attempt had stored the comment but its answer was lost.
    status: int
    attempts: int

    @property
    def stored_as(self) -> tuple[str, str, str]:
        """(body, idempotency key, html) as the database should hold them."""
        return self.payload["body"], self.payload["idempotency_key"], self.html


@dataclass
class Load:
    """SUBMITTERS widget-like clients posting comments and READERS reading threads."""

    url: str
    acknowledged: list[Acknowledged] = field(default_factory=list)
    #: Every HTTP answer, by (method, status).
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    #: Requests that got no HTTP answer at all: expected while processes are killed.
    connection_errors: int = 0
    refused: list[Reply] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Load:
        clients = [(self._submit, n) for n in range(SUBMITTERS)]
        clients += [(self._read, n) for n in range(READERS)]
        self._threads = [threading.Thread(target=run, args=(n,)) for run, n in clients]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """No new comments; those in flight are retried until acknowledged or given up."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=2 * GIVE_UP_SECONDS)
        assert not any(thread.is_alive() for thread in self._threads)

    def wait_for_progress(self, comments: int) -> None:
        target = len(self.acknowledged) + comments
        wait_for(lambda: len(self.acknowledged) >= target, PROGRESS_TIMEOUT, "acknowledgements")

    def summary(self) -> str:
        """The figures of a run, printed for the record (pytest -s or -rP shows them)."""
        replayed = sum(ack.status == 200 for ack in self.acknowledged)
        return (
            f"{len(self.acknowledged)} comments acknowledged ({replayed} of them by a 200 to a "
            f"retry whose first answer was lost), {self.connection_errors} connection errors, "
            f"answers {dict(self.answers)}"
        )

    def server_errors(self) -> dict[tuple[str, int], int]:
        return {answer: n for answer, n in self.answers.items() if answer[1] >= 500}

    def deliver(self, payload: dict[str, Any]) -> Acknowledged | None:
        """Send one comment as the widget does, retrying with its key until it is answered."""
        give_up = time.monotonic() + GIVE_UP_SECONDS
        pause = 0.05
        attempts = 0
        while True:
            attempts += 1
            try:
                reply = fetch(f"{self.url}/api/v1/comments", payload)
            except (OSError, http.client.HTTPException):  # reset, refused, timed out
                with self._lock:
                    self.connection_errors += 1
            else:
                with self._lock:
                    self.answers["POST", reply.status] += 1
                if reply.status in (200, 201):
                    return self._acknowledge(payload, reply, attempts)
                if reply.status < 500:
                    with self._lock:
                        self.refused.append(reply)
                    return None
            if time.monotonic() > give_up:
                with self._lock:
                    self.unresolved.append(payload["body"])
                return None
            time.sleep(pause)  # back off as a reader pressing "post" again would
            pause = min(pause * 2, 1.0)

    def _acknowledge(self, payload: dict[str, Any], reply: Reply, attempts: int) -> Acknowledged:
        ack = Acknowledged(payload, reply.body["id"], reply.body["html"], reply.status, attempts)
        with self._lock:
            self.acknowledged.append(ack)
        return ack

    def _submit(self, submitter: int) -> None:
        for n in itertools.count():
            if self._stopping.is_set():
                return
            self.deliver(
                {
                    "thread": f"/load/{n % THREAD_KEYS}",
                    "author_name": f"Submitter {submitter}",
                    "body": f"Submitter {submitter}, remark {n}: {REMARKS[n % len(REMARKS)]}",
                    "idempotency_key": str(uuid.uuid4()),
                }
            )

    def _read(self, reader: int) -> None:
        for n in itertools.count(reader):
            if self._stopping.is_set():
                return
            query = urllib.parse.urlencode({"thread": f"/load/{n % THREAD_KEYS}", "per_page": 20})
            try:
                status = fetch(f"{self.url}/api/v1/comments?{query}").status
            except (OSError, http.client.HTTPException):
                with self._lock:
                    self.connection_errors += 1
            else:
                with self._lock:
                    self.answers["GET", status] += 1
            time.sleep(0.2)  # a reader, not a benchmark: leave the workers to the submitters


def stored_comments(db_url: str) -> dict[int, tuple[str, str | None, str]]:
    """id -> (body, idempotency key, html) of every stored comment."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, body_raw, idempotency_key, body_html FROM comments")
            ).all()
    finally:
        engine.dispose()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def assert_stored_exactly_once(db_url: str, load: Load) -> None:
    assert load.unresolved == [] and load.refused == []
    acknowledged = {ack.id: ack for ack in load.acknowledged}
    assert len(acknowledged) == len(load.acknowledged), "two comments were answered with one id"
    stored = stored_comments(db_url)
    lost = sorted(set(acknowledged) - set(stored))
    assert lost == [], f"{len(lost)} acknowledged comments are not stored"
    different = [i for i, ack in acknowledged.items() if stored[i] != ack.stored_as]
    assert different == [], "stored comments differ from what was acknowledged"
    # Every stored comment came from this load: anything unacknowledged is a duplicate.
    assert sorted(stored) == sorted(acknowledged)


# Checks that hold for any state the service leaves behind, on both engines.
_INVARIANTS = {
    "comments without exactly one automatic decision": """
        SELECT count(*) FROM comments c WHERE (SELECT count(*) FROM decisions d
        WHERE d.comment_id = c.id AND d.actor = 'model') <> 1""",
    "scored comments without exactly one deciding score of their version": """
        SELECT count(*) FROM comments c WHERE c.model_version IS NOT NULL AND (SELECT count(*)
        FROM comment_scores s WHERE s.comment_id = c.id AND s.role = 'decision'
        AND s.model_version = c.model_version) <> 1""",
    "comments in a thread of another site": """
        SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id
        WHERE t.site_id <> c.site_id""",
}


_AMCHECK_INSTALLABLE = """
    SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'
    AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"""


def _orphan_queries() -> dict[str, str]:
    """One query per foreign key of the schema, counting rows that point at nothing."""
    queries = {}
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            column, target = key.parent.name, key.column
            queries[f"{table.name}.{column} -> {target.table.name}"] = (
                f"SELECT count(*) FROM {table.name} child WHERE child.{column} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {target.table.name} parent "
                f"WHERE parent.{target.name} = child.{column})"
            )
    return queries


def _engine_checks(session: Session) -> list[str]:
    """SQLite's own checks; on PostgreSQL, amcheck's verification of heaps and B-tree indexes."""
    if session.get_bind().dialect.name == "sqlite":
        found = list(session.execute(text("PRAGMA integrity_check")).scalars())
        keys = session.execute(text("PRAGMA foreign_key_check")).all()
        return [f"integrity_check: {line}" for line in found if line != "ok"] + [
            f"foreign_key_check: {row}" for row in keys
        ]
    if not session.scalar(text(_AMCHECK_INSTALLABLE)):
        return []  # without amcheck (or the right to install it) the checks below still run
    session.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))  # this test's own database
    tables = session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    problems = [
        f"{table}: {row}"
        for table in tables.all()
        for row in session.execute(text("SELECT * FROM verify_heapam(:t)"), {"t": table}).all()
    ]
    indexes = session.scalars(
        text(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = 'public'"
        )
    ).all()
    assert indexes, "no index was checked"
    for index in indexes:  # raises on a corrupt index: the test fails with amcheck's message
        session.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
    return problems


def integrity_problems(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            problems = _engine_checks(session)
            for name, query in {**_orphan_queries(), **_INVARIANTS}.items():
                count = session.scalar(text(query))
                if count:
                    problems.append(f"{name}: {count}")
            session.commit()
    finally:
        engine.dispose()
    return problems


@pytest.mark.slow
def test_sixteen_submitters_for_thirty_seconds_lose_nothing(db_url: str, tmp_path: Path) -> None:
    with serve(db_url, tmp_path / "gunicorn.log", workers=2) as server, Load(server.url) as load:
        time.sleep(LOAD_SECONDS)  # the load runs in its threads meanwhile
        load.stop()
        log = server.log()
    print(load.summary())
    assert load.server_errors() == {}, log
    assert load.connection_errors == 0, log
    assert len(load.acknowledged) >= SUBMITTERS
    assert {ack.status for ack in load.acknowledged} == {201}
    assert_stored_exactly_once(db_url, load)
    assert integrity_problems(db_url) == []


@pytest.mark.slow
def test_killing_workers_and_the_server_under_load_loses_no_acknowledged_comment(
    db_url: str, tmp_path: Path
) -> None:
    killed: set[int] = set()
    with serve(db_url, tmp_path / "gunicorn.log", workers=2) as server:
        with Load(server.url) as load:
            for target in KILL_PLAN:
                load.wait_for_progress(ACKS_BETWEEN_KILLS)
                if target == "workers":
                    server.wait_for_workers(replacing=killed)  # kill both, not one still booting
                    killed |= server.kill_workers()
                else:
                    server.crash_and_restart()
            load.wait_for_progress(ACKS_BETWEEN_KILLS)  # and it still works after the last kill
        # The widget's retry, once more, after the crashes: each answer is the stored comment.
        sample = [ack for n, ack in enumerate(load.acknowledged) if ack.attempts > 1 or n % 10 == 0]
        replays = [fetch(f"{server.url}/api/v1/comments", ack.payload) for ack in sample]
        log = server.log()
    print(f"{len(killed)} workers killed, 1 server crash, {len(replays)} replays;", load.summary())
    assert len(killed) == 2 * KILL_PLAN.count("workers"), log
    assert load.connection_errors > 0  # the kills hit requests in flight
    assert load.server_errors() == {}, log
    assert [(reply.status, reply.body.get("id"), reply.body.get("html")) for reply in replays] == [
        (200, ack.id, ack.html) for ack in sample
    ]
    assert_stored_exactly_once(db_url, load)
    assert integrity_problems(db_url) == []
