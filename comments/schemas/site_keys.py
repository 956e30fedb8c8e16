"""Site API keys as admins create and list them; the key itself appears only once."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from comments.schemas.public import CleanLine


class SiteKeyCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    label = CleanLine(load_default="", validate=validate.Length(max=100))


class SiteKeySchema(Schema):
    id = fields.Integer(required=True)
    site = fields.String(required=True)
    #: The key's first characters, to tell keys apart; never enough to use one.
    prefix = fields.String(required=True)
    label = fields.String()
    created_by = fields.String()
    created_at = fields.String()
    last_used_at = fields.String(allow_none=True)
    revoked_at = fields.String(allow_none=True)


class SiteKeyCreatedSchema(SiteKeySchema):
    #: Shown once: only its hash is stored.
    key = fields.String(required=True)


class SiteKeyListSchema(Schema):
    keys = fields.List(fields.Nested(SiteKeySchema), required=True)
