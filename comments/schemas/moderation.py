"""The moderation API's input and output: staff see author details, the public never does."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from comments.schemas.public import MAX_ID, CleanLine, CleanText
from comments.services.moderation.decisions import ACTIONS
from comments.services.moderation.queue import QUEUES, SORTS

_unit = validate.Range(0.0, 1.0)


class QueueQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(load_default="pending", validate=validate.OneOf(QUEUES))
    site = CleanLine(load_default=None, validate=validate.Length(1, 64))
    thread = CleanLine(load_default=None, validate=validate.Length(1, 512))
    signal = CleanLine(load_default=None, validate=validate.Length(1, 40))
    author = CleanLine(load_default=None, validate=validate.Length(1, 254))
    min_toxicity = fields.Float(load_default=None, validate=_unit)
    max_toxicity = fields.Float(load_default=None, validate=_unit)
    min_spam = fields.Float(load_default=None, validate=_unit)
    max_spam = fields.Float(load_default=None, validate=_unit)
    sort = fields.String(load_default="newest", validate=validate.OneOf(SORTS))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = fields.String(load_default=None, validate=validate.Length(1, 200))


class DecisionSchema(Schema):
    class Meta:
        unknown = RAISE

    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = CleanLine(load_default="", validate=validate.Length(max=200))
    note = CleanText(load_default="", validate=validate.Length(max=2000))


class BulkDecisionSchema(DecisionSchema):
    ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, MAX_ID)),
        required=True,
        validate=validate.Length(1, 500),
    )


class BanSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = CleanLine(load_default="", validate=validate.Length(max=200))
    reject_comments = fields.Boolean(load_default=False)


class ScoresSchema(Schema):
    toxicity = fields.Float(allow_none=True)
    spam = fields.Float(allow_none=True)
    model_version = fields.String(allow_none=True)


class ReportSchema(Schema):
    reason = fields.String()
    text = fields.String()
    created_at = fields.DateTime(format="iso")


class AuthorSchema(Schema):
    name = fields.String()
    email = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    ip_hash = fields.String(allow_none=True)
    #: Earlier comments by the same e-mail on the site, counted by status.
    history = fields.Dict(keys=fields.String(), values=fields.Integer())


class ModeratedCommentSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    site = fields.String()
    thread = fields.Dict()
    parent_id = fields.Integer(allow_none=True)
    author = fields.Nested(AuthorSchema)
    body = fields.String()
    html = fields.String()
    created_at = fields.DateTime(format="iso")
    published_at = fields.DateTime(format="iso", allow_none=True)
    scores = fields.Nested(ScoresSchema)
    explanation = fields.Dict(allow_none=True)
    signals = fields.List(fields.Dict())
    reports = fields.List(fields.Nested(ReportSchema))


class DecisionRecordSchema(Schema):
    action = fields.String()
    actor = fields.String()
    staff = fields.String(allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reason = fields.String()
    note = fields.String()
    scores = fields.Nested(ScoresSchema)
    created_at = fields.DateTime(format="iso")
