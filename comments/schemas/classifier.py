"""The classifier API's input and output: scores, the words behind them, and model versions."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from comments.schemas.public import CleanText


class ScoreRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    text = CleanText(required=True, validate=validate.Length(1, 10_000))


class FeatureSchema(Schema):
    """A feature that raised a score: its logit weight and where it occurs in the text."""

    feature = fields.String()
    weight = fields.Float()
    start = fields.Integer()
    end = fields.Integer()
    #: Every [start, end) occurrence, in characters of the original text.
    spans = fields.List(fields.List(fields.Integer()))


class ExplanationSchema(Schema):
    toxicity = fields.List(fields.Nested(FeatureSchema))
    spam = fields.List(fields.Nested(FeatureSchema))


class ModelScoreSchema(Schema):
    """One model's verdict on a text; `error` says why the scores are missing."""

    model_version = fields.String(allow_none=True)
    toxicity = fields.Float(allow_none=True)
    spam = fields.Float(allow_none=True)
    thresholds = fields.Dict(allow_none=True)
    explanation = fields.Nested(ExplanationSchema, allow_none=True)
    error = fields.String(allow_none=True)


class ScoreResultSchema(Schema):
    active = fields.Nested(ModelScoreSchema, required=True)
    #: Only while a version is in shadow.
    shadow = fields.Nested(ModelScoreSchema)


class ModelVersionSchema(Schema):
    version = fields.String()
    source = fields.String()
    active = fields.Boolean()
    shadow = fields.Boolean()
    sha256 = fields.String()
    trained_at = fields.String(attribute="card.trained_at", dump_default=None, allow_none=True)
    trained_by = fields.String(attribute="card.trained_by", dump_default=None, allow_none=True)
    thresholds = fields.Dict(attribute="card.thresholds", dump_default=None, allow_none=True)
    activated_at = fields.DateTime(format="iso", allow_none=True)


class ModelListSchema(Schema):
    models = fields.List(fields.Nested(ModelVersionSchema))
