"""The moderation API: queues, decisions, history, bans and trust (staff only, no CORS)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from werkzeug.exceptions import Conflict, NotFound

from comments.api.contract import ID, contract
from comments.auth import MODERATE, READ_QUEUES, current_staff, require, site_ids_visible_to
from comments.extensions import db
from comments.models import Ban, Comment, Staff
from comments.schemas.moderation import (
    BanLiftedSchema,
    BanPageSchema,
    BanQuerySchema,
    BanResultSchema,
    BanSchema,
    BulkDecisionResultSchema,
    BulkDecisionSchema,
    CommentDetailSchema,
    DecisionResultSchema,
    DecisionSchema,
    QueuePageSchema,
    QueueQuerySchema,
    TrustResultSchema,
)
from comments.services.edits import describe_revisions
from comments.services.explanations import explain_comment
from comments.services.moderation import authors, items
from comments.services.moderation.decisions import (
    DecisionRequest,
    IllegalTransition,
    decide_comment,
    legal_actions,
    open_reports,
)
from comments.services.moderation.queue import QueueQuery, capped_queue_counts, queue_page

bp = Blueprint("moderation_api", __name__, url_prefix="/api/v1/moderation")


def _staff() -> Staff:
    staff = current_staff()
    assert staff is not None  # guaranteed by @require
    return staff


def _visible_site_ids() -> frozenset[int] | None:
    visible = site_ids_visible_to(_staff())
    return frozenset(visible) if visible is not None else None


def _visible_comment(comment_id: int) -> Comment:
    """404 for a comment that does not exist or belongs to a site the caller cannot see."""
    comment = db.session.get(Comment, comment_id)
    visible = site_ids_visible_to(_staff())
    if comment is None or (visible is not None and comment.site_id not in visible):
        raise NotFound(f"No comment {comment_id}.")
    return comment


@bp.get("/queue")
@require(READ_QUEUES)
@contract({200: QueuePageSchema()}, query=QueueQuerySchema())
def queue(query: dict[str, Any]) -> dict[str, Any]:
    """A page of one queue, filtered and sorted, with the number of comments the filters select
    in every queue."""
    selected = QueueQuery(queue=query.pop("status"), site_ids=_visible_site_ids(), **query)
    page = queue_page(db.session(), selected)
    counted = capped_queue_counts(db.session(), selected, current_app.config["QUEUE_COUNT_CAP"])
    return {
        "items": items.describe(db.session(), page.comments),
        "counts": counted.counts,
        "counts_capped": sorted(counted.capped),
        "next": page.next_cursor,
    }


@bp.get(f"/comments/<{ID}:comment_id>")
@require(READ_QUEUES)
@contract({200: CommentDetailSchema()})
def comment_detail(comment_id: int) -> dict[str, Any]:
    """One comment as the queue shows it, its decision history, earlier texts and legal actions
    (about the comment, and about its author)."""
    comment = _visible_comment(comment_id)
    item = items.describe(db.session(), [comment])[0]
    if item["explanation"] is None and not item["placeholder"]:
        provider = current_app.extensions["model_provider"]
        item["explanation"] = explain_comment(db.session(), provider, comment)
    item["history"] = items.history(db.session(), comment)
    item["revisions"] = describe_revisions(db.session(), comment.id)
    item["actions"] = legal_actions(comment.status, len(item["reports"]), item["placeholder"])
    item["author_actions"] = authors.author_actions(
        comment.status, comment.author_email, item["author"]["trusted"], item["author"]["banned"]
    )
    return item


def _request(
    body: dict[str, Any], expected_decision: int | None, reports_seen: int | None
) -> DecisionRequest:
    return DecisionRequest(
        body["action"],
        body["reason"],
        body["note"],
        body.get("expected_status"),
        expected_decision,
        reports_seen,
    )


def _decide(comment: Comment, request: DecisionRequest) -> dict[str, Any]:
    try:
        decision = decide_comment(db.session(), comment, request, _staff())
    except IllegalTransition as error:
        raise Conflict(str(error)) from error
    return {
        "id": comment.id,
        "status": comment.status,
        "decision": decision.id,
        "open_reports": len(open_reports(db.session(), comment.id)),
    }


@bp.post(f"/comments/<{ID}:comment_id>/decision")
@require(MODERATE)
@contract({200: DecisionResultSchema()}, body=DecisionSchema(), errors=(409,))
def decision(comment_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Approve, reject, file as spam, clear of spam or restore one comment."""
    request = _request(body, body["expected_decision"], body["reports_seen"])
    result = _decide(_visible_comment(comment_id), request)
    db.session.commit()
    return result


@bp.post("/decisions")
@require(MODERATE)
@contract({200: BulkDecisionResultSchema()}, body=BulkDecisionSchema())
def bulk_decision(body: dict[str, Any]) -> dict[str, Any]:
    """Each id is decided on its own; one illegal transition, or a comment decided or edited
    since the moderator saw it (``expected_decisions``), does not stop the others."""
    results = []
    for comment_id in dict.fromkeys(body["ids"]):
        request = _request(
            body,
            body["expected_decisions"].get(comment_id),
            body["reports_seen"].get(comment_id),
        )
        try:
            results.append({**_decide(_visible_comment(comment_id), request), "ok": True})
        except (Conflict, NotFound) as error:
            results.append({"id": comment_id, "ok": False, "error": error.description})
    db.session.commit()
    return {"results": results, "decided": sum(1 for r in results if r["ok"])}


@bp.post(f"/comments/<{ID}:comment_id>/ban")
@require(MODERATE)
@contract({201: BanResultSchema(), 200: BanResultSchema()}, body=BanSchema(), errors=(409,))
def ban(comment_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Ban the comment's author by e-mail and/or IP hash, optionally rejecting their comments;
    200 with the existing ban when the author is banned by the same keys already."""
    comment = _visible_comment(comment_id)
    try:
        result = authors.ban_author(
            db.session(),
            comment,
            _staff(),
            reason=body["reason"],
            reject_comments=body["reject_comments"],
            by=body["by"],
        )
    except authors.NoAuthorIdentity as error:
        raise Conflict(str(error)) from error
    db.session.commit()
    answer = {
        "ban_id": result.ban.id,
        "created": result.created,
        "rejected": [c.id for c in result.rejected],
    }
    return answer, 201 if result.created else 200


@bp.get("/bans")
@require(READ_QUEUES)
@contract({200: BanPageSchema()}, query=BanQuerySchema())
def bans(query: dict[str, Any]) -> dict[str, Any]:
    """Live bans newest first (with ``include_lifted``, lifted ones too), on visible sites."""
    page, next_id = authors.list_bans(
        db.session(),
        _visible_site_ids(),
        site=query["site"],
        include_lifted=query["include_lifted"],
        before_id=query["cursor"],
        limit=query["per_page"],
    )
    return {"items": page, "next": next_id}


@bp.post(f"/bans/<{ID}:ban_id>/lift")
@require(MODERATE)
@contract({200: BanLiftedSchema()}, errors=(409,))
def lift_ban(ban_id: int) -> dict[str, Any]:
    """Lift a ban; the author's comments are decided normally again."""
    record = db.session.get(Ban, ban_id)
    visible = site_ids_visible_to(_staff())
    if record is None or (visible is not None and record.site_id not in visible):
        raise NotFound(f"No ban {ban_id}.")
    try:
        authors.lift_ban(db.session(), record, _staff())
    except authors.AlreadyLifted as error:
        raise Conflict(str(error)) from error
    db.session.commit()
    return {"ban_id": record.id, "lifted": True}


@bp.post(f"/comments/<{ID}:comment_id>/trust")
@require(MODERATE)
@contract({200: TrustResultSchema()}, errors=(409,))
def trust(comment_id: int) -> dict[str, Any]:
    """Trust the author: their comments skip the queue unless a hard rule or a sure model fires.

    Only from a published or pending comment (409 otherwise); recorded in its history.
    """
    comment = _visible_comment(comment_id)
    try:
        authors.trust_author(db.session(), comment, _staff())
    except (authors.NoAuthorIdentity, authors.TrustRefused) as error:
        raise Conflict(str(error)) from error
    db.session.commit()
    return {"email": comment.author_email, "trusted": True}


@bp.delete(f"/comments/<{ID}:comment_id>/trust")
@require(MODERATE)
@contract({200: TrustResultSchema()}, errors=(409,))
def untrust(comment_id: int) -> dict[str, Any]:
    """Stop trusting the comment's author; recorded in its history (409 when not trusted)."""
    comment = _visible_comment(comment_id)
    try:
        authors.untrust_author(db.session(), comment, _staff())
    except authors.TrustRefused as error:
        raise Conflict(str(error)) from error
    db.session.commit()
    return {"email": comment.author_email, "trusted": False}


from comments.api import moderation_threads  # noqa: E402, F401  (its routes register on bp)
