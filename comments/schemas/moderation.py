"""The moderation API's input and output: staff see author details, the public never does."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from comments.models import STATUSES
from comments.schemas.classifier import ExplanationSchema
from comments.schemas.public import MAX_ID, CleanLine, CleanText, WholeMatch
from comments.services.moderation.authors import BAN_SCOPES, TRUST, UNTRUST
from comments.services.moderation.decisions import ACTIONS
from comments.services.moderation.queue import QUEUES, SORTS, BadCursor, decode_cursor

_unit = validate.Range(0.0, 1.0)
#: Characters of a queue search (q): a phrase of a few words, each one a LIKE over the queue.
MAX_SEARCH = 200


def _some_word(value: str) -> None:
    """A blank search (spaces, or only invisible characters, once cleaned) selects nothing to
    look for: "Length must be between 1 and 200." did not say what was missing."""
    if not value:
        raise ValidationError("Enter a word to search for.")


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
    q = CleanLine(
        load_default=None,
        validate=[_some_word, validate.Length(max=MAX_SEARCH)],
        metadata={
            "description": "Words separated by spaces, each of which the comment's text (as "
            "its author wrote it) or its author's name must contain, in any letter case; "
            "% and _ are literal."
        },
    )
    sort = fields.String(load_default="newest", validate=validate.OneOf(SORTS))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = fields.String(load_default=None, validate=validate.Length(1, 200))

    @validates_schema
    def _cursor_of_this_sort(self, data: dict[str, Any], **_: Any) -> None:
        """Cursors come back from clients: a forged one is a 422, never a query with an id the
        database cannot hold."""
        if not data["cursor"]:
            return
        try:
            _, after_id = decode_cursor(data["cursor"], data["sort"])
            valid = 1 <= after_id <= MAX_ID
        except BadCursor:
            valid = False
        if not valid:
            raise ValidationError("Not a cursor of this sort.", "cursor")

    @validates_schema
    def _ranges_not_inverted(self, data: dict[str, Any], **_: Any) -> None:
        """A range whose end is below its start selects nothing: say so, not an empty queue."""
        errors = {}
        for head in ("toxicity", "spam"):
            low, high = data.get(f"min_{head}"), data.get(f"max_{head}")
            if low is not None and high is not None and high < low:
                errors[f"max_{head}"] = [f"Must not be below min_{head} ({low:g})."]
        if errors:
            raise ValidationError(errors)


class DecisionSchema(Schema):
    class Meta:
        unknown = RAISE

    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = CleanLine(load_default="", validate=validate.Length(max=200))
    note = CleanText(load_default="", validate=validate.Length(max=2000))
    expected_status = fields.String(
        load_default=None,
        validate=validate.OneOf(STATUSES),
        metadata={
            "description": "The status the moderator saw: if the comment has another status "
            "now (someone decided meanwhile), the answer is 409 and nothing changes."
        },
    )
    expected_decision = fields.Integer(
        load_default=None,
        strict=True,
        validate=validate.Range(1, MAX_ID),
        metadata={
            "description": "The item's latest_decision as the moderator saw it: if a decision "
            "came since (another moderator's, or its author's edit), the answer is 409 and "
            "nothing changes."
        },
    )
    reports_seen = fields.Integer(
        load_default=None,
        strict=True,
        validate=validate.Range(0, MAX_ID),
        metadata={
            "description": "The id of the newest report the moderator was shown (0 for none): "
            "a decision that leaves the comment published resolves only those reports; newer "
            "ones stay open (open_reports), and the comment in the reported queue. Without "
            "it, every open report is resolved."
        },
    )


class BulkDecisionSchema(DecisionSchema):
    class Meta:
        unknown = RAISE
        exclude = ("expected_status", "expected_decision")

    ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, MAX_ID)),
        required=True,
        validate=validate.Length(1, 500),
    )
    #: Per id (as a string, JSON's keys are), the latest_decision the moderator saw: an id
    #: decided or edited since is refused, the others are decided.
    expected_decisions = fields.Dict(
        keys=fields.String(validate=WholeMatch(r"^[1-9][0-9]{0,15}$")),
        values=fields.Integer(strict=True, validate=validate.Range(1, MAX_ID)),
        load_default=dict,
    )
    #: Per id, the newest report id its card showed (0 for none): the one decision's
    #: reports_seen, a map here under the same name.
    reports_seen = fields.Dict(  # type: ignore[assignment]
        keys=fields.String(validate=WholeMatch(r"^[1-9][0-9]{0,15}$")),
        values=fields.Integer(strict=True, validate=validate.Range(0, MAX_ID)),
        load_default=dict,
    )

    @validates_schema
    def _expected_of_listed_ids(self, data: dict[str, Any], **_: Any) -> None:
        listed = {str(i) for i in data.get("ids", [])}
        for name in ("expected_decisions", "reports_seen"):
            if unknown := set(data.get(name, {})) - listed:
                raise ValidationError(f"Not in ids: {', '.join(sorted(unknown, key=int))}.", name)

    @post_load
    def _ids_as_numbers(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        for name in ("expected_decisions", "reports_seen"):
            data[name] = {int(k): v for k, v in data[name].items()}
        return data


class BanSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = CleanLine(load_default="", validate=validate.Length(max=200))
    reject_comments = fields.Boolean(load_default=False)
    #: email_and_ip, email (spares others behind a shared IP address) or ip.
    by = fields.String(load_default="email_and_ip", validate=validate.OneOf(BAN_SCOPES))


class ScoresSchema(Schema):
    toxicity = fields.Float(allow_none=True)
    spam = fields.Float(allow_none=True)
    model_version = fields.String(allow_none=True)


class ReportSchema(Schema):
    #: Ascending: the newest shown is a decision's reports_seen.
    id = fields.Integer()
    reason = fields.String()
    text = fields.String()
    created_at = fields.DateTime(format="iso")


class AuthorSchema(Schema):
    name = fields.String()
    email = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    ip_hash = fields.String(allow_none=True)
    #: The author's comments on the site (this one included), counted by status, found as the
    #: rules find an author's standing: by e-mail address, else by IP hash.
    history = fields.Dict(keys=fields.String(), values=fields.Integer())
    #: "email", "ip_hash", or null when the comment has neither.
    history_by = fields.String(allow_none=True)
    #: Trusted on the site: their comments skip the queue unless a hard rule or a sure model fires.
    trusted = fields.Boolean()
    #: A live ban on the site matches their e-mail or IP hash: their new comments are filed
    #: as spam, and they cannot be trusted until it is lifted.
    banned = fields.Boolean()
    #: Comments by other authors from the same IP hash on the site (told apart by e-mail):
    #: a ban that matches the address rejects and files those too.
    shared_address = fields.Dict(keys=fields.String(), values=fields.Integer())


class ThreadSchema(Schema):
    key = fields.String()
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    #: Its page takes no new comments or replies now (staff closed it, or the site's limit).
    closed = fields.Boolean()


class SignalSchema(Schema):
    name = fields.String()
    detail = fields.Dict(allow_none=True)


class ModeratedCommentSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    #: A "[deleted]" placeholder left where an erased or purged comment was answered: no
    #: decision applies to it (409).
    placeholder = fields.Boolean()
    site = fields.String()
    thread = fields.Nested(ThreadSchema)
    parent_id = fields.Integer(allow_none=True)
    author = fields.Nested(AuthorSchema)
    body = fields.String()
    html = fields.String()
    created_at = fields.DateTime(format="iso")
    published_at = fields.DateTime(format="iso", allow_none=True)
    scores = fields.Nested(ScoresSchema)
    explanation = fields.Nested(ExplanationSchema, allow_none=True)
    signals = fields.List(fields.Nested(SignalSchema))
    reports = fields.List(fields.Nested(ReportSchema))
    #: The id of the latest decision about the comment (a moderator's, the model's, or its
    #: author's edit): send it back as expected_decision.
    latest_decision = fields.Integer(allow_none=True)


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


class RevisionSchema(Schema):
    """The comment before one of its author's edits, as the model judged it then."""

    body = fields.String()
    html = fields.String()
    author_name = fields.String()
    status = fields.String()
    signals = fields.List(fields.String())
    scores = fields.Nested(ScoresSchema)
    edited_at = fields.DateTime(format="iso")


class ActionSchema(Schema):
    """An action the comment's status allows now, as the moderation UI offers it."""

    #: What to send as a decision's ``action``.
    name = fields.String(validate=validate.OneOf(ACTIONS))
    #: The button's text ("Keep (dismiss reports)" for approving a reported, published comment).
    label = fields.String()
    #: The queue's single-key shortcut, or "" for none.
    key = fields.String(validate=validate.Length(max=1))


class AuthorActionSchema(Schema):
    """What may be decided about the comment's author now, as the card offers it."""

    #: trust: POST /comments/ID/trust; untrust: DELETE /comments/ID/trust.
    name = fields.String(validate=validate.OneOf((TRUST.name, UNTRUST.name)))
    #: The button's text ("Trust author", "Stop trusting author").
    label = fields.String()


class CommentDetailSchema(ModeratedCommentSchema):
    history = fields.List(fields.Nested(DecisionRecordSchema))
    #: Earlier texts replaced by the author's edits, oldest first.
    revisions = fields.List(fields.Nested(RevisionSchema))
    #: The actions its status (and open reports) allow now, in the order the UI shows them:
    #: any other is refused with 409. Whoever asks: a role that cannot decide still gets them.
    actions = fields.List(fields.Nested(ActionSchema))
    #: What its author's standing (trusted, banned) and its status allow about the author now:
    #: trust (an author with an e-mail, of a published or pending comment, not banned) or
    #: untrust (a trusted author); empty for neither.
    author_actions = fields.List(fields.Nested(AuthorActionSchema))


class QueuePageSchema(Schema):
    items = fields.List(fields.Nested(ModeratedCommentSchema))
    #: Comments per queue, over the sites the caller may see, exact up to QUEUE_COUNT_CAP (1,000).
    counts = fields.Dict(
        keys=fields.String(validate=validate.OneOf(QUEUES)), values=fields.Integer()
    )
    #: Queues with more comments than their count shows: read their count as "1,000+".
    counts_capped = fields.List(fields.String(validate=validate.OneOf(QUEUES)))
    #: The cursor of the next page, or None on the last one.
    next = fields.String(allow_none=True)


class DecisionResultSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    #: The decision just recorded: the comment's latest_decision now.
    decision = fields.Integer()
    #: Its reports still open: a restore leaves them, and keeping it leaves those newer than
    #: reports_seen; while any is, the comment stays in the reported queue.
    open_reports = fields.Integer()


class BulkDecisionItemSchema(DecisionResultSchema):
    ok = fields.Boolean()
    #: Why this id was not decided (only when ok is false).
    error = fields.String()


class BulkDecisionResultSchema(Schema):
    results = fields.List(fields.Nested(BulkDecisionItemSchema))
    decided = fields.Integer()


class BanResultSchema(Schema):
    ban_id = fields.Integer()
    #: False when the author was banned already by the same keys: that ban is the answer.
    created = fields.Boolean()
    #: Comments of the author rejected with the ban.
    rejected = fields.List(fields.Integer())


class BanQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    site = fields.String(load_default=None, validate=validate.Length(1, 64))
    include_lifted = fields.Boolean(load_default=False)
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    #: The ``next`` of the previous page.
    cursor = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))


class BanRecordSchema(Schema):
    id = fields.Integer()
    site = fields.String()
    email = fields.String(allow_none=True)
    ip_hash = fields.String(allow_none=True)
    reason = fields.String()
    #: The comment that led to the ban, if it still exists.
    comment_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(format="iso")
    banned_by = fields.String(allow_none=True)
    lifted_at = fields.DateTime(format="iso", allow_none=True)
    lifted_by = fields.String(allow_none=True)


class BanPageSchema(Schema):
    items = fields.List(fields.Nested(BanRecordSchema))
    next = fields.Integer(allow_none=True)


class BanLiftedSchema(Schema):
    ban_id = fields.Integer()
    lifted = fields.Boolean()


class TrustResultSchema(Schema):
    email = fields.String(allow_none=True)
    trusted = fields.Boolean()
    #: A live ban on the site matches their e-mail or IP hash: their new comments are filed
    #: as spam, and they cannot be trusted until it is lifted.
    banned = fields.Boolean()
