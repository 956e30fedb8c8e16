"""The database goes away and comes back: 503 with Retry-After meanwhile, never a 500.

Outages are real, on the engine under test: on PostgreSQL a TCP proxy between gunicorn and the
(shared) server cuts the network, or breaks one connection at a chosen step of a request; on
SQLite the database file becomes unreachable, or another process holds the write lock. The
whole-outage tests run with the rate limits of production, counted in Redis: the posts answered
503 must not use up the poster's limit, or the retry after the outage meets 429.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from comments.errors import RETRY_AFTER_DB_DOWN
from tests.comments.conftest import NICE, StaffToken
from tests.comments.test_reliability_load import stored_comments
from tests.conftest import SERVER_URL
from tests.instances import REDIS_URL, redis_prefix
from tests.outages import on_a_volume
from tests.servers import GunicornServer, Reply, TcpProxy, fetch, serve, wait_for

postgres_only = pytest.mark.skipif(not SERVER_URL, reason="PostgreSQL only (TEST_DATABASE_URL)")
sqlite_only = pytest.mark.skipif(bool(SERVER_URL), reason="SQLite only")

RECOVERY_TIMEOUT = 60.0
RETRIED_KEY = "posted-during-the-outage"
#: Enough of each request that both gunicorn workers answer some of them.
REQUESTS_PER_ENDPOINT = 4


def comment(body: str, key: str | None = None) -> dict[str, str]:
    return {"thread": "/outage", "body": body, "idempotency_key": key or str(uuid.uuid4())}


def read_thread(server: GunicornServer) -> Reply:
    reply = fetch(f"{server.url}/api/v1/comments?thread=/outage")
    assert reply.status == 200 and "comments" in reply.body, reply
    return reply


def assert_unavailable(reply: Reply) -> None:
    """What the widget needs to tell a reader to retry: 503, Retry-After and the error shape."""
    assert reply.status == 503, reply
    # As /healthz says: the database is retried in seconds, whatever a rate limit's window.
    assert reply.headers["Retry-After"] == str(RETRY_AFTER_DB_DOWN), reply
    assert reply.body["code"] == 503 and reply.body["status"] == "Service Unavailable", reply


def assert_every_endpoint_unavailable(server: GunicornServer, staff: dict[str, str]) -> None:
    for n in range(REQUESTS_PER_ENDPOINT):
        assert_unavailable(fetch(f"{server.url}/api/v1/comments?thread=/outage"))
        assert_unavailable(fetch(f"{server.url}/api/v1/form-token?thread=/outage"))
        assert_unavailable(fetch(f"{server.url}/api/v1/comments", comment(f"{NICE} ({n})")))
        assert_unavailable(fetch(f"{server.url}/api/v1/moderation/queue", headers=staff))
        health = fetch(f"{server.url}/healthz")
        assert health.status == 503 and int(health.headers["Retry-After"]) > 0
        assert health.body["database"]["ok"] is False and "model" in health.body, health


def assert_recovers(server: GunicornServer, workers: set[int]) -> None:
    """Back without a restart: the same workers answer again, the retried comment is stored."""
    wait_for(lambda: fetch(f"{server.url}/healthz").status == 200, RECOVERY_TIMEOUT, "healthz 200")
    retried = comment("Posted during the outage, retried after it.", RETRIED_KEY)
    replies = [
        fetch(f"{server.url}/api/v1/comments", retried) for _ in range(REQUESTS_PER_ENDPOINT)
    ]
    assert [reply.status for reply in replies] == [201] + [200] * (REQUESTS_PER_ENDPOINT - 1)
    assert len({reply.body["id"] for reply in replies}) == 1
    read_thread(server)
    assert server.worker_pids() == workers


def assert_retry_refused_during_outage(server: GunicornServer) -> None:
    assert_unavailable(fetch(f"{server.url}/api/v1/comments", comment("x", RETRIED_KEY)))


@pytest.fixture
def staff(staff_headers: StaffToken) -> dict[str, str]:
    """A moderator's token, made before the outage: staff reads must fail as cleanly."""
    return staff_headers("moderator")


@pytest.fixture
def db_url(db_url: str, tmp_path: Path) -> str:
    """On SQLite, the database alone in a directory, which a test can take away like a volume."""
    if SERVER_URL:
        return db_url
    return on_a_volume(db_url, tmp_path / "volume")


@pytest.fixture
def limits_on() -> Iterator[dict[str, str]]:
    """Production's limits (6 posts a minute per client), shared by the workers in Redis."""
    with redis_prefix() as prefix:
        yield {"RATELIMIT_ENABLED": "1", "REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix}


@sqlite_only
def test_sqlite_file_out_of_reach_answers_503_then_recovers(
    db_url: str, tmp_path: Path, staff: dict[str, str], limits_on: dict[str, str]
) -> None:
    with serve(db_url, tmp_path / "gunicorn.log", env=limits_on) as server:
        assert fetch(f"{server.url}/api/v1/comments", comment("Before the outage.")).status == 201

        volume = tmp_path / "volume"
        volume.rename(tmp_path / "unmounted")
        volume.write_text("not a directory: opening the database fails")
        # Workers restarted meanwhile (a deploy, a crash) must open the database anew.
        server.wait_for_workers(replacing=server.kill_workers())
        workers = server.worker_pids()
        assert_every_endpoint_unavailable(server, staff)
        assert_retry_refused_during_outage(server)

        volume.unlink()
        (tmp_path / "unmounted").rename(volume)
        assert_recovers(server, workers)
    assert sorted(body for body, _, _ in stored_comments(db_url).values()) == [
        "Before the outage.",
        "Posted during the outage, retried after it.",
    ]


@sqlite_only
def test_sqlite_write_lock_held_past_the_busy_timeout_answers_503_to_writes_only(
    app: Flask, db_url: str
) -> None:
    """A maintenance job holding the write lock: posts wait 5 s, then 503; reads go on (WAL)."""
    client = app.test_client()
    assert client.post("/api/v1/comments", json=comment("Before the lock.")).status_code == 201
    holder = sqlite3.connect(make_url(db_url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = client.post("/api/v1/comments", json=comment("While locked.", "locked-key"))
        assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
        assert client.get("/api/v1/comments?thread=/outage").status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    response = client.post("/api/v1/comments", json=comment("While locked.", "locked-key"))
    assert response.status_code == 201


@pytest.fixture
def proxy(db_url: str) -> Iterator[TcpProxy]:
    """The network between the app and the PostgreSQL server, for this test's database only."""
    url = make_url(db_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


def through(proxy: TcpProxy, db_url: str) -> str:
    return make_url(db_url).set(port=proxy.port).render_as_string(hide_password=False)


@postgres_only
def test_postgres_network_cut_answers_503_then_recovers(
    db_url: str, tmp_path: Path, proxy: TcpProxy, staff: dict[str, str], limits_on: dict[str, str]
) -> None:
    # Every request re-reads the model choice, so /healthz also meets the outage there.
    env = {"MODEL_REFRESH_SECONDS": "0", **limits_on}
    with serve(through(proxy, db_url), tmp_path / "gunicorn.log", env=env) as server:
        assert fetch(f"{server.url}/api/v1/comments", comment("Before the outage.")).status == 201
        workers = server.worker_pids()
        proxy.cut()
        assert_every_endpoint_unavailable(server, staff)
        assert_retry_refused_during_outage(server)
        proxy.restore()
        assert_recovers(server, workers)
    assert sorted(body for body, _, _ in stored_comments(db_url).values()) == [
        "Before the outage.",
        "Posted during the outage, retried after it.",
    ]


@dataclass(frozen=True, slots=True)
class Fault:
    """A connection that breaks when the app sends ``marker``.

    Before the server gets the message, or after the server answered it (the answer is lost);
    ``stored``: whether the comment is stored even so. Fault names are lower case, so that the
    comments' bodies, which carry them, never contain a marker.
    """

    name: str
    marker: bytes
    after_answer: bool
    stored: bool


FAULTS = (
    Fault("while inserting", b"INSERT INTO comments", after_answer=False, stored=False),
    Fault("commit never arrives", b"COMMIT", after_answer=False, stored=False),
    Fault("commit answer lost", b"COMMIT", after_answer=True, stored=True),
)


def break_connections(
    server: GunicornServer, proxy: TcpProxy, db_url: str, *, origin: bool
) -> list[tuple[str, int, bool, int]]:
    """Each fault in turn: (fault, status answered, stored meanwhile, status of the retry)."""
    headers = {"Origin": server.url} if origin else {}  # the widget on the service's own page
    outcomes = []
    for fault in FAULTS:
        payload = comment(f"Connection broken ({fault.name}).")
        proxy.fail_on(fault.marker, after_answer=fault.after_answer)
        reply = fetch(f"{server.url}/api/v1/comments", payload, headers=headers)
        assert proxy.fault_done.wait(RECOVERY_TIMEOUT), f"{fault.marker!r} was never sent"
        if reply.status == 503:
            assert int(reply.headers["Retry-After"]) > 0
        keys = {key for _, key, _ in stored_comments(db_url).values()}
        retry = fetch(f"{server.url}/api/v1/comments", payload, headers=headers)
        outcomes.append(
            (fault.name, reply.status, payload["idempotency_key"] in keys, retry.status)
        )
    return outcomes


@postgres_only
def test_postgres_connection_lost_mid_request_gives_503_and_the_retry_stores_once(
    db_url: str, tmp_path: Path, proxy: TcpProxy
) -> None:
    with serve(through(proxy, db_url), tmp_path / "gunicorn.log", workers=1) as server:
        assert fetch(f"{server.url}/api/v1/comments", comment("Already there.")).status == 201
        outcomes = break_connections(server, proxy, db_url, origin=False)
        # A read whose connection dies before its transaction ends still got its answer.
        proxy.fail_on(b"ROLLBACK")
        read = fetch(f"{server.url}/api/v1/comments?thread=/outage")
        assert proxy.fault_done.wait(RECOVERY_TIMEOUT)
        log = server.log()
    assert read.status == 200 and "comments" in read.body, (read, log)
    # The retry, with the same key, stores the comment that was not stored, and answers with
    # the one that was.
    assert outcomes == [
        (fault.name, 503, fault.stored, 200 if fault.stored else 201) for fault in FAULTS
    ], log
    bodies = [body for body, _, _ in stored_comments(db_url).values()]
    assert sorted(bodies) == sorted(
        ["Already there."] + [f"Connection broken ({fault.name})." for fault in FAULTS]
    )


@postgres_only
def test_postgres_connection_lost_mid_request_gives_503_to_a_cross_origin_widget(
    db_url: str, tmp_path: Path, proxy: TcpProxy
) -> None:
    with serve(through(proxy, db_url), tmp_path / "gunicorn.log", workers=1) as server:
        outcomes = break_connections(server, proxy, db_url, origin=True)
        log = server.log()
    assert [status for _, status, _, _ in outcomes] == [503] * len(FAULTS), log
