"""Comment events into the outbox, inside the transaction of the change that causes them.

A rolled-back comment therefore never fires, and a committed one always does: the deliveries
are rows like the comment itself, sent afterwards by a worker (comments.services.webhooks.
delivery). Which sites have endpoints is cached per process for REFRESH_SECONDS, so a site
without webhooks pays a dictionary look-up per comment and no query.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import JSON, Engine, insert, literal, select
from sqlalchemy.orm import Session

from comments.models import Comment, Decision, Site, Thread, WebhookDelivery, WebhookEndpoint
from comments.models.base import UtcDateTime

#: How long a process trusts its list of endpoints: an endpoint added or changed in another
#: process receives events from this one at most this much later.
REFRESH_SECONDS = 5.0

#: The event a comment's first status adds to comment.created; spam adds none.
_STATUS_EVENTS = {"published": "comment.published", "pending": "comment.held"}

#: site id -> event type -> ids of the active endpoints subscribed to it.
Subscriptions = dict[int, dict[str, tuple[int, ...]]]


@dataclass(frozen=True, slots=True)
class _Cached:
    expires: float
    subscriptions: Subscriptions


_cache: WeakKeyDictionary[Engine, _Cached] = WeakKeyDictionary()


def subscriptions(session: Session) -> Subscriptions:
    """Active endpoints by site and event, read at most every REFRESH_SECONDS per database."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    cached = _cache.get(engine)
    now = time.monotonic()
    if cached is None or cached.expires <= now:
        rows = session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.site_id, WebhookEndpoint.events).where(
                WebhookEndpoint.active
            )
        )
        by_site: dict[int, dict[str, list[int]]] = {}
        for endpoint_id, site_id, events in rows:
            for event in events:
                by_site.setdefault(site_id, {}).setdefault(event, []).append(endpoint_id)
        found = {
            site: {e: tuple(ids) for e, ids in events.items()} for site, events in by_site.items()
        }
        cached = _Cached(now + REFRESH_SECONDS, found)
        _cache[engine] = cached
    return cached.subscriptions


def forget_subscriptions(session: Session) -> None:
    """After an admin change: this process reads the endpoints again on its next event."""
    engine = session.get_bind()
    if isinstance(engine, Engine):
        _cache.pop(engine, None)


def new_event_id() -> str:
    """The Webhook-Id of an event: random, URL-safe, and without the "." the signature uses."""
    return "msg_" + secrets.token_urlsafe(18)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def comment_data(comment: Comment, site_name: str, thread_key: str) -> dict[str, Any]:
    """The comment's public fields: never its author's e-mail, address or user agent."""
    return {
        "id": comment.id,
        "site": site_name,
        "thread": thread_key,
        "parent_id": comment.parent_id,
        "status": comment.status,
        "author_name": comment.author_name,
        "author_url": comment.author_url,
        "html": comment.body_html,
        "created_at": _iso(comment.created_at),
        "published_at": _iso(comment.published_at),
        "scores": {
            "toxicity": comment.toxicity,
            "spam": comment.spam,
            "model_version": comment.model_version,
        },
    }


def record_comment_events(
    session: Session, comment: Comment, site_name: str, thread_key: str
) -> None:
    """comment.created for a stored comment, and comment.published or comment.held for the
    status the policy gave it; a comment filed as spam fires comment.created alone."""
    wanted = subscriptions(session).get(comment.site_id)
    if not wanted:
        return
    data = comment_data(comment, site_name, thread_key)
    events = [("comment.created", data)]
    if comment.status in _STATUS_EVENTS:
        events.append((_STATUS_EVENTS[comment.status], data))
    _enqueue(session, wanted, events, comment.created_at)


def _with_decision(data: dict[str, Any], decision: Decision) -> dict[str, Any]:
    return {
        **data,
        "decision": {
            "id": decision.id,
            "action": decision.action,
            "actor": decision.actor,
            "reason": decision.reason,
            "from_status": decision.from_status,
            "to_status": decision.to_status,
            "created_at": _iso(decision.created_at),
        },
    }


def _comment_data(session: Session, comment: Comment) -> dict[str, Any]:
    site_name, thread_key = session.execute(
        select(Site.name, Thread.key)
        .join(Site, Thread.site_id == Site.id)
        .where(Thread.id == comment.thread_id)
    ).one()
    return comment_data(comment, site_name, thread_key)


def record_decision_events(session: Session, comment: Comment, decision: Decision) -> None:
    """comment.decided for a moderator's decision, and comment.published when it publishes a
    comment that was not published."""
    wanted = subscriptions(session).get(comment.site_id)
    if not wanted:
        return
    data = _comment_data(session, comment)
    events = [("comment.decided", _with_decision(data, decision))]
    if decision.to_status == "published" and decision.from_status != "published":
        events.append(("comment.published", data))
    _enqueue(session, wanted, events, decision.created_at)


def record_author_events(session: Session, comment: Comment, decision: Decision) -> None:
    """comment.edited or comment.deleted for its author's change, so a mirror stays true;
    an edit the policy publishes or holds anew also fires comment.published or comment.held."""
    wanted = subscriptions(session).get(comment.site_id)
    if not wanted:
        return
    data = _comment_data(session, comment)
    kind = "comment.deleted" if decision.action == "delete" else "comment.edited"
    events = [(kind, _with_decision(data, decision))]
    became = decision.to_status
    if kind == "comment.edited" and became in _STATUS_EVENTS and became != decision.from_status:
        events.append((_STATUS_EVENTS[became], data))
    _enqueue(session, wanted, events, decision.created_at)


def _enqueue(
    session: Session,
    wanted: dict[str, tuple[int, ...]],
    events: list[tuple[str, dict[str, Any]]],
    occurred: datetime,
) -> None:
    """One INSERT ... SELECT per event: endpoints disabled or removed since the cache was
    read get nothing, and a stale cache can never fail the comment's transaction."""
    now = literal(occurred, UtcDateTime())
    for event_type, data in events:
        endpoint_ids = wanted.get(event_type)
        if not endpoint_ids:
            continue
        payload = {"type": event_type, "timestamp": _iso(occurred), "data": data}
        rows = select(
            WebhookEndpoint.id,
            literal(event_type),
            literal(new_event_id()),
            literal(payload, JSON()),
            literal("pending"),
            literal(0),
            now,
            now,
        ).where(WebhookEndpoint.id.in_(endpoint_ids), WebhookEndpoint.active)
        columns = [
            "endpoint_id",
            "event_type",
            "event_id",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
        ]
        session.execute(insert(WebhookDelivery).from_select(columns, rows))
