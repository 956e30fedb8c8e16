"""The benches' own database writers keep up with the schema: the bare insert that the
submission's CPU is compared with, and the seeding of the queue bench. Both write the service's
tables directly, so a migration that adds a required column broke them without a failing test
(0021's threads.last_comment_at did, and the bench compared us with 500s)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_BARE_POSTS = """
import json
from bench.bare_app import app, engine
from sqlalchemy import text

client = app.test_client()
answers = []
for i, thread in enumerate(["/new-page", "/new-page", "/other"]):
    body = {"thread": thread, "body": f"Comment {i}", "author_name": "Ann"}
    answers.append(client.post("/api/v1/comments", json=body).status_code)
with engine.connect() as connection:
    threads = connection.execute(
        text("SELECT key, last_comment_at, (SELECT max(created_at) FROM comments"
             " WHERE thread_id = threads.id) FROM threads ORDER BY key")
    ).all()
print(json.dumps({"answers": answers, "threads": [[str(c) for c in row] for row in threads]}))
"""

_SEED = """
import json, sys
sys.path.insert(0, "bench")
from seed import seed

print(json.dumps(seed(sys.argv[1], 2000)["by_status"]))
"""


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> object:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_the_bare_insert_stores_every_comment_as_the_schema_requires(db_url: str) -> None:
    result = _run(_BARE_POSTS, env={"DATABASE_URL": db_url})
    assert isinstance(result, dict)
    assert result["answers"] == [201, 201, 201]
    # Each thread's last_comment_at is its newest comment's time, as the service keeps it.
    assert [key for key, *_ in result["threads"]] == ["/new-page", "/other"]
    for _key, last_comment_at, newest in result["threads"]:
        assert last_comment_at == newest


def test_the_queue_bench_seeds_a_migrated_database(db_url: str) -> None:
    by_status = _run(_SEED, db_url)
    assert by_status == {"published": 1600, "pending": 100, "spam": 240, "rejected": 60}
