"""Sending due deliveries: claim, sign, POST, record; retried with backoff until 2xx or the
last attempt.

Claims are atomic, so any number of worker threads and processes can run against one
database: a claim is a lease (``locked_until``) taken in one short UPDATE (with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL), committed before any HTTP request, so no
transaction (and on SQLite no write lock) is held while a receiver answers. A worker that
dies mid-delivery leaves a lease that expires, and another worker retries the delivery.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from comments.config import retry_schedule
from comments.db import polling
from comments.models import WebhookDelivery, WebhookEndpoint
from comments.services.webhooks import signing
from comments.services.webhooks.connections import PublicOnlyClient
from comments.services.webhooks.endpoints import masked_url
from comments.services.webhooks.events import subscriptions
from comments.services.webhooks.targets import non_public_target

log = logging.getLogger(__name__)

USER_AGENT = "comments-webhooks/1"
#: Each retry waits its scheduled delay plus up to this fraction more, so endpoints that failed
#: together are not retried in one burst; never less than the schedule says.
JITTER = 0.2
#: A claim outlives the slowest possible batch by this much before another worker may retry.
LEASE_MARGIN_SECONDS = 30.0
_ERROR_CHARS = 500
#: Results are sent already: a busy database (SQLite's lock) gets a few chances to record them.
RECORD_TRIES = 3
_BODY_CHARS = 200


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    max_attempts: int
    timeout: float
    #: Delay before attempt 2, 3, ...; the last entry repeats for attempts beyond the list.
    schedule: tuple[float, ...]
    batch_size: int = 10
    #: Whether endpoints on loopback, private or link-local addresses may be called.
    allow_private: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DeliverySettings:
        return cls(
            max_attempts=max(1, int(config["WEBHOOKS_MAX_ATTEMPTS"])),
            timeout=float(config["WEBHOOKS_TIMEOUT_SECONDS"]),
            schedule=retry_schedule("WEBHOOKS_RETRY_SCHEDULE", config["WEBHOOKS_RETRY_SCHEDULE"]),
            batch_size=max(1, int(config["WEBHOOKS_BATCH_SIZE"])),
            allow_private=bool(config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"]),
        )

    @property
    def lease(self) -> timedelta:
        """Longer than a batch can take: one endpoint's deliveries go one after another, and
        each may use the timeout for the check's lookup, the connection's own lookup,
        connecting, writing and reading."""
        return timedelta(seconds=self.batch_size * 5 * self.timeout + LEASE_MARGIN_SECONDS)


def retry_delay(settings: DeliverySettings, failed_attempts: int) -> float:
    """Seconds to wait after the n-th failed attempt, jitter included."""
    scheduled = settings.schedule[min(failed_attempts, len(settings.schedule)) - 1]
    return scheduled * (1 + JITTER * random.random())


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed delivery, detached from the session: HTTP runs outside any transaction."""

    id: int
    token: str
    endpoint_id: int
    attempts: int
    event_id: str
    payload: dict[str, Any]
    url: str
    #: The endpoint's secret, then the previous one while a rotation overlaps.
    secrets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Result:
    ok: bool
    status_code: int | None
    error: str | None
    finished: datetime


def _due(now: datetime) -> Select[int]:
    return (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
            WebhookEndpoint.active,
        )
    )


def claim(session: Session, settings: DeliverySettings, now: datetime) -> list[Job]:
    """Lease up to batch_size due deliveries of active endpoints, and commit the lease."""
    token = secrets.token_hex(16)
    due = (
        _due(now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(settings.batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Concurrent claimers skip each other's rows instead of waiting for them.
        due = due.with_for_update(of=WebhookDelivery, skip_locked=True)
    claimed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due.scalar_subquery()))
        .values(locked_until=now + settings.lease, lock_token=token)
        .returning(WebhookDelivery.id),
        execution_options={"synchronize_session": False},
    ).all()
    jobs = []
    if claimed:
        rows = session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.endpoint_id,
                WebhookDelivery.attempts,
                WebhookDelivery.event_id,
                WebhookDelivery.payload,
                WebhookEndpoint.url,
                WebhookEndpoint.secret,
                WebhookEndpoint.previous_secret,
                WebhookEndpoint.previous_secret_until,
            )
            .join(WebhookEndpoint, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
            .where(WebhookDelivery.lock_token == token)
            .order_by(WebhookDelivery.id)
        )
        jobs = [
            Job(
                row.id,
                token,
                row.endpoint_id,
                row.attempts,
                row.event_id,
                row.payload,
                row.url,
                signing_secrets(row.secret, row.previous_secret, row.previous_secret_until, now),
            )
            for row in rows
        ]
    session.commit()
    return jobs


def signing_secrets(
    secret: str, previous: str | None, previous_until: datetime | None, now: datetime
) -> tuple[str, ...]:
    """The secrets a delivery is signed with: the current one, and the previous one until
    the rotation's overlap ends."""
    if previous and previous_until is not None and now < previous_until:
        return (secret, previous)
    return (secret,)


def body_of(payload: dict[str, Any]) -> bytes:
    """Compact JSON: the exact bytes that are signed and sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def attempt(client: httpx.Client, job: Job, *, allow_private: bool = False) -> Result:
    """One signed POST; 2xx is delivered, anything else (redirects included) a failure."""
    # Checked before every attempt, not only when an admin saves the URL, since DNS can change;
    # a direct connection checks again and connects only to what it checked (new_client).
    lookup_timeout = client.timeout.connect  # a resolver that never answers holds no worker
    refused = None if allow_private else non_public_target(job.url, lookup_timeout)
    if refused:
        message = f"Refused: {refused} (WEBHOOKS_ALLOW_PRIVATE_TARGETS is off)"
        return Result(False, None, message[:_ERROR_CHARS], datetime.now(UTC))
    body = body_of(job.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(job.secrets, job.event_id, int(time.time()), body),
    }
    try:
        with client.stream("POST", job.url, content=body, headers=headers) as response:
            if 200 <= response.status_code < 300:
                return Result(True, response.status_code, None, datetime.now(UTC))
            start = _start_of(response)
            error = f"HTTP {response.status_code}" + (f": {start}" if start else "")
            return Result(False, response.status_code, error[:_ERROR_CHARS], datetime.now(UTC))
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        message = f"{type(error).__name__}: {error}"[:_ERROR_CHARS]
        return Result(False, None, message, datetime.now(UTC))


def _start_of(response: httpx.Response) -> str:
    """The first characters of the answer, read no further: a receiver may answer anything."""
    received = b""
    for chunk in response.iter_bytes():
        received += chunk
        if len(received) >= _BODY_CHARS:
            break
    return received[:_BODY_CHARS].decode(errors="replace").strip()


def record(session: Session, job: Job, result: Result, settings: DeliverySettings) -> str:
    """Store the attempt and what comes next; answers the delivery's new status."""
    attempts = job.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": result.finished,
        "last_status_code": result.status_code,
        "last_error": result.error,
        "locked_until": None,
        "lock_token": None,
    }
    if result.ok:
        values.update(status="delivered", delivered_at=result.finished)
    elif attempts >= settings.max_attempts:
        values["status"] = "failed"
    else:
        delay = timedelta(seconds=retry_delay(settings, attempts))
        values["next_attempt_at"] = result.finished + delay
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == job.id, WebhookDelivery.lock_token == job.token)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    status: str = values.get("status", "pending")
    return status


def deliver_due(session: Session, client: httpx.Client, settings: DeliverySettings) -> int:
    """Attempt one batch of due deliveries; answers how many were attempted.

    Endpoints are served concurrently, each one's deliveries in order (comment.created before
    comment.published), so a slow receiver delays only itself. Commits the claim before the
    requests and the results after them.
    """
    now = datetime.now(UTC)
    with polling(session):  # no active endpoint anywhere: not even a look at the deliveries
        due = bool(subscriptions(session)) and bool(session.scalar(select(_due(now).exists())))
    if not due:
        return 0
    jobs = claim(session, settings, now)
    if not jobs:
        return 0
    by_endpoint: dict[int, list[Job]] = {}
    for job in jobs:
        by_endpoint.setdefault(job.endpoint_id, []).append(job)

    def in_order(queue: list[Job]) -> list[tuple[Job, Result]]:
        return [(job, attempt(client, job, allow_private=settings.allow_private)) for job in queue]

    with ThreadPoolExecutor(max_workers=len(by_endpoint)) as pool:
        done = [pair for pairs in pool.map(in_order, by_endpoint.values()) for pair in pairs]
    for tries_left in reversed(range(RECORD_TRIES)):
        try:
            statuses = [record(session, job, result, settings) for job, result in done]
            session.commit()
            break
        except OperationalError:
            # Sent but not recorded: retried after the lease, a repeat for the receiver.
            session.rollback()
            if not tries_left:
                raise
            log.warning("could not record webhook results yet; trying again")
    for (job, result), status in zip(done, statuses, strict=True):
        if status != "delivered":
            shown = masked_url(job.url)  # logs are read by more people than admins
            log.warning("webhook delivery %s to %s: %s (%s)", job.id, shown, result.error, status)
    return len(jobs)


def new_client(settings: DeliverySettings) -> httpx.Client:
    """Never follows redirects (the URL is the one an admin approved); HTTPS_PROXY and
    NO_PROXY apply, so deliveries can go through a filtering proxy. Unless private targets are
    allowed, direct connections go only to addresses checked public as they connect."""
    httpx_log = logging.getLogger("httpx")
    if _masked_request_url not in httpx_log.filters:
        httpx_log.addFilter(_masked_request_url)
    client_class = httpx.Client if settings.allow_private else PublicOnlyClient
    return client_class(timeout=settings.timeout, follow_redirects=False)


def _masked_request_url(record: logging.LogRecord) -> bool:
    """httpx logs every request with its full URL at INFO: an operator who turns INFO on
    for the worker must not find webhook passwords and path tokens in the log."""
    args = record.args
    if str(record.msg).startswith("HTTP Request:") and isinstance(args, tuple) and len(args) > 1:
        record.args = (args[0], masked_url(str(args[1])), *args[2:])
    return True
