"""What the public API accepts (allow-lists with bounds) and returns (never e-mail or IP)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from comments.services.reports import REASONS as REPORT_REASONS
from comments.text import clean_line, clean_multiline, has_visible_text

MAX_ID = 2**53 - 1  # the largest integer a JavaScript widget can hold exactly


class WholeMatch(validate.Regexp):
    """``validate.Regexp`` matching the whole value: its ``re.match`` let a ``$`` pattern accept
    a final newline ("abcdefgh\\n"). The pattern keeps ``$``, so the OpenAPI document's stays
    one that JavaScript's regular expressions read the same way (they have no ``\\Z``)."""

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class CleanLine(fields.String):
    """A one-line string, cleaned before its length and format are checked."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return clean_line(super()._deserialize(value, attr, data, **kwargs))


class CleanText(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return clean_multiline(super()._deserialize(value, attr, data, **kwargs))


class WebAddress(CleanLine):
    """Readers type "example.com": a bare host gets https://, anything else stays as typed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        address = super()._deserialize(value, attr, data, **kwargs)
        if address and "://" not in address and ":" not in address.split("/", 1)[0]:
            return "https://" + address
        return address


def _visible(value: str) -> None:
    """Refuse a body a reader would see as empty: blank once cleaned (controls, bidi marks,
    lone surrogates), or only zero-width characters, combining marks and blank letters."""
    if not has_visible_text(value):
        raise ValidationError("Must contain visible text.")


def _visible_or_empty(value: str) -> None:
    """A name is optional, but one that draws nothing (a Hangul filler, combining marks) would
    show a blank where readers and moderators look for who wrote the comment."""
    if value and not has_visible_text(value):
        raise ValidationError("Must contain visible text, or be left empty.")


#: A comment's body, as posted or edited (cleaned first, so "   " is blank); minLength for
#: the OpenAPI document, which cannot see inside _visible.
BODY_RULES: list[Callable[[Any], Any]] = [
    _visible,
    validate.Length(max=10_000, error="Must be at most {max} characters."),
]
BODY_METADATA = {"minLength": 1, "description": "Markdown; must contain visible text."}


def optional(validator: Any) -> Any:
    """Apply a validator only to a non-empty value: empty means "not given"."""

    def check(value: Any) -> None:
        if value:
            validator(value)

    return check


_http_url = optional(
    validate.URL(schemes={"http", "https"}, error="Must be an http or https address.")
)


#: A retried comment's key (a UUID fits), in the body or the Idempotency-Key header alike.
IDEMPOTENCY_KEY_RULES = [
    validate.Length(8, 64),
    WholeMatch(r"^[A-Za-z0-9_-]+$", error="Only letters, digits, - and _."),
]


class HeaderKey(fields.String):
    """A key sent bare, as most clients do, or as the structured-field string ("...") that
    the IETF draft "The Idempotency-Key HTTP Header Field" specifies; the quotes are not
    part of the key."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        key = super()._deserialize(value, attr, data, **kwargs)
        return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


class CommentCreateHeadersSchema(Schema):
    """Headers of POST /comments beyond those of every request."""

    idempotency_key = HeaderKey(
        data_key="Idempotency-Key",
        load_default=None,
        validate=IDEMPOTENCY_KEY_RULES,
        metadata={
            "description": "The same as the body's `idempotency_key` (send either, or the same"
            ' key in both); a quoted key (`"..."`) is the same key.'
        },
    )


class CommentCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    site = CleanLine(load_default="default", validate=validate.Length(1, 64))
    thread = CleanLine(required=True, validate=validate.Length(1, 512))
    thread_title = CleanLine(load_default="", validate=validate.Length(max=300))
    thread_url = WebAddress(
        load_default="", allow_none=True, validate=[validate.Length(max=2048), _http_url]
    )
    parent_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, MAX_ID)
    )
    author_name = CleanLine(load_default="", validate=[_visible_or_empty, validate.Length(max=80)])
    author_email = CleanLine(
        load_default="",
        validate=[
            validate.Length(max=254),
            optional(validate.Email(error="Not a valid email address.")),
        ],
    )
    author_url = WebAddress(load_default="", validate=[validate.Length(max=200), _http_url])
    body = CleanText(required=True, validate=BODY_RULES, metadata=BODY_METADATA)
    form_token = CleanLine(load_default=None, allow_none=True, validate=validate.Length(max=512))
    honeypot = CleanLine(load_default="", validate=validate.Length(max=2_000))
    idempotency_key = fields.String(
        load_default=None, allow_none=True, validate=IDEMPOTENCY_KEY_RULES
    )
    #: The widget asks to be told, instead of the comment being held as toxic (nothing stored).
    nudge = fields.Boolean(load_default=False)
    #: A resubmission after a nudge: decided normally, and the nudge records how it ended.
    nudge_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=[
            validate.Length(8, 32),
            WholeMatch(r"^[A-Za-z0-9_-]+$", error="Only letters, digits, - and _."),
        ],
    )
    #: The author asks to be e-mailed replies (needs author_email; confirmed by a mailed link).
    notify_replies = fields.Boolean(load_default=False)

    @post_load
    def _stored_form(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Empty optional fields become None; e-mail addresses compare case-insensitively."""
        data["author_email"] = data["author_email"].lower() or None
        data["author_url"] = data["author_url"] or None
        data["thread_url"] = data["thread_url"] or None
        return data


class ThreadSettingsSchema(Schema):
    """What staff may correct about a thread: the title and page address its first comment
    gave (any reader can post first, with any title); and whether it takes new comments."""

    class Meta:
        unknown = RAISE

    title = CleanLine(validate=validate.Length(max=300))
    url = WebAddress(allow_none=True, validate=[validate.Length(max=2048), _http_url])
    #: True: closed to new comments; False: open whatever its age; None: as the site says.
    closed = fields.Boolean(allow_none=True)


class NewThreadSchema(ThreadSettingsSchema):
    """A thread staff make before its page's first comment: its key as the widget sends it."""

    key = CleanLine(required=True, validate=validate.Length(1, 512))


class ThreadQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    site = CleanLine(load_default="default", validate=validate.Length(1, 64))
    thread = CleanLine(required=True, validate=validate.Length(1, 512))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    cursor = fields.String(
        load_default=None, validate=WholeMatch(r"^[0-9]{1,16}$", error="Not a valid cursor.")
    )
    since = fields.AwareDateTime(
        load_default=None,
        default_timezone=UTC,
        error_messages={"invalid": "Not an ISO 8601 time, e.g. 2026-12-07T12:00:00.123456+00:00."},
        validate=validate.Range(
            datetime(2000, 1, 1, tzinfo=UTC),
            datetime(9999, 1, 1, tzinfo=UTC),
            error="Must be a time from 2000 on, as an earlier answer's `since` gives it.",
        ),
        metadata={
            "description": "Only comments posted, approved, restored or edited at or after this"
            " time, and in `withdrawn` the ids of those taken down or deleted since: send back"
            " the `since` of an earlier answer to hear of what is new. Older than the deletions"
            " the thread still remembers (30 days of them): 410, read the thread again."
        },
    )


class FormTokenQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    site = CleanLine(load_default="default", validate=validate.Length(1, 64))
    thread = CleanLine(required=True, validate=validate.Length(1, 512))


class ReportCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.OneOf(REPORT_REASONS))
    text = CleanText(load_default="", validate=validate.Length(max=1000))


#: What a poster is told: a comment filed as spam looks the same as one awaiting moderation.
PUBLIC_STATUS = {"published": "published", "pending": "pending", "spam": "pending"}


class PublicCommentSchema(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    author_url = fields.String(allow_none=True)
    html = fields.String(attribute="body_html")
    created_at = fields.DateTime(format="iso")


class SubmittedCommentSchema(PublicCommentSchema):
    status = fields.Function(
        lambda comment: PUBLIC_STATUS.get(comment.status, "pending"),
        metadata={"type": "string", "enum": sorted(set(PUBLIC_STATUS.values()))},
    )


class RemovedCommentSchema(Schema):
    """A comment no longer published that replies on the page answer: where it was, only."""

    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)


class ThreadPageSchema(Schema):
    comments = fields.List(fields.Nested(PublicCommentSchema))
    total = fields.Integer()
    #: The cursor of the next page, or None on the last one.
    next = fields.String(allow_none=True)
    #: Unpublished comments the page's replies answer (and what those answered), so a reader
    #: sees a placeholder where each was in the conversation.
    removed = fields.List(fields.Nested(RemovedCommentSchema))
    #: The watermark to send back as `since`; None while the thread has no published comment.
    since = fields.DateTime(format="iso", allow_none=True)
    withdrawn = fields.List(
        fields.Integer(),
        metadata={
            "description": "With `since`: the ids of the thread's comments that were published"
            " and no longer are (rejected, filed as spam, deleted by their author, or held"
            " again after an edit), changed at or after it, and of those deleted outright"
            " since (a privacy erasure, a retention purge), paged with `comments`; a page"
            " showing one replaces it with a placeholder. Comments never published here are"
            " never listed. Always empty without `since`."
        },
    )
    closed = fields.Boolean(
        metadata={
            "description": "The thread takes no new comments or replies (staff closed it, or"
            " its site closes threads whose first comment is older than some days): a post"
            " is refused with 409. A page without comments yet is open, unless staff made"
            " its thread ahead of them."
        }
    )


class FormTokenSchema(Schema):
    token = fields.String()
    min_seconds = fields.Integer()
    replies_by_mail = fields.Boolean(
        metadata={
            "description": "The service sends e-mail (SMTP_HOST is set), so a comment's"
            ' notify_replies is acted on; the widget offers "E-mail me replies" only then.'
        }
    )


class ReportCreatedSchema(Schema):
    id = fields.Integer()
    comment_id = fields.Integer()
    reason = fields.String(validate=validate.OneOf(REPORT_REASONS))
