"""Comment submission over HTTP: ours against a bare Flask insert and against Isso, one run.

For each engine (SQLite, PostgreSQL), each server gets a fresh database and gunicorn with 2 sync
workers on loopback, then wrk (one thread, 4 connections, bench/wrk.lua) POSTs what the widget
sends: a form token fetched per thread and aged past the site's minimum, the blog's Origin (which
the site allows), a fresh idempotency key and author per request, bodies from the corpora (80%
clean, 10% toxic, 10% spam). The servers of an engine run side by side and take turns: after a
warm-up, each gets a quarter of its 20 s per round, in an order that rotates, so drifting load
from the machine's neighbours falls on all of them alike. Reported per server: requests/s, the
median round's p50/p99 latency, non-2xx answers, and server CPU per request (gunicorn master
and workers, from /proc, around each burst; on PostgreSQL also its backends serving the
database), pooled over the rounds and round by round, with each round's ratios beside the
targets. Isso runs on SQLite only.

Targets: our CPU per comment <= 1.6 x the bare insert's; our throughput >= 2 x Isso's.

    python bench/bench_submission.py [--quick] [--engines sqlite,postgresql] [--no-isso]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Contender:
    """A running server and what to post to it."""

    name: str
    server: Server
    url: str  # its database ("" for Isso's own file)
    bodies: Path
    origin: str


def burst(contender: Contender, seconds: float, prefix: str) -> dict[str, Any]:
    """One bounded wrk run with the server's (and its PostgreSQL backends') CPU around it."""
    url = contender.url
    backends = postgres_backend_pids(url) if url.startswith("postgresql") else []
    server_before, db_before = contender.server.cpu_seconds(), cpu_seconds(backends)
    result = wrk(
        contender.server.url + "/api/v1/comments",
        seconds=seconds,
        connections=CONNECTIONS,
        bodies=contender.bodies,
        headers=[f"Origin: {contender.origin}"],
        prefix=prefix,
    )
    result["server_cpu_s"] = contender.server.cpu_seconds() - server_before
    result["postgres_cpu_s"] = cpu_seconds(backends) - db_before if backends else None
    return result


def pooled(bursts: list[dict[str, Any]]) -> dict[str, Any]:
    """A server's rounds as one run: totals, CPU per request over all of them, the median
    round's latency percentiles, and each round's own req/s and CPU."""
    requests = sum(b["requests"] for b in bursts)
    seconds = sum(b["seconds"] for b in bursts)
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for b in bursts:
        statuses.update(b["statuses"])
        errors.update(b["socket_errors"])
    figures: dict[str, Any] = {
        "requests": requests,
        "seconds": round(seconds, 3),
        "requests_per_s": round(requests / seconds, 1),
        "latency_ms": {
            q: round(statistics.median(b["latency_ms"][q] for b in bursts), 3)
            for q in bursts[0]["latency_ms"]
        },
        "statuses": dict(statuses),
        "non_2xx": sum(b["non_2xx"] for b in bursts),
        "socket_errors": dict(errors),
        "server_cpu_ms_per_request": _per_request(sum(b["server_cpu_s"] for b in bursts), requests),
        "rounds": [
            {
                "requests_per_s": b["requests_per_s"],
                "server_cpu_ms_per_request": _per_request(b["server_cpu_s"], b["requests"]),
            }
            for b in bursts
        ],
    }
    if bursts[0]["postgres_cpu_s"] is not None:
        db_cpu = sum(b["postgres_cpu_s"] for b in bursts)
        figures["postgres_cpu_ms_per_request"] = _per_request(db_cpu, requests)
    return figures


def _per_request(cpu_seconds: float, requests: int) -> float:
    return round(cpu_seconds / max(1, requests) * 1e3, 3)


def interleaved(
    contenders: list[Contender], seconds: float, warm: float, rounds: int
) -> dict[str, dict[str, Any]]:
    """Warm each server up, then give each ``seconds / rounds`` per round, the order rotating:
    on a shared machine the load of the neighbours drifts over minutes, and servers measured
    one after the other would each meet a different drift."""
    for contender in contenders:
        log(f"warming up {contender.name}")
        burst(contender, warm, "warm")
    bursts: dict[str, list[dict[str, Any]]] = {c.name: [] for c in contenders}
    for r in range(rounds):
        shift = r % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            log(f"round {r + 1}/{rounds}: {contender.name}")
            bursts[contender.name].append(burst(contender, seconds / rounds, f"run{r}"))
    return {name: pooled(runs) for name, runs in bursts.items()}


def run_engine(engine: str, texts: list[str], args: Any, folder: Path) -> dict[str, Any]:
    seconds, warm, rounds = (4.0, 1.0, 2) if args.quick else (20.0, 5.0, 4)
    with ExitStack() as stack:
        ours_url = stack.enter_context(database(engine, folder, "ours"))
        stacks.prepare_ours(ours_url, folder)
        ours = stack.enter_context(stacks.ours(ours_url, folder))
        tokens = stacks.form_tokens(ours, [thread_key(i) for i in range(THREADS)])
        write_templates(folder / "ours.txt", texts, tokens)
        bare_url = stack.enter_context(database(engine, folder, "bare"))
        stacks.migrate(bare_url, folder)
        write_templates(folder / "bare.txt", texts, None)
        bare = stack.enter_context(stacks.bare(bare_url, folder))
        contenders = [
            Contender("ours", ours, ours_url, folder / "ours.txt", stacks.ORIGIN),
            Contender("bare", bare, bare_url, folder / "bare.txt", stacks.ORIGIN),
        ]
        if engine == "sqlite" and not args.no_isso:
            write_isso_templates(folder / "isso.txt", texts)
            isso = stack.enter_context(stacks.isso(folder))
            contenders.append(Contender("isso", isso, "", folder / "isso.txt", isso.url))
        log(f"{engine}: {', '.join(c.name for c in contenders)}, {rounds} rounds")
        figures = interleaved(contenders, seconds, warm, rounds)
        figures["ours"].update(_db_figures(ours_url))
    return figures


def targets(by_engine: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    isso = by_engine.get("sqlite", {}).get("isso")
    for engine, figures in by_engine.items():
        ours = figures["ours"]
        for name in ("bare", "isso"):
            failed = figures[name]["non_2xx"] if name in figures else 0
            if failed:
                # The baselines must store what they were sent, or the ratios compare nothing.
                raise SystemExit(f"{name} on {engine} answered {failed} requests with non-2xx")
        ratio = ours["server_cpu_ms_per_request"] / max(
            1e-9, figures["bare"]["server_cpu_ms_per_request"]
        )
        out[f"{engine}_cpu_vs_bare"] = {
            **target(round(ratio, 2), CPU_RATIO_TARGET),
            "per_round": _round_ratios(ours, figures["bare"], "server_cpu_ms_per_request"),
        }
        if isso:
            speedup = ours["requests_per_s"] / max(1e-9, isso["requests_per_s"])
            out[f"{engine}_throughput_vs_isso_sqlite"] = {
                **target(round(speedup, 2), ISSO_THROUGHPUT_TARGET, at_least=True),
                # Isso runs on SQLite only: its rounds pair with this engine's only on SQLite.
                "per_round": _round_ratios(ours, isso, "requests_per_s")
                if engine == "sqlite"
                else None,
            }
        out[f"{engine}_all_2xx"] = target(ours["non_2xx"], 0)
    return out


def _round_ratios(ours: dict[str, Any], other: dict[str, Any], figure: str) -> list[float]:
    """Ours over the other server, round by round (the spread shows the machine's noise)."""
    return [
        round(a[figure] / max(1e-9, b[figure]), 2)
        for a, b in zip(ours["rounds"], other["rounds"], strict=True)
    ]


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
