"""Start the real stack (gunicorn serving wsgi:app) on a free loopback port for a test.

Besides serving, the helpers here break things the way production breaks them: gunicorn workers
(or the whole server) killed with SIGKILL, and a TCP proxy that cuts the network between the app
and its database server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def children(pid: int) -> set[int]:
    """The child processes of ``pid`` (gunicorn's workers), zombies included until reaped."""
    found: set[int] = set()
    with suppress(FileNotFoundError, ProcessLookupError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with suppress(FileNotFoundError, ProcessLookupError):
                found.update(int(child) for child in (task / "children").read_text().split())
    return found


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    #: The JSON object answered; a bare error page (not JSON) is kept under "text".
    body: dict[str, Any]


def fetch(url: str, payload: Any = None, *, headers: dict[str, str] | None = None) -> Reply:
    """POST ``payload`` as JSON (GET without one). Any HTTP status is a reply; a connection
    that fails or drops raises OSError or http.client.HTTPException."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return Reply(response.status, dict(response.headers), _json_object(response.read()))
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, dict(error.headers), _json_object(error.read()))


def _json_object(blob: bytes) -> dict[str, Any]:
    try:
        value = json.loads(blob)
    except ValueError:
        value = None
    return value if isinstance(value, dict) else {"text": blob[:500].decode(errors="replace")}


class GunicornServer:
    """gunicorn serving wsgi:app with ``workers`` processes, which a test may kill and restart.

    The server runs in its own session, so that a "crash" kills the master and every worker at
    once, and a restart binds the same port again (clients keep their URL).
    """

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        *,
        workers: int = 2,
        threads: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log_path = log_path
        # Served as in production whatever the developer's shell says (no FLASK_DEBUG).
        inherited = {name: value for name, value in os.environ.items() if name != "FLASK_DEBUG"}
        self.environment = {
            **inherited,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-of-the-test-suite-only",
            "MODEL_SIGNING_KEY": "test-signing-key-of-the-test-suite-only",
            "MODEL_STORE": str(log_path.parent / "models"),
            "RATELIMIT_ENABLED": "0",
            **(env or {}),
        }
        self.command = [
            *(sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{self.port}"),
            *("--workers", str(workers), "--threads", str(threads), "--log-level", "warning"),
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, require_healthy: bool = True) -> None:
        """Start and wait until /healthz answers: 200, or any answer if not ``require_healthy``."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=self.environment,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        wait_until_healthy(self.url, self.process, self.log_path, require_healthy=require_healthy)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

    def worker_pids(self) -> set[int]:
        return children(self.process.pid) if self.process else set()

    def kill_workers(self) -> set[int]:
        """SIGKILL every worker mid-whatever-it-does; the master forks replacements."""
        killed = self.worker_pids()
        for pid in killed:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return killed

    def wait_for_workers(self, replacing: Collection[int] = (), timeout: float = 60) -> None:
        """Wait until the master runs its full count of workers, none of them in ``replacing``."""
        wait_for(
            lambda: len(self.worker_pids() - set(replacing)) >= self.workers,
            timeout,
            f"gunicorn to run {self.workers} new workers",
        )

    def crash_and_restart(self, *, require_healthy: bool = True) -> None:
        """SIGKILL the master and its workers together, then start a new server on the port."""
        assert self.process is not None
        workers = self.worker_pids()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)
        wait_for(lambda: not any(map(_running, workers)), STOP_TIMEOUT, "the workers to die")
        self.start(require_healthy=require_healthy)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphaned worker is reaped by init, whenever that happens)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@contextmanager
def serve(
    database_url: str,
    log_path: Path,
    *,
    workers: int = 2,
    threads: int = 1,
    require_healthy: bool = True,
    env: dict[str, str] | None = None,
) -> Iterator[GunicornServer]:
    """Serve an already-migrated database; yields the server, stops it after."""
    server = GunicornServer(database_url, log_path, workers=workers, threads=threads, env=env)
    try:
        server.start(require_healthy=require_healthy)
        yield server
    finally:
        server.stop()


@contextmanager
def gunicorn(
    database_url: str, log_path: Path, *, workers: int = 2, threads: int = 1, **env: str
) -> Iterator[str]:
    """Serve an already-migrated database; yields the base URL, stops the server after."""
    with serve(database_url, log_path, workers=workers, threads=threads, env=env) as server:
        yield server.url


def wait_until_healthy(
    url: str,
    process: subprocess.Popen[bytes],
    log_path: Path,
    *,
    require_healthy: bool = True,
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            if not require_healthy:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy:\n{log_path.read_text(errors='replace')}")


class TcpProxy:
    """A TCP forwarder from a loopback port to ``target``: the network between app and database.

    ``cut()`` resets every forwarded connection and refuses new ones, as a database server that
    went away would; ``restore()`` forwards again. ``fail_on(marker)`` breaks one connection at a
    chosen moment of the protocol: when the app sends a message containing ``marker`` (e.g. the
    ``COMMIT``), either before the server sees it or after the server answered it, so that the
    answer is lost. Threads, so a test needs no event loop.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = int(self._listener.getsockname()[1])
        self._links: set[_Link] = set()
        self._lock = threading.Lock()
        self._cut = False
        self._fault: tuple[bytes, bool] | None = None
        #: Set once the armed fault has broken a connection.
        self.fault_done = threading.Event()
        self._stopping = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)

    def __enter__(self) -> TcpProxy:
        self._acceptor.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self._acceptor.join(timeout=STOP_TIMEOUT)
        self._listener.close()
        self._reset_all()

    def cut(self) -> None:
        with self._lock:
            self._cut = True
        self._reset_all()

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def fail_on(self, marker: bytes, *, after_answer: bool = False) -> None:
        """Arm a one-shot fault for the next message from the app that contains ``marker``."""
        self.fault_done.clear()
        with self._lock:
            self._fault = (marker, after_answer)

    def _reset_all(self) -> None:
        with self._lock:
            links, self._links = self._links, set()
        for link in links:
            link.close()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                refused = self._cut
            try:
                if refused:
                    raise ConnectionRefusedError
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                _reset(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            link = _Link(client, upstream)
            with self._lock:
                self._links.add(link)
            threading.Thread(target=self._forward_requests, args=(link,), daemon=True).start()
            threading.Thread(target=self._forward_answers, args=(link,), daemon=True).start()

    def _armed_for(self, data: bytes) -> tuple[bytes, bool] | None:
        with self._lock:
            fault = self._fault
            if fault is None or fault[0] not in data:
                return None
            self._fault = None
            return fault

    def _forward_requests(self, link: _Link) -> None:
        try:
            while data := link.client.recv(65536):
                fault = self._armed_for(data)
                if fault is not None and not fault[1]:
                    self._drop(link, faulted=True)  # the message never reaches the server
                    return
                link.swallow_answer = fault is not None
                link.upstream.sendall(data)
        except OSError:
            pass
        self._drop(link)

    def _forward_answers(self, link: _Link) -> None:
        try:
            while data := link.upstream.recv(65536):
                if link.swallow_answer:
                    self._drop(link, faulted=True)  # the server answered; the app never hears it
                    return
                link.client.sendall(data)
        except OSError:
            pass
        self._drop(link)

    def _drop(self, link: _Link, *, faulted: bool = False) -> None:
        with self._lock:
            self._links.discard(link)
        link.close()
        if faulted:
            self.fault_done.set()


class _Link:
    """One forwarded connection: the app's socket and the one to the server."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.swallow_answer = False

    def close(self) -> None:
        _reset(self.client)
        _reset(self.upstream)


def _reset(sock: socket.socket) -> None:
    """Drop a connection at once: wake its reader, then close with a reset (SO_LINGER 0)."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
