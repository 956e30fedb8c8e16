"""Comment submission over HTTP: ours against a bare Flask insert and against Isso, one run.

For each engine (SQLite, PostgreSQL), each server gets a fresh database and gunicorn with 2 sync
workers on loopback, then wrk (one thread, 4 connections, bench/wrk.lua) POSTs what the widget
sends: a form token fetched per thread and aged past the site's minimum, the blog's Origin (which
the site allows), a fresh idempotency key and author per request, bodies from the corpora (80%
clean, 10% toxic, 10% spam). Reported per server: requests/s, p50/p99 latency, non-2xx answers,
and server CPU per request (gunicorn master and workers, from /proc, before and after; on
PostgreSQL also its backends serving the database). Isso runs on SQLite only.

Targets: our CPU per comment <= 1.6 x the bare insert's; our throughput >= 2 x Isso's.

    python bench/bench_submission.py [--quick] [--engines sqlite,postgresql] [--no-isso]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stacks
from harness import (
    Server,
    arguments,
    cpu_seconds,
    database,
    driver_url,
    emit,
    engines,
    load_average,
    log,
    postgres_backend_pids,
    target,
    wrk,
)
from texts import comment_texts

CONNECTIONS = 4
THREADS = 50
TEMPLATES = 1000
CPU_RATIO_TARGET = 1.6
ISSO_THROUGHPUT_TARGET = 2.0


def thread_key(i: int) -> str:
    return f"/bench/post-{i}"


def write_templates(path: Path, texts: list[str], tokens: dict[str, str] | None) -> None:
    """One request a line; ``@N@`` becomes unique per request (keys, names, e-mails)."""
    lines = []
    for i, text in enumerate(texts):
        key = thread_key(i % THREADS)
        payload = {
            "site": "default",
            "thread": key,
            "thread_title": f"Post {i % THREADS}",
            "thread_url": stacks.ORIGIN + key,
            "parent_id": None,
            "author_name": "Reader @N@",
            "author_email": "reader-@N@@example.org",
            "author_url": "",
            "body": text,
            "form_token": (tokens or {}).get(key, ""),
            "honeypot": "",
            "idempotency_key": "bench-@N@",
        }
        lines.append(json.dumps(payload))
    path.write_text("\n".join(lines) + "\n")


def write_isso_templates(path: Path, texts: list[str]) -> None:
    """The same comments in Isso's shape: POST /new?uri=KEY with text, author, e-mail, title."""
    from urllib.parse import quote

    lines = []
    for i, text in enumerate(texts):
        key = thread_key(i % THREADS)
        payload = {
            "text": text,
            "author": "Reader @N@",
            "email": "reader-@N@@example.org",
            "website": None,
            "title": f"Post {i % THREADS}",
        }
        lines.append(f"/new?uri={quote(key, safe='')}\t{json.dumps(payload)}")
    path.write_text("\n".join(lines) + "\n")


def _db_figures(url: str) -> dict[str, dict[str, int]]:
    """Comments by status and signals by name, to show what the requests turned into."""
    from sqlalchemy import create_engine, text

    engine = create_engine(driver_url(url))
    try:
        with engine.connect() as connection:
            statuses = connection.execute(
                text("SELECT status, count(*) FROM comments GROUP BY status")
            ).all()
            try:
                signals = connection.execute(
                    text("SELECT name, count(*) FROM comment_signals GROUP BY name")
                ).all()
            except Exception:
                signals = []
    finally:
        engine.dispose()
    return {
        "comments_by_status": {str(k): int(v) for k, v in statuses},
        "signals_by_name": {str(k): int(v) for k, v in signals},
    }


def measure(
    server: Server, url: str, bodies: Path, seconds: float, warm: float, origin: str
) -> dict[str, Any]:
    """Warm up, then one bounded wrk run with CPU read from /proc around it."""
    headers = [f"Origin: {origin}"]
    wrk(server.url + "/api/v1/comments", seconds=warm, connections=CONNECTIONS, bodies=bodies,
        headers=headers, prefix="warm")  # fmt: skip
    backends = postgres_backend_pids(url) if url.startswith("postgresql") else []
    server_before, db_before = server.cpu_seconds(), cpu_seconds(backends)
    result = wrk(
        server.url + "/api/v1/comments",
        seconds=seconds,
        connections=CONNECTIONS,
        bodies=bodies,
        headers=headers,
        prefix="run",
    )
    server_cpu = server.cpu_seconds() - server_before
    requests = max(1, result["requests"])
    result["server_cpu_ms_per_request"] = round(server_cpu / requests * 1e3, 3)
    if backends:
        db_cpu = cpu_seconds(backends) - db_before
        result["postgres_cpu_ms_per_request"] = round(db_cpu / requests * 1e3, 3)
    return result


def run_engine(engine: str, texts: list[str], args: Any, folder: Path) -> dict[str, Any]:
    seconds, warm = (3.0, 1.0) if args.quick else (20.0, 5.0)
    figures: dict[str, Any] = {}
    with database(engine, folder, "ours") as url:
        stacks.prepare_ours(url, folder)
        with stacks.ours(url, folder) as server:
            tokens = stacks.form_tokens(server, [thread_key(i) for i in range(THREADS)])
            write_templates(folder / "ours.txt", texts, tokens)
            log(f"{engine}: ours")
            bodies = folder / "ours.txt"
            figures["ours"] = measure(server, url, bodies, seconds, warm, stacks.ORIGIN)
        figures["ours"].update(_db_figures(url))
    with database(engine, folder, "bare") as url:
        stacks.migrate(url, folder)
        write_templates(folder / "bare.txt", texts, None)
        with stacks.bare(url, folder) as server:
            log(f"{engine}: bare insert")
            bodies = folder / "bare.txt"
            figures["bare"] = measure(server, url, bodies, seconds, warm, stacks.ORIGIN)
    if engine == "sqlite" and not args.no_isso:
        write_isso_templates(folder / "isso.txt", texts)
        with stacks.isso(folder) as server:
            log(f"{engine}: isso")
            origin = server.url
            figures["isso"] = measure(server, "", folder / "isso.txt", seconds, warm, origin)
    return figures


def targets(by_engine: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    isso = by_engine.get("sqlite", {}).get("isso")
    for engine, figures in by_engine.items():
        ours = figures["ours"]
        ratio = ours["server_cpu_ms_per_request"] / max(
            1e-9, figures["bare"]["server_cpu_ms_per_request"]
        )
        out[f"{engine}_cpu_vs_bare"] = target(round(ratio, 2), CPU_RATIO_TARGET)
        if isso:
            speedup = ours["requests_per_s"] / max(1e-9, isso["requests_per_s"])
            out[f"{engine}_throughput_vs_isso_sqlite"] = target(
                round(speedup, 2), ISSO_THROUGHPUT_TARGET, at_least=True
            )
        out[f"{engine}_all_2xx"] = target(ours["non_2xx"], 0)
    return out


def main() -> None:
    args = arguments(__doc__).parse_args()
    chosen = engines(args.engines)
    load_before = load_average()
    texts, source = comment_texts(TEMPLATES)
    by_engine: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-submission-") as tmp:
        for engine in chosen:
            by_engine[engine] = run_engine(engine, texts, args, Path(tmp))
    emit(
        "submission",
        {
            "benchmark": "submission_http",
            "quick": args.quick,
            "setup": {
                "server": "gunicorn, 2 sync workers, loopback",
                "load": f"wrk, 1 thread, {CONNECTIONS} connections, bench/wrk.lua",
                "bodies": source,
                "threads": THREADS,
                "rate_limits": "off (RATELIMIT_ENABLED=0)",
                "isso": None if args.no_isso else stacks.ISSO_SETUP,
            },
            "engines": by_engine,
            "targets": targets(by_engine),
            "load_average_before": load_before,
            "load_average_after": load_average(),
        },
    )


if __name__ == "__main__":
    main()
