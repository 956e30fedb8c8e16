"""The moderation API: queues, decisions, history, bans and trust (staff only, no CORS)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from werkzeug.exceptions import Conflict, NotFound

from comments.api.parsing import json_body, load
from comments.auth import MODERATE, READ_QUEUES, current_staff, require, site_ids_visible_to
from comments.errors import FieldErrors
from comments.extensions import db
from comments.models import Ban, Comment, Staff
from comments.schemas.moderation import (
    BanSchema,
    BulkDecisionSchema,
    DecisionRecordSchema,
    DecisionSchema,
    ModeratedCommentSchema,
    QueueQuerySchema,
)
from comments.services.explanations import explain_comment
from comments.services.moderation import authors, items
from comments.services.moderation.decisions import (
    DecisionRequest,
    IllegalTransition,
    decide_comment,
)
from comments.services.moderation.queue import BadCursor, QueueQuery, queue_counts, queue_page

bp = Blueprint("moderation_api", __name__, url_prefix="/api/v1/moderation")

_queue_query = QueueQuerySchema()
_decision = DecisionSchema()
_bulk = BulkDecisionSchema()
_ban = BanSchema()
_item = ModeratedCommentSchema()
_record = DecisionRecordSchema()


def _staff() -> Staff:
    staff = current_staff()
    assert staff is not None  # guaranteed by @require
    return staff


def _visible_comment(comment_id: int) -> Comment:
    """404 for a comment that does not exist or belongs to a site the caller cannot see."""
    comment = db.session.get(Comment, comment_id)
    visible = site_ids_visible_to(_staff())
    if comment is None or (visible is not None and comment.site_id not in visible):
        raise NotFound(f"No comment {comment_id}.")
    return comment


@bp.get("/queue")
@require(READ_QUEUES)
def queue() -> dict[str, Any]:
    args = load(_queue_query, request.args.to_dict())
    visible = site_ids_visible_to(_staff())
    site_ids = frozenset(visible) if visible is not None else None
    try:
        page = queue_page(
            db.session(), QueueQuery(queue=args.pop("status"), site_ids=site_ids, **args)
        )
    except BadCursor as error:
        raise FieldErrors({"cursor": [str(error)]}) from error
    return {
        "items": _item.dump(items.describe(db.session(), page.comments), many=True),
        "counts": queue_counts(db.session(), site_ids),
        "next": page.next_cursor,
    }


@bp.get("/comments/<int:comment_id>")
@require(READ_QUEUES)
def comment_detail(comment_id: int) -> dict[str, Any]:
    comment = _visible_comment(comment_id)
    item: dict[str, Any] = _item.dump(items.describe(db.session(), [comment])[0])
    if item["explanation"] is None:
        provider = current_app.extensions["model_provider"]
        item["explanation"] = explain_comment(db.session(), provider, comment)
    item["history"] = _record.dump(items.history(db.session(), comment), many=True)
    return item


def _decide(comment: Comment, data: dict[str, Any]) -> dict[str, Any]:
    try:
        decide_comment(
            db.session(),
            comment,
            DecisionRequest(data["action"], data["reason"], data["note"]),
            _staff(),
        )
    except IllegalTransition as error:
        raise Conflict(str(error)) from error
    return {"id": comment.id, "status": comment.status}


@bp.post("/comments/<int:comment_id>/decision")
@require(MODERATE)
def decision(comment_id: int) -> dict[str, Any]:
    data = load(_decision, json_body())
    result = _decide(_visible_comment(comment_id), data)
    db.session.commit()
    return result


@bp.post("/decisions")
@require(MODERATE)
def bulk_decision() -> dict[str, Any]:
    """Each id is decided on its own; one illegal transition does not stop the others."""
    data = load(_bulk, json_body())
    results = []
    for comment_id in dict.fromkeys(data["ids"]):
        try:
            results.append({**_decide(_visible_comment(comment_id), data), "ok": True})
        except (Conflict, NotFound) as error:
            results.append({"id": comment_id, "ok": False, "error": error.description})
    db.session.commit()
    return {"results": results, "decided": sum(1 for r in results if r["ok"])}


@bp.post("/comments/<int:comment_id>/ban")
@require(MODERATE)
def ban(comment_id: int) -> tuple[dict[str, Any], int]:
    data = load(_ban, json_body())
    comment = _visible_comment(comment_id)
    try:
        record, rejected = authors.ban_author(
            db.session(),
            comment,
            _staff(),
            reason=data["reason"],
            reject_comments=data["reject_comments"],
        )
    except authors.NoAuthorIdentity as error:
        raise Conflict(str(error)) from error
    db.session.commit()
    return {"ban_id": record.id, "rejected": [c.id for c in rejected]}, 201


@bp.post("/bans/<int:ban_id>/lift")
@require(MODERATE)
def lift_ban(ban_id: int) -> dict[str, Any]:
    record = db.session.get(Ban, ban_id)
    visible = site_ids_visible_to(_staff())
    if record is None or (visible is not None and record.site_id not in visible):
        raise NotFound(f"No ban {ban_id}.")
    if record.lifted_at is not None:
        raise Conflict("The ban was lifted already.")
    authors.lift_ban(db.session(), record, _staff())
    db.session.commit()
    return {"ban_id": record.id, "lifted": True}


@bp.post("/comments/<int:comment_id>/trust")
@require(MODERATE)
def trust(comment_id: int) -> dict[str, Any]:
    comment = _visible_comment(comment_id)
    try:
        authors.trust_author(db.session(), comment, _staff())
    except authors.NoAuthorIdentity as error:
        raise Conflict(str(error)) from error
    db.session.commit()
    return {"email": comment.author_email, "trusted": True}
