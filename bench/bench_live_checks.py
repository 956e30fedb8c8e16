"""What an open page costs the server: the widget's live checks (live.js), over HTTP.

A fresh database holds one thread of 100 and one of 1,000 published comments, a minute apart
(bench_reading's seed). A page checks with ``since`` (the watermark its first read gave) and
the ETag of its last answer, so while nothing changes each check is a 304 without a body.
One client asks sequentially against gunicorn (2 sync workers, loopback); for each thread:

- ``unchanged_304``: the usual check, If-None-Match matching;
- ``unchanged_200``: the same check without the ETag (a browser cache emptied): the answer
  repeats the comments of the watermark's last minute;
- ``first_page``: the widget's first read (200 comments), for scale.

Each gives ms per request (p50, p90), server CPU per request (from /proc) and bytes of body.

    python bench/bench_live_checks.py [--quick] [--engines sqlite] [--port 5640]
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stacks
from bench_reading import seed_ours
from harness import Server, arguments, database, emit, engines, load_average, log, percentile
from texts import comment_texts

PER_PAGE = 200  # the widget's page size, for checks as for reads


def get(base: str, path: str, etag: str | None) -> tuple[float, int, bytes, str]:
    """(seconds, status, body, ETag) of one GET."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    headers = {"If-None-Match": etag} if etag else {}
    try:
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return time.perf_counter() - start, response.status, body, response.getheader("ETag", "")
    finally:
        connection.close()


def measure(server: Server, path: str, etag: str | None, requests: int) -> dict[str, Any]:
    for _ in range(3):  # warm
        get(server.url, path, etag)
    times, statuses, sizes = [], set(), set()
    cpu_before = server.cpu_seconds()
    for _ in range(requests):
        spent, status, body, _ = get(server.url, path, etag)
        times.append(spent * 1e3)
        statuses.add(status)
        sizes.add(len(body))
    cpu = server.cpu_seconds() - cpu_before
    return {
        "status": sorted(statuses),
        "body_bytes": max(sizes),
        "ms": {
            "p50": round(statistics.median(times), 2),
            "p90": round(percentile(times, 0.9), 2),
        },
        "server_cpu_ms": round(cpu / requests * 1e3, 3),
    }


def thread_figures(server: Server, key: str, requests: int) -> dict[str, Any]:
    read = f"/api/v1/comments?thread={quote(key)}&per_page={PER_PAGE}"
    _, _, body, _ = get(server.url, read, None)
    check = f"{read}&since={quote(json.loads(body)['since'])}"
    _, status, _, etag = get(server.url, check, None)
    if status != 200 or not etag:
        raise RuntimeError(f"GET {check} answered {status} with ETag {etag!r}")
    return {
        "unchanged_304": measure(server, check, etag, requests),
        "unchanged_200": measure(server, check, None, requests),
        "first_page": measure(server, read, None, requests),
    }


def main() -> None:
    args = arguments(__doc__, port=0).parse_args()  # 0: any free port
    sizes = [20, 200] if args.quick else [100, 1000]
    requests = 20 if args.quick else 300
    texts, source = comment_texts(max(sizes))
    load_before = load_average()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        folder = Path(tmp)
        for engine in engines(args.engines):
            with database(engine, folder, "live") as url:
                stacks.prepare_ours(url, folder)
                seed_ours(url, sizes, texts)
                with stacks.ours(url, folder, port=args.port or None) as server:
                    log(f"{engine}: checks")
                    results[engine] = {
                        str(n): thread_figures(server, f"/read/{n}", requests) for n in sizes
                    }
    emit(
        "live_checks",
        {
            "benchmark": "live_checks_http",
            "quick": args.quick,
            "setup": {
                "server": "gunicorn, 2 sync workers, loopback; one sequential client",
                "check": f"GET /api/v1/comments?since=...&per_page={PER_PAGE}",
                "bodies": source,
            },
            "results": results,
            "load_average_before": load_before,
            "load_average_after": load_average(),
        },
    )


if __name__ == "__main__":
    main()
