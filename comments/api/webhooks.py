"""Admins manage each site's webhook endpoints and read their delivery log (the CLI does the
same). Registering this blueprint also sets up delivery for the app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, current_app
from werkzeug.exceptions import NotFound

from comments.api.contract import ID, contract
from comments.auth import ADMINISTER, current_staff, require
from comments.extensions import db
from comments.models import WebhookDelivery, WebhookEndpoint
from comments.schemas.webhooks import (
    DeliveryPageSchema,
    DeliveryQuerySchema,
    DeliverySchema,
    WebhookCreatedSchema,
    WebhookCreateSchema,
    WebhookListQuerySchema,
    WebhookListSchema,
    WebhookRotateSchema,
    WebhookSchema,
    WebhookUpdateSchema,
)
from comments.services.webhooks import endpoints, worker
from comments.services.webhooks.delivery import DeliverySettings

bp = Blueprint("webhooks_api", __name__, url_prefix="/api/v1/admin/webhooks")


@bp.record_once
def _set_up_delivery(state: Any) -> None:
    DeliverySettings.from_config(state.app.config)  # a bad setting stops the app starting
    worker.init_app(state.app)


def _endpoint(webhook_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, webhook_id)
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {webhook_id}.")
    return endpoint


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"])


def _described(saved: endpoints.Saved) -> dict[str, Any]:
    """The endpoint, with ``warnings`` only when saving it found something to say."""
    described = endpoints.describe_endpoint(saved.endpoint)
    if saved.warnings:
        described["warnings"] = list(saved.warnings)
    return described


@bp.get("")
@require(ADMINISTER)
@contract({200: WebhookListSchema()}, query=WebhookListQuerySchema())
def list_endpoints(query: dict[str, Any]) -> dict[str, Any]:
    """Every endpoint, or one site's, without their secrets."""
    found = endpoints.list_endpoints(db.session(), query["site"])
    return {"endpoints": [endpoints.describe_endpoint(endpoint) for endpoint in found]}


@bp.post("")
@require(ADMINISTER)
@contract({201: WebhookCreatedSchema()}, body=WebhookCreateSchema())
def create_endpoint(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A new endpoint; the answer is the only time its signing secret is shown."""
    staff = current_staff()
    assert staff is not None  # guaranteed by @require
    saved = endpoints.create_endpoint(
        db.session(),
        body["site"],
        body["url"],
        body["events"],
        body["description"],
        created_by=staff.name,
        allow_private=_allow_private(),
    )
    db.session.commit()
    return {**_described(saved), "secret": saved.endpoint.secret}, 201


@bp.patch(f"/<{ID}:webhook_id>")
@require(ADMINISTER)
@contract({200: WebhookSchema()}, body=WebhookUpdateSchema())
def update_endpoint(webhook_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Change the URL, events or description, or disable (`"active": false`) and enable.

    A disabled endpoint gets no new events; deliveries already pending wait until it is enabled.
    """
    saved = endpoints.update_endpoint(
        db.session(), _endpoint(webhook_id), body, allow_private=_allow_private()
    )
    db.session.commit()
    return _described(saved)


@bp.get("/deliveries")
@require(ADMINISTER)
@contract({200: DeliveryPageSchema()}, query=DeliveryQuerySchema())
def list_deliveries(query: dict[str, Any]) -> dict[str, Any]:
    """The delivery log, newest first: status, attempts, the last answer or error, payload."""
    page = endpoints.list_deliveries(
        db.session(),
        endpoints.DeliveryQuery(
            site=query["site"],
            status=query["status"],
            endpoint_id=query["endpoint"],
            before=query["before"],
            per_page=query["per_page"],
        ),
    )
    full = len(page) == query["per_page"]
    return {
        "deliveries": [endpoints.describe_delivery(delivery) for delivery in page],
        "next": page[-1].id if full else None,
    }


@bp.post(f"/deliveries/<{ID}:delivery_id>/redeliver")
@require(ADMINISTER)
@contract({201: DeliverySchema()})
def redeliver(delivery_id: int) -> tuple[dict[str, Any], int]:
    """Send a delivery's event again, now, as a new entry in the log."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"No webhook delivery {delivery_id}.")
    again = endpoints.redeliver(db.session(), delivery)
    db.session.commit()
    return endpoints.describe_delivery(again), 201


@bp.post(f"/<{ID}:webhook_id>/rotate-secret")
@require(ADMINISTER)
@contract({200: WebhookCreatedSchema()}, body=WebhookRotateSchema())
def rotate_secret(webhook_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """A new signing secret, shown only in this answer; the old one also signs deliveries for
    `overlap_hours` (default 24; 0 retires it at once)."""
    endpoint = endpoints.rotate_secret(
        db.session(),
        _endpoint(webhook_id),
        timedelta(hours=body["overlap_hours"]),
        datetime.now(UTC),
    )
    db.session.commit()
    return {**endpoints.describe_endpoint(endpoint), "secret": endpoint.secret}


@bp.post(f"/<{ID}:webhook_id>/remove")
@require(ADMINISTER)
@contract({200: WebhookSchema()})
def remove_endpoint(webhook_id: int) -> dict[str, Any]:
    """Remove the endpoint with its delivery log (disable it to keep the log)."""
    endpoint = _endpoint(webhook_id)
    described = endpoints.describe_endpoint(endpoint)
    endpoints.delete_endpoint(db.session(), endpoint)
    db.session.commit()
    return described
