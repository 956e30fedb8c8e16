"""The moderation queue with a million comments: first and deep pages, with query plans.

For each engine, a fresh database is seeded (bench/seed.py: 1,000,000 comments by default, which
takes about a minute per engine) and served by gunicorn (2 sync workers); an admin's API token
then reads ``GET /api/v1/moderation/queue`` sequentially, for several queues and sorts, at the
first page and at a page 90% deep (its cursor built from the row there, as if paged to it), and
the first pages of a few filters (site, thread, author, signal, score, words), whose counts are of
what the filter selects. The reported queue's page and the counts are also timed in-process
(median of 5) under what a site selects: a site filter, and a moderator limited to that site.
Before that, each request is run once in-process with every SQL statement captured, and the
plans of those statements (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL) are
part of the output.

Target: every page, counts included, <= 30 ms (p50 of the server's answer time).

    python bench/bench_queue.py [--quick] [--engines sqlite,postgresql] [--comments N] [--reads N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stacks
from harness import arguments, database, driver_url, emit, engines, load_average, log, percentile
from harness import target as check
from seed import seed

TARGET_MS = 30.0
PASSWORD = "bench-password-1234"
#: (queue, sort) pairs read at their first page and 90% deep.
CASES = [
    ("pending", "newest"),
    ("pending", "oldest"),
    ("pending", "toxic"),
    ("spam", "newest"),
    ("published", "newest"),
    ("reported", "newest"),
]
#: Filtered first pages (queue, filter): the counts on them are of what the filter selects,
#: in every queue, so they cost more than the page when the filter is selective.
FILTERED = [
    ("pending", {"site": "default"}),
    ("reported", {"site": "default"}),
    ("published", {"thread": "/queue/7"}),
    ("published", {"author": "author7@example.org"}),
    ("pending", {"signal": "toxic"}),
    ("published", {"min_toxicity": "0.99"}),
    # Words: one in every body stops at the first page's rows; one in none (the worst case)
    # reads the whole published queue.
    ("published", {"q": "number"}),
    ("published", {"q": "casino"}),
]
_ORDER = {"newest": ("created_at", "DESC"), "oldest": ("created_at", "ASC")}
_ORDER["toxic"] = ("coalesce(toxicity, -1.0)", "DESC")
_OPEN_REPORT = (
    "EXISTS (SELECT 1 FROM reports WHERE reports.comment_id = comments.id"
    " AND reports.resolved_at IS NULL)"
)


def deep_cursor(connection: Any, queue: str, sort: str) -> tuple[str | None, int]:
    """The cursor of the page 90% into the queue, and the queue's size."""
    from sqlalchemy import text

    from comments.services.moderation.queue import encode_cursor

    where = _OPEN_REPORT if queue == "reported" else f"status = '{queue}'"
    size = int(connection.scalar(text(f"SELECT count(*) FROM comments WHERE {where}")))
    expression, direction = _ORDER[sort]
    row = connection.execute(
        text(
            f"SELECT {expression}, id FROM comments WHERE {where} "
            f"ORDER BY {expression} {direction}, id {direction} LIMIT 1 OFFSET :depth"
        ),
        {"depth": int(size * 0.9)},
    ).one_or_none()
    if row is None:
        return None, size
    value, comment_id = row
    if sort in ("newest", "oldest"):
        if isinstance(value, str):  # SQLite hands back the stored text
            value = datetime.fromisoformat(value)
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return encode_cursor(value, comment_id), size


def explain(connection: Any, dialect: str, statement: str, parameters: Any) -> list[str]:
    if dialect == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return [str(row[-1]) for row in rows]
    rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
    return [str(row[0]) for row in rows]


def capture_plans(url: str, folder: Path, token: str, paths: dict[str, str]) -> list[Any]:
    """Run each request in-process, capture its SELECTs, and explain each distinct one."""
    from sqlalchemy import event

    from comments.extensions import db

    app = stacks.app_for(url, folder)
    captured: list[tuple[str, str, Any]] = []
    current = [""]

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((current[0], statement, parameters))

    plans, seen = [], set()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", capture)
        client = app.test_client()
        for case, path in paths.items():
            current[0] = case
            answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code}: {answer.get_json()}")
        event.remove(db.engine, "before_cursor_execute", capture)
        db.session.remove()  # end the requests' transaction before explaining on another one
        with db.engine.connect() as connection:
            for case, statement, parameters in captured:
                if statement in seen or "api_tokens" in statement:
                    continue
                seen.add(statement)
                plan = explain(connection, db.engine.dialect.name, statement, parameters)
                plans.append({"first_in": case, "sql": " ".join(statement.split()), "plan": plan})
        db.engine.dispose()
    return plans


def time_requests(base: str, token: str, path: str, reads: int) -> dict[str, Any]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    times = []
    for _ in range(reads + 1):
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
        times.append((time.perf_counter() - start) * 1e3)
    times = times[1:]  # the first pays for the worker's caches
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p90_ms": round(percentile(times, 0.9), 2),
    }


def time_in_process(url: str, folder: Path) -> dict[str, Any]:
    """capped_queue_counts and the reported queue's queue_page in-process, median of 5 (after
    one untimed run), unfiltered, under the site, for a moderator limited to it, and under a
    thread: the reported queue starts from the open reports in each."""
    from sqlalchemy import select

    from comments.extensions import db
    from comments.models import Site
    from comments.services.moderation.queue import QueueQuery, capped_queue_counts, queue_page

    app = stacks.app_for(url, folder)
    results: dict[str, Any] = {}
    with app.app_context():
        session = db.session()
        site_id = session.scalar(select(Site.id).where(Site.name == "default"))
        queries = {
            "no filter": QueueQuery(queue="reported"),
            "site=default": QueueQuery(queue="reported", site="default"),
            "moderator of the site": QueueQuery(queue="reported", site_ids=frozenset({site_id})),
            "thread=/queue/7": QueueQuery(queue="reported", thread="/queue/7"),
        }

        def median_ms(work: Any) -> float:
            times = []
            for _ in range(6):
                start = time.perf_counter()
                work()
                times.append((time.perf_counter() - start) * 1e3)
                session.rollback()
            return round(statistics.median(times[1:]), 2)

        for name, query in queries.items():
            results[name] = {
                "counts_ms": median_ms(lambda q=query: capped_queue_counts(session, q, 1000)),
                "reported_page_ms": median_ms(lambda q=query: queue_page(session, q)),
            }
        db.engine.dispose()
    return results


def run_engine(engine: str, comments: int, reads: int, folder: Path) -> dict[str, Any]:
    from sqlalchemy import create_engine

    with database(engine, folder, "queue") as url:
        create = ["users", "create", "bench", "--role", "admin", "--password-stdin"]
        outputs = stacks.migrate(url, folder, create, ["users", "token", "bench"], stdin=PASSWORD)
        token = outputs[-1].strip().splitlines()[-1]
        log(f"{engine}: seeding {comments:,} comments")
        seeded = seed(url, comments)
        paths, sizes = {}, {}
        connection_engine = create_engine(driver_url(url))
        with connection_engine.connect() as connection:
            for queue, sort in CASES:
                cursor, sizes[f"{queue}"] = deep_cursor(connection, queue, sort)
                query = {"status": queue, "sort": sort}
                paths[f"{queue}/{sort}/first"] = "/api/v1/moderation/queue?" + urlencode(query)
                if cursor:
                    deep = urlencode({**query, "cursor": cursor})
                    paths[f"{queue}/{sort}/deep"] = "/api/v1/moderation/queue?" + deep
        connection_engine.dispose()
        for queue, narrowing in FILTERED:
            case = f"{queue}/{'&'.join(f'{k}={v}' for k, v in narrowing.items())}/first"
            paths[case] = "/api/v1/moderation/queue?" + urlencode({"status": queue, **narrowing})
        log(f"{engine}: query plans")
        plans = capture_plans(url, folder, token, paths)
        log(f"{engine}: counts and the reported page in-process")
        in_process = time_in_process(url, folder)
        log(f"{engine}: timing {len(paths)} pages")
        with stacks.ours(url, folder) as server:
            timings = {
                case: time_requests(server.url, token, p, reads) for case, p in paths.items()
            }
    return {
        "seeded": seeded,
        "queue_sizes": sizes,
        "pages": timings,
        "in_process": in_process,
        "plans": plans,
    }


def main() -> None:
    parser = arguments(__doc__, comments=1_000_000, reads=20)
    args = parser.parse_args()
    comments = min(args.comments, 20_000) if args.quick else args.comments
    reads = min(args.reads, 5) if args.quick else args.reads
    load_before = load_average()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        for engine in engines(args.engines):
            results[engine] = run_engine(engine, comments, reads, Path(tmp))
    targets = {
        f"{engine}_{case}": check(timing["p50_ms"], TARGET_MS)
        for engine, result in results.items()
        for case, timing in result["pages"].items()
    }
    emit(
        "queue",
        {
            "benchmark": "moderation_queue_http",
            "quick": args.quick,
            "setup": {
                "server": "gunicorn, 2 sync workers, loopback; one sequential client, admin token",
                "per_page": 50,
                "deep": "the page starting 90% into the queue (keyset cursor)",
            },
            "engines": results,
            "targets": targets,
            "load_average_before": load_before,
            "load_average_after": load_average(),
        },
    )


if __name__ == "__main__":
    main()
