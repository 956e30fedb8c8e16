"""Several instances of the service, as production runs them: gunicorn, one database, one Redis.

Each instance is its own gunicorn master with its own workers and port; its access log names
the worker (pid) that served each request, so a test can show that requests were spread.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.servers import REPO, free_port, wait_until_healthy

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
#: Generous: two cores shared by several test runs, and a first request loads the model.
REQUEST_TIMEOUT = 120
STOP_TIMEOUT = 30
_ACCESS_FORMAT = "%(p)s %(m)s %(U)s %(s)s"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass(frozen=True)
class Instance:
    url: str
    access_log: Path

    def request(
        self,
        path: str,
        payload: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """GET, or POST ``payload`` as JSON; error statuses are answers, not exceptions."""
        data = json.dumps(payload).encode() if payload is not None else None
        sent = {"Content-Type": "application/json", **(headers or {})}
        request = urllib.request.Request(self.url + path, data=data, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                return Answer(response.status, dict(response.headers), json.load(response))
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, dict(error.headers), json.load(error))

    def workers_that_served(self, method: str, path: str) -> set[str]:
        """The pids of the workers that answered ``method path`` so far."""
        lines = (line.split(" ") for line in self.access_log.read_text().splitlines())
        # A line still being written is shorter; the next call reads it whole.
        return {fields[0] for fields in lines if len(fields) == 4 and fields[1:3] == [method, path]}


@contextmanager
def gunicorn_instance(
    database_url: str, workdir: Path, env: dict[str, str], *, workers: int = 2
) -> Iterator[Instance]:
    """Serve an already-migrated database from ``workdir`` with ``env`` on top of the test
    defaults; stops the server after."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    access_log, log = workdir / "access.log", workdir / "gunicorn.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-of-the-test-suite-only",
        "MODEL_SIGNING_KEY": "test-signing-key-of-the-test-suite-only",
        "MODEL_STORE": str(workdir / "models"),
        **env,
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"),
        *("--workers", str(workers), "--timeout", "120", "--log-level", "warning"),
        *("--access-logfile", str(access_log), "--access-logformat", _ACCESS_FORMAT),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=output, stderr=output)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process, log)
        yield Instance(f"http://127.0.0.1:{port}", access_log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of the caller's own, so parallel runs never share counts; cleaned up."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL} is needed ({error}); .ci/run starts it")
    prefix = f"comments-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*", count=500):
            client.delete(key)
        client.close()
