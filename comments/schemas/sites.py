"""A site's settings as staff read them and admins change them (the API and the Site page).

The bounds are the CLI's (`flask sites update`), from the same constants; the rules that span
fields or need the site (origins' form, spam_hold <= spam_file, list entries that would match
nothing) are the service's, which the CLI shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from comments.models import ERASURE_MODES, MODERATION_MODES
from comments.schemas.public import MAX_ID, CleanLine
from comments.services.sites import (
    MAX_CLOSE_AFTER_DAYS,
    MAX_EDIT_WINDOW_SECONDS,
    MAX_LINKS,
    MAX_MIN_FORM_SECONDS,
)
from comments.services.thread_listing import BadThreadCursor, decode_cursor

#: Bounds a JSON client meets and the command line never did: the number of entries in a list,
#: and the length of each (a domain name's limit; words and origins alike).
MAX_LIST_ENTRIES = 1000
MAX_ENTRY_LENGTH = 253
MAX_TITLE_LENGTH = 200  # the column's
#: The service calls the origins list ``origins`` (as the CLI's --origin), `describe` and the
#: API ``allowed_origins``.
_API_NAMES = {"origins": "allowed_origins"}


def _threshold(what: str) -> fields.Float:
    return fields.Float(
        allow_none=True,
        validate=validate.Range(0.0, 1.0),
        metadata={"description": f"{what}; null follows the deciding model's threshold."},
    )


def _entries(what: str, **options: Any) -> fields.List[str]:
    return fields.List(
        CleanLine(validate=validate.Length(max=MAX_ENTRY_LENGTH)),
        validate=validate.Length(max=MAX_LIST_ENTRIES),
        metadata={"description": f"{what}: the whole list, which replaces the site's."},
        **options,
    )


def _whole(maximum: int, what: str) -> fields.Integer:
    return fields.Integer(
        strict=True, validate=validate.Range(0, maximum), metadata={"description": what}
    )


class SiteUpdateSchema(Schema):
    """Only the settings sent change; a list is sent whole. Loads to the service's names."""

    class Meta:
        unknown = RAISE

    title = CleanLine(validate=validate.Length(max=MAX_TITLE_LENGTH))
    origins = _entries(
        "Origins whose pages may embed the widget, like https://a.example",
        data_key="allowed_origins",
    )
    moderation = fields.String(
        validate=validate.OneOf(MODERATION_MODES),
        metadata={"description": "auto: the policy decides; all: every comment waits."},
    )
    toxicity_hold = _threshold("Hold at or above this toxicity")
    spam_hold = _threshold("Hold at or above this spam score (not above spam_file)")
    spam_file = _threshold("File as spam at or above this score")
    blocked_words = _entries("Words and phrases that hold a comment")
    blocked_domains = _entries("Link domains (and their subdomains) that hold a comment")
    max_links = _whole(MAX_LINKS, "Hold comments with more links than this.")
    hold_commercial_terms = fields.Boolean(
        metadata={"description": "Hold a comment that links somewhere and uses spam's words."}
    )
    require_form_token = fields.Boolean(
        metadata={"description": "Refuse comments without the widget's signed form token."}
    )
    min_form_seconds = _whole(
        MAX_MIN_FORM_SECONDS, "Refuse comments sent sooner than this after the form appeared."
    )
    edit_window_seconds = _whole(
        MAX_EDIT_WINDOW_SECONDS, "How long readers may edit or delete their comments (0: never)."
    )
    close_after_days = _whole(
        MAX_CLOSE_AFTER_DAYS, "Close threads whose first comment is older (0: never)."
    )
    erasure = fields.String(
        validate=validate.OneOf(ERASURE_MODES),
        metadata={"description": "What erasing an author does to their comments."},
    )


def api_field_errors(errors: Mapping[str, Any]) -> dict[str, Any]:
    """The service's field errors under the names a client sent."""
    return {_API_NAMES.get(name, name): messages for name, messages in errors.items()}


class ModelThresholdsSchema(Schema):
    toxicity_hold = fields.Float(required=True)
    spam_hold = fields.Float(required=True)
    spam_file = fields.Float(required=True)


class SiteSchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    allowed_origins = fields.List(fields.String(), required=True)
    moderation = fields.String(required=True)
    toxicity_hold = fields.Float(required=True, allow_none=True)
    spam_hold = fields.Float(required=True, allow_none=True)
    spam_file = fields.Float(required=True, allow_none=True)
    blocked_words = fields.List(fields.String(), required=True)
    blocked_domains = fields.List(fields.String(), required=True)
    max_links = fields.Integer(required=True)
    hold_commercial_terms = fields.Boolean(required=True)
    require_form_token = fields.Boolean(required=True)
    min_form_seconds = fields.Integer(required=True)
    edit_window_seconds = fields.Integer(required=True)
    close_after_days = fields.Integer(required=True)
    erasure = fields.String(required=True)
    #: What a threshold left null means now: the deciding model's (null while none is loaded).
    model_thresholds = fields.Nested(ModelThresholdsSchema, allow_none=True)


class SiteUpdatedSchema(SiteSchema):
    #: The settings this request changed (empty when every value was as sent).
    changed = fields.List(fields.String(), required=True)


class SiteListSchema(Schema):
    sites = fields.List(fields.Nested(SiteSchema), required=True)


class SiteChangesQuerySchema(Schema):
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
            raise ValidationError("Not a cursor of this listing.", "cursor") from error
        if after_id > MAX_ID:
            raise ValidationError("Not a cursor of this listing.", "cursor")


class SiteChangeSchema(Schema):
    id = fields.Integer()
    setting = fields.String(
        metadata={
            "description": "The setting as GET /sites/<name> names it, or `created` for the "
            "site's first entry: `after` holds every setting it started with, `before` is null."
        }
    )
    before = fields.Raw(allow_none=True, metadata={"description": "Its value before."})
    after = fields.Raw(allow_none=True, metadata={"description": "Its value after."})
    actor = fields.String(
        metadata={
            "description": "Who changed it: the staff member's name at the time, `cli` "
            "(flask sites create and update) or `calibrate` (flask classifier calibrate "
            "--apply)."
        }
    )
    staff_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The staff account; null from the CLI or once deleted."},
    )
    created_at = fields.AwareDateTime()


class SiteChangesSchema(Schema):
    items = fields.List(fields.Nested(SiteChangeSchema))
    next = fields.String(allow_none=True, metadata={"description": "The next page's cursor."})
