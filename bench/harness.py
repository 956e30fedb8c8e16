"""What every HTTP benchmark here shares: servers, CPU from /proc, wrk, databases, results.

Each bench script prints one JSON object and also writes it to ``bench/results/NAME.json``, which
``bench/summary.py`` reads. The machine may be shared, so every result carries the load average
before and after, and comparisons are always between figures of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
#: Where the bench keeps what it installs for itself (Isso's venv); git-ignored.
WORK = ROOT / ".bench"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WORKERS = 2
START_TIMEOUT = 90.0
_TICKS = os.sysconf("SC_CLK_TCK")


def arguments(doc: str | None, **extra: Any) -> argparse.ArgumentParser:
    """The options every bench script takes: ``--quick`` and which engines to run on.

    Also turns SIGTERM into SystemExit, so servers and databases are cleaned up on a kill.
    """
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Small sizes: checks it works.")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="Comma-separated: sqlite, postgresql."
    )
    parser.add_argument("--no-isso", action="store_true", help="Skip Isso, the comparison.")
    for name, default in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return parser


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def target(value: float | None, limit: float, *, at_least: bool = False) -> dict[str, Any]:
    """A figure beside its target; ``met`` is None when the figure could not be measured."""
    met = None if value is None else (value >= limit if at_least else value <= limit)
    return {"value": value, "target": (">= " if at_least else "<= ") + str(limit), "met": met}


def emit(name: str, result: dict[str, Any]) -> None:
    """Print the result and keep it for the summary table."""
    text = json.dumps(result, indent=2, default=str)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(text + "\n")
    print(text)


def log(message: str) -> None:
    """Progress goes to stderr, so stdout stays one JSON object."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- CPU time from /proc ------------------------------------------------------------------------


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def process_tree(root: int) -> list[int]:
    """The process and all its descendants (gunicorn's master and workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _parent_of(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU time of these processes (exited ones count as zero)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


# -- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A gunicorn with the bench's settings (2 sync workers), stopped when the block ends."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str],
        *,
        cwd: Path = ROOT,
        health: str = "/",
        log_dir: Path,
        port: int | None = None,
    ) -> None:
        self.name = name
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        full = [
            *command,
            *("--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS)),
            *("--log-level", "warning"),
        ]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            full, cwd=cwd, env={**os.environ, **env}, stdout=self._log, stderr=self._log
        )
        self._wait(health)

    def _wait(self, health: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + health, timeout=5) as response:
                    if response.status < 500:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()[-3000:]}")

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pids())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


# -- load and timing ----------------------------------------------------------------------------


def wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    bodies: Path | None = None,
    headers: Sequence[str] = (),
    prefix: str = "",
) -> dict[str, Any]:
    """Run wrk (one thread) for a fixed time; bodies: one JSON template a line (see wrk.lua)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk, or `make bench`)")
    command = [
        *("wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"),
        *("-s", str(BENCH / "wrk.lua"), url, "--", str(bodies or "-"), prefix or "x", *headers),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            result: dict[str, Any] = json.loads(line[len("WRK_JSON ") :])
            return result
    raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def get_json(url: str, headers: Mapping[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def post_json(url: str, payload: Any, headers: Mapping[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


# -- databases ----------------------------------------------------------------------------------


def driver_url(url: str) -> str:
    """SQLAlchemy URL with psycopg 3 for PostgreSQL (as the service's config does)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


@contextmanager
def database(engine: str, folder: Path, name: str) -> Iterator[str]:
    """A fresh, empty database of this run; a PostgreSQL one is dropped afterwards."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    import psycopg

    database_name = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database_name}")
    base, _ = POSTGRES_URL.rsplit("/", 1)
    try:
        yield f"{base}/{database_name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)")


def postgres_backend_pids(url: str) -> list[int]:
    """The server processes serving connections to this database (their CPU is the DB's)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchall()
    return [int(row[0]) for row in rows]


def engines(option: str) -> list[str]:
    chosen = [name.strip() for name in option.split(",") if name.strip()]
    unknown = set(chosen) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"unknown engines: {', '.join(sorted(unknown))}")
    return chosen
