"""Fill a migrated database with many comments fast, for the moderation-queue bench.

Rows come from a generated series inside the database (PostgreSQL ``generate_series``, SQLite a
recursive CTE), one INSERT ... SELECT per table in one transaction: a million comments take about
a minute on SQLite and less on PostgreSQL, index maintenance included. The mix is fixed: 80%
published, 5% pending, 12% spam, 3% rejected, spread over 1,000 threads and 50,000 authors; held
comments have a decision score and a signal each, and one published comment in 400 has an open
reader report. PostgreSQL is then vacuumed and analysed, as autovacuum would have done by the
time a table had grown this large; SQLite is left as the service leaves it (no ANALYZE).
"""

from __future__ import annotations

import time
from typing import Any

from harness import driver_url
from sqlalchemy import Connection, create_engine, text

THREADS = 1000
AUTHORS = 50_000
SHARES = {"published": 80, "pending": 5, "spam": 12, "rejected": 3}  # per hundred
VERSION = "seed"
#: How SQLAlchemy stores a UTC timestamp on SQLite; PostgreSQL reads it as well.
EPOCH = "2026-01-01 00:00:00.000000"

_SERIES = {
    "postgresql": "SELECT g FROM generate_series(1, :n) AS s(g)",
    "sqlite": "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n) "
    "SELECT g FROM s",
}
_TIME = {
    "postgresql": "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%S.000000', '2026-01-01', '+' || g || ' seconds')",
}


def _status() -> str:
    """The status of row g, by g mod 100, so every queue is spread over the whole time range."""
    cases, upper = [], 0
    for status, share in SHARES.items():
        upper += share
        cases.append(f"WHEN g % 100 < {upper} THEN '{status}'")
    return f"CASE {' '.join(cases)} END"


def _comments_sql(dialect: str) -> str:
    created = _TIME[dialect]
    return f"""
        INSERT INTO comments (site_id, thread_id, status, body_raw, body_html, renderer_version,
            body_fingerprint, author_name, author_email, ip_hash, user_agent, toxicity, spam,
            model_version, created_at, updated_at, published_at)
        SELECT :site, :first_thread + (g % {THREADS}), status, 'Comment number ' || g,
            '<p>Comment number ' || g || '</p>', 'seed', 'fp' || g, 'Author ' || (g % {AUTHORS}),
            'author' || (g % {AUTHORS}) || '@example.org', 'ip' || (g % 20000), '',
            (g % 1000 * 7919 % 1000) / 1000.0, (g % 997 * 104729 % 1000) / 1000.0, '{VERSION}',
            {created}, {created}, CASE WHEN status = 'published' THEN {created} END
        FROM (SELECT g, {_status()} AS status FROM ({_SERIES[dialect]}) AS series) AS rows
    """


def _derived_sql() -> list[str]:
    return [
        f"""INSERT INTO comment_scores (comment_id, model_version, role, toxicity, spam, status,
                created_at)
            SELECT id, '{VERSION}', 'decision', toxicity, spam, status, created_at
            FROM comments WHERE status <> 'published'""",
        """INSERT INTO comment_signals (comment_id, name)
            SELECT id, CASE WHEN toxicity > spam THEN 'toxic' ELSE 'spam_likely' END
            FROM comments WHERE status <> 'published'""",
        """INSERT INTO reports (comment_id, reason, text, created_at)
            SELECT id, 'abusive', '', created_at
            FROM comments WHERE status = 'published' AND id % 400 = 0""",
        # As the service keeps it: when its newest comment was posted (the Pages listing).
        """UPDATE threads SET last_comment_at = coalesce(
            (SELECT max(created_at) FROM comments WHERE thread_id = threads.id), created_at)
            WHERE key LIKE '/queue/%'""",
    ]


def seed(url: str, comments: int) -> dict[str, Any]:
    """Insert the rows; returns the seconds it took and the counts per status."""
    engine = create_engine(driver_url(url))
    dialect = engine.dialect.name
    started = time.perf_counter()
    with engine.begin() as connection:
        site = connection.scalar(text("SELECT id FROM sites WHERE name = 'default'"))
        connection.execute(
            text(
                "INSERT INTO model_versions (version, sha256, card, source, active, shadow, "
                "created_at) VALUES (:v, '', '{}', 'builtin', false, false, :t)"
            ),
            {"v": VERSION, "t": EPOCH},
        )
        first_thread = _threads(connection, site)
        connection.execute(
            text(_comments_sql(dialect)),
            {"n": comments, "site": site, "first_thread": first_thread},
        )
        for statement in _derived_sql():
            connection.execute(text(statement))
    if dialect == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    with engine.connect() as connection:
        counts = dict(
            connection.execute(text("SELECT status, count(*) FROM comments GROUP BY 1")).all()
        )
    engine.dispose()
    return {
        "comments": comments,
        "seconds": round(time.perf_counter() - started, 1),
        "by_status": {str(k): int(v) for k, v in counts.items()},
        "method": f"INSERT ... SELECT from a generated series ({dialect})"
        + (", then VACUUM ANALYZE" if dialect == "postgresql" else ", no ANALYZE"),
    }


def _threads(connection: Connection, site: int) -> int:
    connection.execute(
        text(
            "INSERT INTO threads (site_id, key, title, created_at, last_comment_at)"
            " VALUES (:site, :key, :title, :t, :t)"
        ),
        [
            {"site": site, "key": f"/queue/{i}", "title": f"Thread {i}", "t": EPOCH}
            for i in range(THREADS)
        ],
    )
    first = connection.scalar(text("SELECT min(id) FROM threads WHERE key LIKE '/queue/%'"))
    return int(first)
