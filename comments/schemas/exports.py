"""What the export download accepts."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from comments.services.exports import FORMATS


class ExportQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(load_default="jsonl", validate=validate.OneOf(FORMATS))
