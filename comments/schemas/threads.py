"""The moderation API's thread listing and thread changes. What a change may set is
ThreadSettingsSchema (comments.schemas.public), the one `flask threads update` loads."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from comments.schemas.public import MAX_ID, CleanLine
from comments.services.thread_listing import BadThreadCursor, decode_cursor

#: Thread.closed in words: staff closed it, staff opened it, or it follows the site.
CLOSED_SETTINGS = ("closed", "open", "site")


class ThreadListQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    #: The ``next`` of the previous page.
    cursor = fields.String(load_default=None, validate=validate.Length(1, 200))

    @validates_schema
    def _cursor_of_this_listing(self, data: dict[str, Any], **_: Any) -> None:
        """A forged cursor is a 422, never a query with an id the database cannot hold."""
        if not data["cursor"]:
            return
        try:
            after_id = decode_cursor(data["cursor"])[1]
        except BadThreadCursor as error:
            raise ValidationError(str(error), "cursor") from error
        if after_id > MAX_ID:
            raise ValidationError("Not a cursor of this listing.", "cursor")


class ThreadKeyQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    thread = CleanLine(
        required=True,
        validate=validate.Length(1, 512),
        metadata={"description": "The thread's key: the page key or path the widget names."},
    )


class ThreadSummarySchema(Schema):
    key = fields.String()
    title = fields.String()
    url = fields.String(allow_none=True)
    published = fields.Integer(metadata={"description": "Its published comments."})
    last_comment_at = fields.AwareDateTime(
        metadata={"description": "When a comment (of any status) was last posted on it."}
    )
    created_at = fields.AwareDateTime(
        metadata={
            "description": "Its first comment's time, from which the site's close_after_days"
            " counts."
        }
    )
    closed = fields.Boolean(metadata={"description": "It takes no new comments or replies now."})
    closed_setting = fields.String(
        validate=validate.OneOf(CLOSED_SETTINGS),
        metadata={
            "description": "Staff's word: closed, open (even past the site's close_after_days),"
            " or site (closed once its first comment is older than close_after_days)."
        },
    )
    closed_changed_at = fields.AwareDateTime(allow_none=True)
    closed_changed_by = fields.String(
        allow_none=True,
        metadata={"description": "The staff member who last set it; null from the CLI."},
    )


class ThreadListingSchema(Schema):
    items = fields.List(fields.Nested(ThreadSummarySchema))
    next = fields.String(allow_none=True)
