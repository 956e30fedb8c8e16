"""Privacy requests: what admins and readers send, and the export document admins receive."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from comments.models import ERASURE_MODES, PRIVACY_KINDS
from comments.schemas.public import CleanLine


class AddressSchema(Schema):
    class Meta:
        unknown = RAISE

    email = fields.Email(required=True, validate=validate.Length(max=254))


class EraseSchema(AddressSchema):
    #: Only this site (default: every site).
    site = CleanLine(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    #: Overrides each site's own erasure setting.
    mode = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ERASURE_MODES))


class ReaderRequestSchema(AddressSchema):
    kind = fields.String(required=True, validate=validate.OneOf(PRIVACY_KINDS))


class ReaderRequestAnswerSchema(Schema):
    #: The same words whether or not the address is known.
    message = fields.String(required=True)


def _records() -> fields.List[Any]:
    return fields.List(fields.Dict(keys=fields.String()), required=True)


class ExportSchema(Schema):
    """Everything stored about the address (see comments.services.privacy.export)."""

    email = fields.String(required=True)
    generated_at = fields.String(required=True)
    comments = _records()
    bans = _records()
    trusted_author = _records()
    labelled_examples = _records()
    privacy_requests = _records()


class ErasedSchema(Schema):
    #: What was done, by kind of record.
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
