"""`flask webhooks ...`: endpoints per site, the delivery log, and the delivery worker."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from flask import current_app

from comments.cli.errors import CommandGroup, refused_as_usage_error
from comments.extensions import db
from comments.models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint
from comments.models.webhooks import DELIVERY_STATUSES
from comments.services.webhooks import endpoints, worker
from comments.services.webhooks.endpoints import MAX_ROTATION_OVERLAP

webhooks_cli = CommandGroup("webhooks", help="Signed webhooks: endpoints, deliveries, the worker.")


def _iso(value: object) -> str:
    """Times as the API writes them (ISO 8601: ``2026-11-28T17:02:11+00:00``)."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _echo(described: dict[str, Any]) -> None:
    click.echo(json.dumps(described, default=_iso))


def _show_with_secret(endpoint: WebhookEndpoint, advice: str) -> None:
    """The endpoint as JSON, then its secret alone on the last line, for scripts to take."""
    _echo(endpoints.describe_endpoint(endpoint))
    click.echo(f"The signing secret is shown only now; {advice}.", err=True)
    click.echo(endpoint.secret)


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"])


@contextmanager
def _refused_target() -> Iterator[None]:
    """A URL every delivery would refuse: one line and exit 1 (the command itself was right)."""
    try:
        yield
    except endpoints.RefusedTarget as error:
        raise click.ClickException(f"url: {' '.join(error.errors['url'])}") from error


def _warn(saved: endpoints.Saved) -> None:
    for warning in saved.warnings:
        click.echo(f"Warning: {warning}", err=True)


def _endpoint(webhook_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, webhook_id)
    if endpoint is None:
        raise click.UsageError(f"No webhook endpoint {webhook_id}.")
    return endpoint


@webhooks_cli.command("add")
@click.argument("site")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice(EVENT_TYPES),
    help="Send only this event (repeatable; default: every event).",
)
@click.option("--description", default="", help="What the endpoint is for, shown in listings.")
def add(site: str, url: str, events: tuple[str, ...], description: str) -> None:
    """Send SITE's comment events to URL; the signing secret is printed once, on the last line."""
    with refused_as_usage_error(), _refused_target():
        saved = endpoints.create_endpoint(
            db.session(),
            site,
            url,
            events or EVENT_TYPES,
            description,
            created_by="cli",
            allow_private=_allow_private(),
        )
    db.session.commit()
    _warn(saved)
    _show_with_secret(saved.endpoint, "give it to the receiver to verify signatures")


@webhooks_cli.command("list")
@click.argument("site", required=False)
def list_endpoints(site: str | None) -> None:
    """Print the endpoints (of SITE, or all) as JSON lines, without their secrets."""
    with refused_as_usage_error():
        found = endpoints.list_endpoints(db.session(), site)
    for endpoint in found:
        _echo(endpoints.describe_endpoint(endpoint))


@webhooks_cli.command("rotate-secret")
@click.argument("webhook_id", type=int)
@click.option(
    "--overlap-hours",
    type=click.FloatRange(0, MAX_ROTATION_OVERLAP.total_seconds() / 3600),
    default=24.0,
    show_default=True,
    help="How long deliveries also carry the old secret's signature; 0 retires it at once.",
)
def rotate_secret(webhook_id: int, overlap_hours: float) -> None:
    """Give endpoint WEBHOOK_ID a new signing secret, printed once, on the last line."""
    endpoint = endpoints.rotate_secret(
        db.session(), _endpoint(webhook_id), timedelta(hours=overlap_hours), datetime.now(UTC)
    )
    db.session.commit()
    _show_with_secret(endpoint, "the receiver should verify with it from now on")


@webhooks_cli.command("remove")
@click.argument("webhook_id", type=int)
def remove(webhook_id: int) -> None:
    """Remove endpoint WEBHOOK_ID and its delivery log (`disable` keeps the log)."""
    endpoints.delete_endpoint(db.session(), _endpoint(webhook_id))
    db.session.commit()
    click.echo(f"Removed webhook endpoint {webhook_id}.")


@webhooks_cli.command("disable")
@click.argument("webhook_id", type=int)
def disable(webhook_id: int) -> None:
    """Stop sending to WEBHOOK_ID: no new events; pending deliveries wait for `enable`."""
    endpoint = _endpoint(webhook_id)
    endpoints.update_endpoint(
        db.session(), endpoint, {"active": False}, allow_private=_allow_private()
    )
    db.session.commit()
    _echo(endpoints.describe_endpoint(endpoint))


@webhooks_cli.command("enable")
@click.argument("webhook_id", type=int)
def enable(webhook_id: int) -> None:
    """Send to WEBHOOK_ID again, starting with the deliveries that waited."""
    endpoint = _endpoint(webhook_id)
    endpoints.update_endpoint(
        db.session(), endpoint, {"active": True}, allow_private=_allow_private()
    )
    db.session.commit()
    _echo(endpoints.describe_endpoint(endpoint))


@webhooks_cli.command("deliveries")
@click.option("--site", help="Only this site's deliveries.")
@click.option(
    "--status", type=click.Choice(DELIVERY_STATUSES), help="Only deliveries in this state."
)
@click.option("--endpoint", "endpoint_id", type=int, help="Only this endpoint's deliveries.")
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=50,
    show_default=True,
    help="At most this many.",
)
@click.option("--payload/--no-payload", default=False, help="Include each signed body.")
def deliveries(
    site: str | None, status: str | None, endpoint_id: int | None, limit: int, payload: bool
) -> None:
    """Print the delivery log, newest first, as JSON lines."""
    query = endpoints.DeliveryQuery(site, status, endpoint_id, per_page=limit)
    with refused_as_usage_error():
        found = endpoints.list_deliveries(db.session(), query)
    for delivery in found:
        _echo(endpoints.describe_delivery(delivery, with_payload=payload))


@webhooks_cli.command("redeliver")
@click.argument("delivery_id", type=int)
def redeliver(delivery_id: int) -> None:
    """Send delivery DELIVERY_ID's event again, now, as a new delivery."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise click.UsageError(f"No webhook delivery {delivery_id}.")
    again = endpoints.redeliver(db.session(), delivery)
    db.session.commit()
    _echo(endpoints.describe_delivery(again, with_payload=False))


@webhooks_cli.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron).")
def deliver(once: bool) -> None:
    """Deliver due webhooks, forever (or --once); safe to run beside other workers."""
    stop = threading.Event()
    try:
        attempted = worker.run(current_app, stop, once=once)
    except KeyboardInterrupt:
        return
    click.echo(f"Attempted {attempted} deliveries.", err=True)
