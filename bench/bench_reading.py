"""Reading a thread over HTTP: ours (SQLite and PostgreSQL) against Isso, in one run.

Each server (gunicorn, 2 sync workers, loopback) gets a fresh database holding one thread of 100
and one of 1,000 published comments (the same texts; ours inserted directly, Isso's posted through
its API with its rate limiter off). A thread is read as the widget reads it: ours in pages of 200
following ``next`` (1,000 comments are 5 requests, as the widget loads them before "Load more"),
Isso's in its one request. One client reads sequentially, so the time of a read is the server's
time plus loopback; server CPU per read comes from /proc.

Targets (p50 of a whole read): 100 comments <= 10 ms, 1,000 <= 60 ms; Isso ~40 ms and ~420 ms.

    python bench/bench_reading.py [--quick] [--engines sqlite,postgresql] [--no-isso]
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stacks
from harness import (
    Server,
    arguments,
    database,
    driver_url,
    emit,
    engines,
    load_average,
    log,
    percentile,
    target,
)
from texts import comment_texts

PER_PAGE = 200  # the widget's page size (PER_PAGE in comments/ui/static/widget/prelude.js)
TARGET_MS = {100: 10.0, 1000: 60.0}


def seed_ours(url: str, sizes: list[int], texts: list[str]) -> None:
    """Published comments inserted directly, rendered as the service renders them."""
    from sqlalchemy import create_engine, select

    from comments.models import Comment, Site, Thread
    from comments.rendering import RENDERER_VERSION, render
    from comments.text import fingerprint

    engine = create_engine(driver_url(url))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    threads, comments = Thread.__table__, Comment.__table__
    with engine.begin() as connection:
        site_id = connection.scalar(select(Site.id).where(Site.name == "default"))
        for size in sizes:
            thread = {"site_id": site_id, "key": f"/read/{size}", "title": str(size)}
            thread_id = connection.execute(
                threads.insert().returning(threads.c.id), {**thread, "created_at": start}
            ).scalar_one()
            rows = []
            for i in range(size):
                text, when = texts[i % len(texts)], start + timedelta(minutes=i)
                row = {"site_id": site_id, "thread_id": thread_id, "status": "published"}
                row.update(body_raw=text, body_html=render(text))
                row.update(body_fingerprint=fingerprint(text))
                row.update(author_name=f"Reader {i}", author_email=f"r{i}@example.org")
                row.update(created_at=when, updated_at=when, published_at=when)
                row.update(renderer_version=RENDERER_VERSION, user_agent="", ip_hash="0" * 64)
                rows.append(row)
            connection.execute(comments.insert(), rows)
    engine.dispose()


def seed_isso(server: Server, sizes: list[int], texts: list[str]) -> None:
    for size in sizes:
        path = f"/new?uri={quote(f'/read/{size}', safe='')}"
        for i in range(size):
            body = {"text": texts[i % len(texts)], "author": f"Reader {i}", "title": f"{size}"}
            body["email"] = f"r{i}@example.org"
            status, _ = _request(server.url, "POST", path, json.dumps(body).encode())
            if status not in (201, 202):
                raise RuntimeError(f"Isso answered {status} while seeding")


def _request(base: str, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    headers = {"Content-Type": "application/json"} if body else {}
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def read_ours(base: str, key: str) -> tuple[float, int, int]:
    """(seconds spent in requests, comments, requests) for one whole read of the thread."""
    spent, comments, requests, cursor = 0.0, 0, 0, None
    while True:
        path = f"/api/v1/comments?thread={quote(key)}&per_page={PER_PAGE}"
        if cursor:
            path += f"&cursor={cursor}"
        start = time.perf_counter()
        status, body = _request(base, "GET", path)
        spent += time.perf_counter() - start
        requests += 1
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        page = json.loads(body)
        comments += len(page["comments"])
        cursor = page["next"]
        if not cursor:
            return spent, comments, requests


def read_isso(base: str, key: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    status, body = _request(base, "GET", f"/?uri={quote(key, safe='')}")
    spent = time.perf_counter() - start
    if status != 200:
        raise RuntimeError(f"Isso answered {status}")
    return spent, len(json.loads(body)["replies"]), 1


def measure(server: Server, reader: Any, key: str, reads: int) -> dict[str, Any]:
    reader(server.url, key)  # warm: imports, caches, the model of each worker is irrelevant here
    reader(server.url, key)
    times, counts = [], set()
    cpu_before = server.cpu_seconds()
    for _ in range(reads):
        spent, comments, requests = reader(server.url, key)
        times.append(spent * 1e3)
        counts.add((comments, requests))
    cpu = server.cpu_seconds() - cpu_before
    (comments, requests), *_ = counts
    return {
        "comments": comments,
        "requests_per_read": requests,
        "reads": reads,
        "ms_per_read": {
            "p50": round(statistics.median(times), 2),
            "p90": round(percentile(times, 0.9), 2),
            "max": round(max(times), 2),
        },
        "server_cpu_ms_per_read": round(cpu / reads * 1e3, 2),
    }


def main() -> None:
    args = arguments(__doc__).parse_args()
    sizes = [20, 200] if args.quick else [100, 1000]
    reads = {sizes[0]: 10, sizes[1]: 4} if args.quick else {sizes[0]: 100, sizes[1]: 30}
    texts, source = comment_texts(max(sizes))
    load_before = load_average()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-reading-") as tmp:
        folder = Path(tmp)
        for engine in engines(args.engines):
            with database(engine, folder, "read") as url:
                stacks.prepare_ours(url, folder)
                seed_ours(url, sizes, texts)
                with stacks.ours(url, folder) as server:
                    log(f"{engine}: ours")
                    results[f"ours_{engine}"] = {
                        str(n): measure(server, read_ours, f"/read/{n}", reads[n]) for n in sizes
                    }
        if not args.no_isso:
            with stacks.isso(folder) as server:
                log(f"isso: posting {sum(sizes)} comments")
                seed_isso(server, sizes, texts)
                results["isso_sqlite"] = {
                    str(n): measure(server, read_isso, f"/read/{n}", reads[n]) for n in sizes
                }
    targets: dict[str, Any] = {}
    for name, by_size in results.items():
        if name.startswith("ours"):
            for size in sizes:
                limit = TARGET_MS.get(size)
                if limit is not None:
                    p50 = by_size[str(size)]["ms_per_read"]["p50"]
                    targets[f"{name}_{size}_p50_ms"] = target(p50, limit)
    emit(
        "reading",
        {
            "benchmark": "read_thread_http",
            "quick": args.quick,
            "setup": {
                "server": "gunicorn, 2 sync workers, loopback; one sequential client",
                "ours": f"GET /api/v1/comments, per_page={PER_PAGE}, following next",
                "isso": None if args.no_isso else stacks.ISSO_SETUP,
                "bodies": source,
            },
            "results": results,
            "targets": targets,
            "load_average_before": load_before,
            "load_average_after": load_average(),
        },
    )


if __name__ == "__main__":
    main()
