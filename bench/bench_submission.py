"""CPU and wall time to validate, score, decide and store one comment, in-process.

Prints JSON. Runs the real app on a fresh, migrated SQLite file with the shipped model;
rate limits are off. The reference point is Isso's ~4 ms of CPU to store one unscored comment.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import flask_migrate

from comments import create_app

BODIES = [
    "Thanks for the clear summary, the point about the alliance's history was new to me.",
    "I doubt the troop numbers are right; the source isn't named anywhere in the article.",
    "You are a complete idiot if you believe any of this, shut up.",
    "Check out my channel http://spam.example/sub for free gift cards!!! subscribe now",
    "Interesting read. Does anyone know how this compares with the 1961 treaty?",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(count: int = 600) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}
        )
        with app.app_context():
            flask_migrate.upgrade()
        client = app.test_client()
        model = app.extensions["model_provider"].get()
        client.get("/healthz")
        cpu: list[float] = []
        wall: list[float] = []
        statuses: dict[str, int] = {}
        for n in range(count):
            payload = {
                "thread": f"/post/{n % 20}",
                "author_name": f"Reader {n}",
                "author_email": f"reader{n}@example.org",
                "body": f"{BODIES[n % len(BODIES)]} ({n})",
            }
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            response = client.post("/api/v1/comments", json=payload)
            cpu.append(time.process_time() - cpu_start)
            wall.append(time.perf_counter() - wall_start)
            status = response.get_json()["status"]
            statuses[status] = statuses.get(status, 0) + 1
        texts = [f"{BODIES[n % len(BODIES)]} ({n})" for n in range(2000)]
        start = time.perf_counter()
        for text in texts:
            model.score(text)
        score_ms = (time.perf_counter() - start) / len(texts) * 1000
        warm = slice(count // 10, None)  # the first requests pay for imports and caches
        result = {
            "benchmark": "submission_in_process_sqlite",
            "requests": count,
            "statuses": statuses,
            "cpu_ms_per_submission_mean": round(statistics.mean(cpu[warm]) * 1000, 3),
            "wall_ms_p50": round(percentile(wall[warm], 0.5) * 1000, 3),
            "wall_ms_p99": round(percentile(wall[warm], 0.99) * 1000, 3),
            "score_one_comment_ms": round(score_ms, 4),
            "isso_reference_cpu_ms_unscored": 4.0,
            "model_version": model.version,
            "python": sys.version.split()[0],
        }
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
