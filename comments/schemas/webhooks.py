"""Webhook endpoints and their delivery log as admins manage them; a signing secret appears
only in the answer that creates it (a new endpoint, or a rotation)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from comments.models import EVENT_TYPES
from comments.models.webhooks import DELIVERY_STATUSES
from comments.schemas.public import MAX_ID, CleanLine
from comments.services.webhooks.endpoints import MAX_ROTATION_OVERLAP, MAX_URL_LENGTH


class WebhookCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    site = CleanLine(load_default="default", validate=validate.Length(1, 64))
    #: An absolute http or https URL (checked by the service, which the CLI shares).
    url = CleanLine(required=True, validate=validate.Length(1, MAX_URL_LENGTH))
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        load_default=lambda: list(EVENT_TYPES),
        validate=validate.Length(1, len(EVENT_TYPES)),
    )
    description = CleanLine(load_default="", validate=validate.Length(max=200))


class WebhookUpdateSchema(Schema):
    """Only the fields sent change; the secret never does."""

    class Meta:
        unknown = RAISE

    url = CleanLine(validate=validate.Length(1, MAX_URL_LENGTH))
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        validate=validate.Length(1, len(EVENT_TYPES)),
    )
    description = CleanLine(validate=validate.Length(max=200))
    active = fields.Boolean()


class WebhookListQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    site = CleanLine(load_default=None, validate=validate.Length(1, 64))


class WebhookSchema(Schema):
    id = fields.Integer(required=True)
    site = fields.String(required=True)
    #: With any password and secret-looking path or query part masked
    #: (``https://user:***@host/hooks/***``), even when just created.
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    description = fields.String()
    active = fields.Boolean(required=True)
    created_by = fields.String()
    created_at = fields.DateTime(format="iso")
    #: After a rotation: until when deliveries also carry the previous secret's signature.
    previous_secret_until = fields.DateTime(format="iso", allow_none=True)
    #: Only in the answer that saves a URL, when the admin should know something though it was
    #: saved: a host that could not be resolved yet (each delivery checks it again).
    warnings = fields.List(fields.String())


class WebhookCreatedSchema(WebhookSchema):
    #: The key receivers verify signatures with (``whsec_...``); shown only in this answer.
    secret = fields.String(required=True)


class WebhookRotateSchema(Schema):
    class Meta:
        unknown = RAISE

    #: How long the old secret keeps signing too; 0 retires it at once (e.g. after a leak).
    overlap_hours = fields.Float(
        load_default=24.0,
        validate=validate.Range(0, MAX_ROTATION_OVERLAP.total_seconds() / 3600),
    )


class WebhookListSchema(Schema):
    endpoints = fields.List(fields.Nested(WebhookSchema), required=True)


class DeliveryQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    site = CleanLine(load_default=None, validate=validate.Length(1, 64))
    status = fields.String(load_default=None, validate=validate.OneOf(DELIVERY_STATUSES))
    endpoint = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))
    #: The `next` of the previous page: deliveries older than that one.
    before = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class DeliverySchema(Schema):
    id = fields.Integer(required=True)
    endpoint_id = fields.Integer(required=True)
    site = fields.String(required=True)
    #: The endpoint's URL, masked as in WebhookSchema.
    url = fields.String(required=True)
    event_type = fields.String(required=True)
    #: The Webhook-Id header: the same for every attempt and every endpoint of one event.
    event_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    attempts = fields.Integer(required=True)
    #: When a pending delivery is tried next; null once delivered or failed.
    next_attempt_at = fields.DateTime(format="iso", allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime(format="iso")
    last_attempt_at = fields.DateTime(format="iso", allow_none=True)
    delivered_at = fields.DateTime(format="iso", allow_none=True)
    #: The signed body, as sent.
    payload = fields.Dict()


class DeliveryPageSchema(Schema):
    deliveries = fields.List(fields.Nested(DeliverySchema), required=True)
    #: Pass as `before` for the next page; null on the last one.
    next = fields.Integer(allow_none=True)
