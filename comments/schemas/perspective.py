"""Perspective's AnalyzeComment and SuggestCommentScore requests, as its clients send them.

Field names are Perspective's JSON names (``requestedAttributes``); the proto names
(``requested_attributes``) are accepted too, as Google's JSON parser accepts both. Unknown
fields are refused, as Google refuses them. As in any proto3 JSON, ``null`` and an enum's
``..._UNSPECIFIED`` mean "not set": generated clients (from Google's discovery document) send
every field, ``"dropUnsupportedAttributes": null`` or ``"type": "TEXT_TYPE_UNSPECIFIED"``.
The comment text is kept exactly as sent, never cleaned: span offsets must point into the text
the platform holds.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, fields, post_load, pre_load, validate

from comments.services.perspective import (
    AnalyzeRequest,
    AttributeRequest,
    SuggestRequest,
)

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+\Z")
#: Fields of a client's own choosing: opaque to us, bounded so they cannot fill a row.
_TOKEN = validate.Length(max=512)
#: How an enum's zero value ends (``TEXT_TYPE_UNSPECIFIED``, ``SCORE_TYPE_UNSPECIFIED``).
_UNSET = "_UNSPECIFIED"


def camel_case(key: str) -> str:
    """``requested_attributes`` -> ``requestedAttributes``; other keys (attribute names such as
    ``SEVERE_TOXICITY``) are left alone."""
    if not _SNAKE.match(key):
        return key
    first, *rest = key.split("_")
    return first + "".join(part.capitalize() for part in rest)


class _Message(Schema):
    """A protobuf message in JSON: unknown names are errors, proto names are aliases, and a
    field sent as unset takes its default."""

    class Meta:
        unknown = RAISE

    #: Enum fields, whose ``..._UNSPECIFIED`` value means unset (JSON names).
    enums: tuple[str, ...] = ()

    @pre_load
    def _json_names(self, data: Any, **_: Any) -> Any:
        if not isinstance(data, dict):
            return data
        named = {camel_case(key) if isinstance(key, str) else key: v for key, v in data.items()}
        # Proto3 JSON's "the default": null for any field, the zero value for an enum.
        return {
            key: value
            for key, value in named.items()
            if value is not None and not (key in self.enums and f"{value}".endswith(_UNSET))
        }


class TextEntrySchema(_Message):
    enums = ("type",)
    text = fields.String(load_default="")
    type = fields.String(load_default="PLAIN_TEXT")


class AttributeParametersSchema(_Message):
    enums = ("scoreType",)
    score_type = fields.String(data_key="scoreType", load_default="PROBABILITY")
    score_threshold = fields.Float(
        data_key="scoreThreshold", load_default=None, validate=validate.Range(0, 1)
    )


class ScoreSchema(_Message):
    enums = ("type",)
    value = fields.Float(required=True, validate=validate.Range(0, 1))
    type = fields.String(load_default="PROBABILITY")


class SuggestedScoresSchema(_Message):
    summary_score = fields.Nested(ScoreSchema, data_key="summaryScore", required=True)
    span_scores = fields.List(fields.Dict(), data_key="spanScores", load_default=list)


class _CommentRequest(_Message):
    comment = fields.Nested(
        TextEntrySchema, load_default=lambda: {"text": "", "type": "PLAIN_TEXT"}
    )
    #: Articles and parent comments; not used for scoring (Perspective does not use it either).
    context = fields.Dict(load_default=None)
    languages = fields.List(fields.String(validate=validate.Length(max=35)), load_default=list)
    client_token = fields.String(data_key="clientToken", load_default="", validate=_TOKEN)
    session_id = fields.String(data_key="sessionId", load_default="", validate=_TOKEN)
    community_id = fields.String(data_key="communityId", load_default="", validate=_TOKEN)


class AnalyzeRequestSchema(_CommentRequest):
    requested_attributes = fields.Dict(
        data_key="requestedAttributes",
        keys=fields.String(),
        values=fields.Nested(AttributeParametersSchema),
        load_default=dict,
    )
    span_annotations = fields.Boolean(data_key="spanAnnotations", load_default=False)
    do_not_store = fields.Boolean(data_key="doNotStore", load_default=False)
    drop_unsupported = fields.Boolean(data_key="dropUnsupportedAttributes", load_default=False)

    @post_load
    def _request(self, data: dict[str, Any], **_: Any) -> AnalyzeRequest:
        return AnalyzeRequest(
            text=data["comment"]["text"],
            text_type=data["comment"]["type"],
            attributes={
                name: AttributeRequest(params["score_type"], params["score_threshold"])
                for name, params in data["requested_attributes"].items()
            },
            languages=data["languages"],
            span_annotations=data["span_annotations"],
            do_not_store=data["do_not_store"],
            drop_unsupported=data["drop_unsupported"],
            client_token=data["client_token"],
        )


class SuggestRequestSchema(_CommentRequest):
    attribute_scores = fields.Dict(
        data_key="attributeScores",
        keys=fields.String(),
        values=fields.Nested(SuggestedScoresSchema),
        load_default=dict,
    )

    @post_load
    def _request(self, data: dict[str, Any], **_: Any) -> SuggestRequest:
        return SuggestRequest(
            text=data["comment"]["text"],
            text_type=data["comment"]["type"],
            scores={
                name: scores["summary_score"]["value"]
                for name, scores in data["attribute_scores"].items()
            },
            suggested={
                name: {"summaryScore": scores["summary_score"]}
                | ({"spanScores": scores["span_scores"]} if scores["span_scores"] else {})
                for name, scores in data["attribute_scores"].items()
            },
            languages=data["languages"],
            client_token=data["client_token"],
            session_id=data["session_id"],
            community_id=data["community_id"],
            context=data["context"],
        )
