"""What readers send to edit their comments and what they are told, and the nudge's answer."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from comments.schemas.public import (
    BODY_METADATA,
    BODY_RULES,
    CleanLine,
    CleanText,
    SubmittedCommentSchema,
)

#: The header carrying the edit token the poster received with their comment.
EDIT_TOKEN_HEADER = "X-Edit-Token"


class CommentEditSchema(Schema):
    class Meta:
        unknown = RAISE

    body = CleanText(required=True, validate=BODY_RULES, metadata=BODY_METADATA)
    author_name = CleanLine(load_default=None, validate=validate.Length(max=80))


class PostedCommentSchema(SubmittedCommentSchema):
    """Only to the poster: the token that lets them edit or delete it, and until when."""

    edit_token = fields.String()
    editable_until = fields.DateTime(format="iso")


class NudgeWordSchema(Schema):
    feature = fields.String()
    #: [start, end) in characters (code points) of the nudge's ``text``.
    start = fields.Integer()
    end = fields.Integer()


class NudgeSchema(Schema):
    #: Send it back as ``nudge_id`` with the resubmission.
    id = fields.String()
    words = fields.List(fields.Nested(NudgeWordSchema))
    #: The comment as the service read it (cleaned), which the offsets refer to.
    text = fields.String()
    message = fields.String()


class NudgedSchema(Schema):
    """202: nothing was stored; the poster may rephrase or post the same text anyway."""

    nudge = fields.Nested(NudgeSchema)


class DeletedCommentSchema(Schema):
    id = fields.Integer()
    deleted = fields.Boolean()
