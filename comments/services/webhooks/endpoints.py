"""What admins do with webhooks: add, change and remove endpoints, read the delivery log, and
send a delivery again. The API and the CLI both call these."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from comments.errors import FieldErrors
from comments.models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint
from comments.services.threads import get_site
from comments.services.webhooks import signing
from comments.services.webhooks.events import forget_subscriptions
from comments.services.webhooks.targets import SAVE_RESOLVE_TIMEOUT, check_target

MAX_URL_LENGTH = 2048
#: The longest a rotated-out secret may keep signing deliveries.
MAX_ROTATION_OVERLAP = timedelta(days=7)
EDITABLE = ("url", "events", "description", "active")


def check_url(url: str) -> str:
    """An absolute http or https URL; anything else is refused when the endpoint is saved,
    not discovered at the first delivery."""
    problem = None
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            problem = "Must be an http or https address."
        elif not parts.hostname:
            problem = "Must name a host."
        elif len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
            problem = f"Must be at most {MAX_URL_LENGTH} characters, without spaces."
        else:
            parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        problem = "Not a valid address."
    if problem:
        raise FieldErrors({"url": [problem]})
    return url


class RefusedTarget(FieldErrors):
    """A URL every delivery would refuse (a non-public host); a 422 naming ``url``."""


@dataclass(frozen=True, slots=True)
class Saved:
    """An endpoint as saved, and what the admin should hear though it was saved."""

    endpoint: WebhookEndpoint
    warnings: tuple[str, ...] = ()


def vet_target(url: str, *, allow_private: bool) -> tuple[str, ...]:
    """Refuse a host that delivery would refuse (see ``targets.check_target``, the same check),
    so the admin hears it now rather than from failed deliveries; answers warnings.

    A name that does not resolve is saved with a warning: the admin's machine may not reach
    the DNS the service will use, and delivery checks again before every attempt.
    """
    if allow_private:
        return ()
    target = check_target(url, timeout=SAVE_RESOLVE_TIMEOUT)
    if target.refused:
        why = f"{target.refused}; deliveries to it are refused"
        raise RefusedTarget({"url": [f"{why} while WEBHOOKS_ALLOW_PRIVATE_TARGETS is off."]})
    if target.unresolved:
        return (
            f"{target.unresolved}; saved anyway: each delivery resolves it again and is "
            "refused if it is not a public address.",
        )
    return ()


def masked_url(url: str) -> str:
    """The URL as listings, answers and logs show it: a password in it (``user:pass@``) reads
    ``user:***@``, a lone user part (usually a token) ``***@``, a path segment that looks like a
    secret ``***`` (see ``_secret_segment``), and the value of a query parameter named like a
    secret (``?token=``, ``api_key=``, ``sig=``) ``***``. Deliveries use the stored URL as is;
    only people and log files see this one."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        shown = f"{user}:***" if colon else "***"
        # The netloc is the first thing after "scheme://", so this replaces nothing else.
        url = url.replace(parts.netloc, f"{shown}@{host}", 1)
    path = _masked_path(parts.hostname or "", parts.path)
    if path != parts.path:
        # The path starts right after the host; neither scheme nor user part holds "/".
        url = url.replace(f"{host}{parts.path}", f"{host}{path}", 1)
    if parts.query:  # the first "?" starts the query: neither host nor path holds one
        url = url.replace(f"?{parts.query}", f"?{_masked_query(parts.query)}", 1)
    return url


_SECRET_PARAMETER = re.compile(r"token|key|secret|sig|pass|auth|credential|code", re.I)
#: A run of letters and digits long enough to be random rather than a word or a version.
_MIXED_RUN = re.compile(r"[A-Za-z0-9]{8,}")
_MATTERMOST_KEY = re.compile(r"[a-z0-9]{26}")


def _masked_query(query: str) -> str:
    shown = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        secret = equals and value and _SECRET_PARAMETER.search(name)
        shown.append(f"{name}=***" if secret else pair)
    return "&".join(shown)


def _masked_path(hostname: str, path: str) -> str:
    segments = path.split("/")
    return "/".join(
        "***" if _secret_segment(hostname, segments, i) else segment
        for i, segment in enumerate(segments)
    )


def _secret_segment(hostname: str, segments: list[str], index: int) -> bool:
    """Whether a path segment is a secret: where chat services put their token, or anything
    that reads as random (at least 16 characters with a run of 8 or more letters and digits
    that mixes both, as tokens, keys, hashes and UUIDs do). Words, versions, dates and slugs
    (``hooks``, ``v2``, ``2024-11-28``, ``my-post-2024``) stay readable."""
    segment = segments[index]  # segments[0] is the empty string before the first "/"
    previous = segments[index - 1] if index else ""
    if not segment:
        return False
    # Slack: hooks.slack.com/services/T…/B…/SECRET, the workspace and channel ids readable.
    if hostname == "hooks.slack.com" and index >= 4:
        return True
    # Discord: discord.com/api/webhooks/ID/TOKEN (discordapp.com, ptb. and canary. too).
    discord = f".{hostname}".endswith((".discord.com", ".discordapp.com"))
    if discord and index >= 2 and segments[index - 2] == "webhooks":
        return True
    # Mattermost (any host, it is self-hosted): /hooks/KEY, a 26-character lower-case id.
    if previous == "hooks" and _MATTERMOST_KEY.fullmatch(segment):
        return True
    return len(segment) >= 16 and any(
        any(c.isdigit() for c in run) and any(c.isalpha() for c in run)
        for run in _MIXED_RUN.findall(segment)
    )


def check_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = [event for event in chosen if event not in EVENT_TYPES]
    if unknown or not chosen:
        raise FieldErrors({"events": [f"Choose among {', '.join(EVENT_TYPES)}."]})
    return chosen


def create_endpoint(
    session: Session,
    site_name: str,
    url: str,
    events: Iterable[str] = EVENT_TYPES,
    description: str = "",
    created_by: str = "",
    *,
    allow_private: bool,
) -> Saved:
    """A new endpoint with a fresh signing secret (``endpoint.secret``, to be shown once);
    ``allow_private`` is WEBHOOKS_ALLOW_PRIVATE_TARGETS."""
    # Before any query: a slow DNS answer then holds no transaction open.
    warnings = vet_target(check_url(url), allow_private=allow_private)
    site = get_site(session, site_name)
    endpoint = WebhookEndpoint(
        site_id=site.id,
        url=url,
        events=check_events(events),
        secret=signing.new_secret(),
        description=description[:200],
        active=True,
        created_by=created_by[:64],
        created_at=datetime.now(UTC),
    )
    session.add(endpoint)
    session.flush()
    forget_subscriptions(session)
    return Saved(endpoint, warnings)


def list_endpoints(session: Session, site_name: str | None = None) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if site_name is not None:
        query = query.where(WebhookEndpoint.site_id == get_site(session, site_name).id)
    return list(session.scalars(query))


def update_endpoint(
    session: Session,
    endpoint: WebhookEndpoint,
    changes: Mapping[str, Any],
    *,
    allow_private: bool,
) -> Saved:
    """Change the URL, events, description or active flag; the secret stays. A new URL is
    vetted as on creation."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise FieldErrors({name: ["Unknown setting."] for name in sorted(unknown)})
    warnings: tuple[str, ...] = ()
    if changes.get("url") is not None:
        url = check_url(changes["url"])
        warnings = vet_target(url, allow_private=allow_private)
        endpoint.url = url
    if changes.get("events") is not None:
        endpoint.events = check_events(changes["events"])
    if changes.get("description") is not None:
        endpoint.description = changes["description"][:200]
    if changes.get("active") is not None:
        endpoint.active = bool(changes["active"])
    session.flush()
    forget_subscriptions(session)
    return Saved(endpoint, warnings)


def rotate_secret(
    session: Session, endpoint: WebhookEndpoint, overlap: timedelta, now: datetime
) -> WebhookEndpoint:
    """A fresh signing secret (``endpoint.secret``, to be shown once); for ``overlap``,
    deliveries also carry a signature by the old one, so the receiver can switch when ready.

    A zero overlap retires the old secret at once (e.g. after a leak). Rotating again during an
    overlap retires the older secret: only the newest two ever sign.
    """
    if not timedelta(0) <= overlap <= MAX_ROTATION_OVERLAP:
        days = MAX_ROTATION_OVERLAP.days
        raise FieldErrors({"overlap_hours": [f"Between 0 and {days * 24} hours."]})
    endpoint.previous_secret = endpoint.secret if overlap else None
    endpoint.previous_secret_until = now + overlap if overlap else None
    endpoint.secret = signing.new_secret()
    session.flush()
    return endpoint


def delete_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log; disable it instead to keep the log."""
    session.delete(endpoint)
    session.flush()
    forget_subscriptions(session)


@dataclass(frozen=True, slots=True)
class DeliveryQuery:
    site: str | None = None
    status: str | None = None
    endpoint_id: int | None = None
    #: Keyset cursor: only deliveries with a smaller id (the log is newest first).
    before: int | None = None
    per_page: int = 50


def list_deliveries(session: Session, query: DeliveryQuery) -> list[WebhookDelivery]:
    """The delivery log, newest first."""
    statement = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(query.per_page)
    if query.site is not None:
        site_id = get_site(session, query.site).id
        statement = statement.join(WebhookDelivery.endpoint).where(
            WebhookEndpoint.site_id == site_id
        )
    if query.status is not None:
        statement = statement.where(WebhookDelivery.status == query.status)
    if query.endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == query.endpoint_id)
    if query.before is not None:
        statement = statement.where(WebhookDelivery.id < query.before)
    return list(session.scalars(statement))


def redeliver(session: Session, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again, now, as a new entry of the log; the old one stays as it was.

    The Webhook-Id is the event's, so a receiver that did process it can recognise a repeat.
    """
    now = datetime.now(UTC)
    again = WebhookDelivery(
        endpoint_id=delivery.endpoint_id,
        event_type=delivery.event_type,
        event_id=delivery.event_id,
        payload=delivery.payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(again)
    session.flush()
    return again


def describe_endpoint(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """Everything but the secret, which is shown once when the endpoint is created, and any
    password in the URL, which is never shown again (not even on creation: the admin typed it)."""
    return {
        "id": endpoint.id,
        "site": endpoint.site.name,
        "url": masked_url(endpoint.url),
        "events": endpoint.events,
        "description": endpoint.description,
        "active": endpoint.active,
        "created_by": endpoint.created_by,
        "created_at": endpoint.created_at,
        "previous_secret_until": endpoint.previous_secret_until
        if endpoint.previous_secret
        else None,
    }


def describe_delivery(delivery: WebhookDelivery, with_payload: bool = True) -> dict[str, Any]:
    described = {
        "id": delivery.id,
        "endpoint_id": delivery.endpoint_id,
        "site": delivery.endpoint.site.name,
        "url": masked_url(delivery.endpoint.url),
        "event_type": delivery.event_type,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending" else None,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "last_attempt_at": delivery.last_attempt_at,
        "delivered_at": delivery.delivered_at,
    }
    if with_payload:
        described["payload"] = delivery.payload
    return described
