"""A webhook receiver on loopback that records what it gets, and a signature check written
from the Standard Webhooks spec, independent of the service's own signing code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flask import Flask

from comments.services.webhooks import worker

TOLERANCE_SECONDS = 5 * 60


@dataclass(frozen=True)
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body)
        return value


@dataclass
class Receiver:
    url: str
    #: Statuses to answer per path, first come first served; 200 once a list is used up.
    script: dict[str, list[int]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [request for request in self.received if request.path == path]

    def events(self, path: str = "/hook") -> list[tuple[str, int]]:
        return [(r.json["type"], r.json["data"]["id"]) for r in self.on(path)]


@contextmanager
def receiver() -> Iterator[Receiver]:
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got = box[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with got.lock:
                headers = {name.lower(): value for name, value in self.headers.items()}
                got.received.append(Received(time.monotonic(), self.path, headers, body))
                queue = got.script.get(self.path, [])
                status = queue.pop(0) if queue else 200
            answer = b"boom, " * 100 if status >= 300 else b"ok"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            if 300 <= status < 400:
                self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/ok")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def verify(secret: str, request: Received, now: float | None = None) -> bool:
    """What a receiver does: a fresh timestamp, then one v1 signature that matches the id, the
    timestamp and the raw body under the key behind ``whsec_``."""
    msg_id = request.headers["webhook-id"]
    timestamp = request.headers["webhook-timestamp"]
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{msg_id}.{timestamp}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return any(
        version == "v1" and hmac.compare_digest(signature, expected)
        for version, _, signature in (
            entry.partition(",") for entry in request.headers["webhook-signature"].split()
        )
    )


def deliver(app: Flask) -> int:
    """What `flask webhooks deliver --once` does: attempt everything due now."""
    return worker.run(app, threading.Event(), once=True)


def deliver_until(app: Flask, done: Any, timeout: float = 10.0) -> None:
    """Keep delivering (retries come due) until ``done()`` holds."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "deliveries did not finish in time"
        deliver(app)
        time.sleep(0.02)
