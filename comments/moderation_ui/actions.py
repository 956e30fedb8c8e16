"""The no-JavaScript path: HTML forms that decide, then redirect back to the page they came from.

Each route calls the same service function as the JSON API, commits once, and reports the
outcome as a flashed message; an illegal transition is a message, not an error page.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from comments.api.contract import ID
from comments.auth import MODERATE
from comments.extensions import db
from comments.moderation_ui import bp, reads
from comments.moderation_ui.guards import page, safe_next, signed_in_staff
from comments.schemas.moderation import BanSchema, BulkDecisionSchema, DecisionSchema
from comments.services.moderation import authors
from comments.services.moderation.decisions import (
    DecisionRequest,
    IllegalTransition,
    decide_comment,
    open_reports,
)

_decision = DecisionSchema()
_bulk = BulkDecisionSchema()
_ban = BanSchema()
PAST_TENSE = {
    "approve": "approved",
    "reject": "rejected",
    "spam": "marked as spam",
    "not_spam": "marked as not spam",
    "restore": "restored to pending",
}
#: What an action did to a comment that was published, where the plain word would mislead:
#: approving one (that readers reported) keeps it, "approved" would suggest it had been held;
#: restoring one takes it down, "restored" would suggest it had been down.
ON_PUBLISHED = {"approve": "kept, reports dismissed", "restore": "unpublished, back to pending"}


def past_tense(action: str, was_published: bool) -> str:
    """What a decision did, in the words of the flashed message (queue.js says the same)."""
    return ON_PUBLISHED.get(action, PAST_TENSE[action]) if was_published else PAST_TENSE[action]


def _decided(count: int, published: int, action: str) -> str:
    """What a bulk decision did, telling apart the comments that were published, where the
    action means something else for them (kept, unpublished)."""
    if action not in ON_PUBLISHED:
        count, published = count + published, 0
    parts = []
    if count or not published:
        parts.append(f"{count} comment{'s' if count != 1 else ''} {PAST_TENSE[action]}")
    if published:
        parts.append(f"{published} comment{'s' if published != 1 else ''} {ON_PUBLISHED[action]}")
    return "; ".join(parts) + "."


def came_since(action: str, still_open: int) -> str:
    """What a decision left of its comment's reports: those newer than its card showed stay
    open when it was kept (card.js says the same); a restore resolves none anyway."""
    if action == "restore" or not still_open:
        return ""
    many = still_open != 1
    return f"{still_open} newer report{'s' if many else ''} {'are' if many else 'is'} still open"


def _back() -> Response:
    return redirect(safe_next(request.form.get("next")), code=303)


def _load(schema: Schema, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The form's fields, validated like the API's; None (and a message) when invalid."""
    try:
        data: dict[str, Any] = schema.load(payload)
    except ValidationError as error:
        fields = ", ".join(sorted(error.messages)) if isinstance(error.messages, dict) else ""
        flash(f"The form was not valid ({fields}); nothing was changed.", "error")
        return None
    return data


def _decision_fields() -> dict[str, Any]:
    return {name: request.form.get(name, "") for name in ("action", "reason", "note")}


def _number(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None  # isdigit takes "²"


def _shown() -> dict[str, Any]:
    """What the card showed (its status, latest decision and newest report), so a decision
    made meanwhile by someone else is not undone, nor a text its author changed meanwhile
    decided unread, nor a report that came since dismissed unread."""
    shown: dict[str, Any] = {}
    if status := request.form.get("expected_status"):
        shown["expected_status"] = status
    for name in ("expected_decision", "reports_seen"):
        if (value := _number(request.form.get(name, ""))) is not None:
            shown[name] = value
    return shown


def _shown_by_id(ids: list[int], name: str) -> dict[str, int]:
    """What each selected card showed, from its hidden ``NAME_ID`` (``expected_decision_12``:
    its latest decision, ``reports_seen_12``: its newest report)."""
    shown = {}
    for comment_id in ids:
        if (value := _number(request.form.get(f"{name}_{comment_id}", ""))) is not None:
            shown[str(comment_id)] = value
    return shown


@bp.post(f"/comments/<{ID}:comment_id>/decision")
@page(MODERATE)
def decide(comment_id: int) -> Response:
    session = db.session()
    comment = reads.visible_comment(session, signed_in_staff(), comment_id)
    data = _load(_decision, {**_decision_fields(), **_shown()})
    if data is None:
        return _back()
    request_ = DecisionRequest(
        data["action"],
        data["reason"],
        data["note"],
        data["expected_status"],
        data["expected_decision"],
        data["reports_seen"],
    )
    was_published = comment.status == "published"
    try:
        decide_comment(session, comment, request_, signed_in_staff())
    except IllegalTransition as error:
        session.rollback()
        flash(f"Comment #{comment_id}: {error}", "error")
        return _back()
    still_open = came_since(data["action"], len(open_reports(session, comment_id)))
    session.commit()
    done = past_tense(data["action"], was_published) + (f"; {still_open}" if still_open else "")
    flash(f"Comment #{comment_id} {done}.", "ok")
    return _back()


def _ids() -> list[int]:
    return [i for value in request.form.getlist("ids") if (i := reads.row_id(value)) is not None]


@bp.post("/decisions")
@page(MODERATE)
def bulk_decision() -> Response:
    """Every selected comment is decided on its own; one refusal does not stop the others."""
    ids = _ids()
    if not ids:
        flash("Select at least one comment first.", "error")
        return _back()
    data = _load(
        _bulk,
        {
            **_decision_fields(),
            "ids": ids,
            "expected_decisions": _shown_by_id(ids, "expected_decision"),
            "reports_seen": _shown_by_id(ids, "reports_seen"),
        },
    )
    if data is None:
        return _back()
    session, staff = db.session(), signed_in_staff()
    done, were_published, refused, kept_open = [], [], [], []
    for comment_id in dict.fromkeys(data["ids"]):
        try:
            comment = reads.visible_comment(session, staff, comment_id)
            was_published = comment.status == "published"
            request_ = DecisionRequest(
                data["action"],
                data["reason"],
                data["note"],
                expected_decision=data["expected_decisions"].get(comment_id),
                reports_seen=data["reports_seen"].get(comment_id),
            )
            decide_comment(session, comment, request_, staff)
            done.append(comment_id)
            if still_open := came_since(data["action"], len(open_reports(session, comment_id))):
                kept_open.append(f"#{comment_id}: {still_open}.")
            if was_published:
                were_published.append(comment_id)
        except (IllegalTransition, NotFound) as error:
            refused.append(f"#{comment_id}: {error}")
    session.commit()
    if done:
        published = len(were_published)
        flash(_decided(len(done) - published, published, data["action"]), "ok")
    for message in kept_open:
        flash(message, "ok")
    for message in refused:
        flash(message, "error")
    return _back()


@bp.post(f"/comments/<{ID}:comment_id>/ban")
@page(MODERATE)
def ban(comment_id: int) -> Response:
    session = db.session()
    comment = reads.visible_comment(session, signed_in_staff(), comment_id)
    data = _load(
        _ban,
        {
            "reason": request.form.get("reason", ""),
            "reject_comments": request.form.get("reject_comments") in ("1", "on", "true"),
            "by": request.form.get("by", "email_and_ip"),
        },
    )
    if data is None:
        return _back()
    try:
        result = authors.ban_author(
            session,
            comment,
            signed_in_staff(),
            reason=data["reason"],
            reject_comments=data["reject_comments"],
            by=data["by"],
        )
    except authors.NoAuthorIdentity as error:
        session.rollback()
        flash(str(error), "error")
        return _back()
    session.commit()
    rejected = result.rejected
    extra = f"; {len(rejected)} of their comments rejected" if rejected else ""
    already = "" if result.created else " already"
    flash(f"The author of comment #{comment_id} is{already} banned{extra}.", "ok")
    return _back()


@bp.post(f"/bans/<{ID}:ban_id>/lift")
@page(MODERATE)
def lift_ban(ban_id: int) -> Response:
    session = db.session()
    record = reads.visible_ban(session, signed_in_staff(), ban_id)
    try:
        authors.lift_ban(session, record, signed_in_staff())
    except authors.AlreadyLifted as error:
        session.rollback()
        flash(f"Ban #{ban_id}: {error}", "error")
        return _back()
    session.commit()
    flash(f"Ban #{ban_id} is lifted: their comments are decided as anyone's again.", "ok")
    return _back()


@bp.post(f"/comments/<{ID}:comment_id>/trust")
@page(MODERATE)
def trust(comment_id: int) -> Response:
    session = db.session()
    comment = reads.visible_comment(session, signed_in_staff(), comment_id)
    try:
        authors.trust_author(session, comment, signed_in_staff())
    except (authors.NoAuthorIdentity, authors.TrustRefused) as error:
        session.rollback()
        flash(str(error), "error")
        return _back()
    session.commit()
    flash(f"{comment.author_email} is now trusted: their comments skip the queue.", "ok")
    return _back()


@bp.post(f"/comments/<{ID}:comment_id>/untrust")
@page(MODERATE)
def untrust(comment_id: int) -> Response:
    session = db.session()
    comment = reads.visible_comment(session, signed_in_staff(), comment_id)
    try:
        authors.untrust_author(session, comment, signed_in_staff())
    except authors.TrustRefused as error:
        session.rollback()
        flash(str(error), "error")
        return _back()
    session.commit()
    flash(f"{comment.author_email} is no longer trusted.", "ok")
    return _back()
