"""What readers send to edit their comments and what they are told, and the nudge's answer."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from comments.schemas.public import (
    BODY_METADATA,
    BODY_RULES,
    MAX_ID,
    CleanLine,
    CleanText,
    RemovedCommentSchema,
    SubmittedCommentSchema,
)
from comments.services.held import MAX_ASKED

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
    #: How many more times the window may be extended (POST .../edit-extensions).
    edit_extensions_left = fields.Integer()


class EditExtendedSchema(Schema):
    """Only to the poster: the edit window's new end, and the extensions still allowed."""

    id = fields.Integer()
    editable_until = fields.DateTime(format="iso")
    edit_extensions_left = fields.Integer()


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


class OwnCommentSchema(Schema):
    """One of the caller's comments: its id and the edit token its POST answered."""

    class Meta:
        unknown = RAISE

    id = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_ID))
    edit_token = fields.String(required=True, validate=validate.Length(1, 200))


class HeldQuerySchema(Schema):
    """The comments a browser posted and was told were held, asked about by their tokens."""

    class Meta:
        unknown = RAISE

    comments = fields.List(
        fields.Nested(OwnCommentSchema),
        required=True,
        validate=validate.Length(max=MAX_ASKED, error="At most {max} comments at once."),
    )


class HeldCommentsSchema(Schema):
    """Only to the author: each comment asked about is in exactly one of the lists."""

    #: Still awaiting moderation, oldest first, as the POST answered them (status "pending").
    held = fields.List(fields.Nested(SubmittedCommentSchema))
    #: Published since: the thread shows them.
    published = fields.List(fields.Integer())
    #: No longer to be shown: rejected, deleted, unknown, or not opened by the token sent.
    gone = fields.List(fields.Integer())
    #: Unpublished comments the held replies answer, as the thread's `removed`.
    removed = fields.List(fields.Nested(RemovedCommentSchema))
