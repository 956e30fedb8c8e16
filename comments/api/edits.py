"""PATCH and DELETE /api/v1/comments/<id>: a reader edits or deletes their own comment, with
the edit token the POST answered; POST /api/v1/comments/<id>/edit-extensions: they extend the
time to do so; POST /api/v1/comments/held: which of their comments still await moderation;
and the nudge step of POST /api/v1/comments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, request
from werkzeug.exceptions import Conflict, Forbidden, NotFound

from comments.api import bp
from comments.api.contract import ID, contract
from comments.db import reads_only
from comments.errors import NotAllowed
from comments.extensions import db, limiter
from comments.models import Comment
from comments.rate_keys import client_bucket
from comments.schemas.edits import (
    EDIT_TOKEN_HEADER,
    CommentEditSchema,
    DeletedCommentSchema,
    EditExtendedSchema,
    HeldCommentsSchema,
    HeldQuerySchema,
    PostedCommentSchema,
)
from comments.services import edits, held, nudges
from comments.services.origins import origin_allowed
from comments.services.scoring import ModelProvider


def settle_nudge(
    comment: Comment, thread_key: str, wanted: bool, nudge_id: str | None
) -> dict[str, Any] | None:
    """After a new comment was decided: the nudge to answer instead (its transaction rolled
    back, the nudge recorded), or None to go on; a resubmission resolves its nudge."""
    session = db.session()
    secret = current_app.config["SECRET_KEY"]
    now = datetime.now(UTC)
    if nudge_id is not None:
        nudges.resolve(session, secret, nudge_id, comment, thread_key=thread_key, now=now)
        return None
    draft = nudges.draft_for(session, comment, thread_key) if wanted else None
    if draft is None:
        return None
    db.session.rollback()  # nothing of the comment is stored
    nudge = nudges.record(session, secret, draft, now)
    db.session.commit()
    return nudges.answer(nudge, draft)


def _refused(refused: edits.EditRefused) -> Exception:
    return (Forbidden if refused.status == 403 else Conflict)(str(refused))


def _own_comment(comment_id: int) -> tuple[Comment, datetime, Any]:
    """The comment, once the token, the origin and the window allow the caller to change it."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"No comment {comment_id}.")
    now = datetime.now(UTC)
    token = request.headers.get(EDIT_TOKEN_HEADER)
    try:
        site = edits.authorise(db.session(), current_app.config["SECRET_KEY"], comment, token, now)
    except edits.EditRefused as refused:
        raise _refused(refused) from refused
    origin = request.headers.get("Origin")
    if not origin_allowed(site, origin, request.host_url.rstrip("/")):
        raise NotAllowed(f"Comments from {origin} are not accepted for this site.")
    g.origin_checked = True
    return comment, now, site


@bp.patch(f"/comments/<{ID}:comment_id>")
@limiter.limit(lambda: current_app.config["RATELIMIT_COMMENTS_PER_IP"], key_func=client_bucket)
@contract({200: PostedCommentSchema()}, body=CommentEditSchema(), errors=(403, 405, 409, 429))
def edit_comment(comment_id: int, body: dict[str, Any]) -> edits.Posted:
    """Replace the text (and name) of one's own comment; it is scored and decided again.

    Send the `edit_token` of the POST answer in the `X-Edit-Token` header: 403 without it or
    with another comment's, 409 once the site's edit window closed or the comment was deleted.
    """
    comment, now, site = _own_comment(comment_id)
    provider: ModelProvider = current_app.extensions["model_provider"]
    edits.edit_comment(
        db.session(),
        comment,
        site,
        body=body["body"],
        author_name=body["author_name"],
        provider=provider,
        now=now,
    )
    db.session().expire_on_commit = False
    db.session.commit()
    return edits.posted(current_app.config["SECRET_KEY"], comment, site)


@bp.delete(f"/comments/<{ID}:comment_id>")
@limiter.limit(lambda: current_app.config["RATELIMIT_COMMENTS_PER_IP"], key_func=client_bucket)
@contract({200: DeletedCommentSchema()}, errors=(403, 405, 409, 429))
def delete_comment(comment_id: int) -> dict[str, Any]:
    """Delete one's own comment: gone from the thread, kept for moderators.

    Authorised like PATCH, by the comment's edit token in the `X-Edit-Token` header.
    """
    comment, now, _site = _own_comment(comment_id)
    edits.delete_comment(db.session(), comment, now)
    db.session.commit()
    return {"id": comment_id, "deleted": True}


@bp.post(f"/comments/<{ID}:comment_id>/edit-extensions")
@limiter.limit(lambda: current_app.config["RATELIMIT_COMMENTS_PER_IP"], key_func=client_bucket)
@contract({200: EditExtendedSchema()}, errors=(403, 405, 409, 429))
def extend_edit_window(comment_id: int) -> dict[str, Any]:
    """Extend the time to edit or delete one's own comment by 5 minutes, while it is open.

    Authorised like PATCH, by the comment's edit token in the `X-Edit-Token` header. 409 once
    the window has closed, the comment was deleted or decided by a moderator, or after 10
    extensions. Answers the window's new end and how many extensions are left.
    """
    comment, _now, site = _own_comment(comment_id)
    try:
        edits.extend_window(db.session(), comment)
    except edits.EditRefused as refused:
        raise _refused(refused) from refused
    db.session().expire_on_commit = False
    db.session.commit()
    return {
        "id": comment_id,
        "editable_until": edits.editable_until(site, comment),
        "edit_extensions_left": edits.extensions_left(comment),
    }


@bp.post("/comments/held")
@contract({200: HeldCommentsSchema()}, body=HeldQuerySchema())
def held_comments(body: dict[str, Any]) -> held.OwnComments:
    """Which of one's own comments still await moderation, by their edit tokens.

    The widget asks on each load, to show its reader their held comments (and only to them).
    Each comment asked about is answered in one list: `held` (with what the thread would show
    of it), `published` or `gone`; a token that does not open its comment counts as gone.
    The edit window does not apply. A POST only to keep the tokens out of URLs: it changes
    nothing.
    """
    reads_only(db.session())
    claims = [(claim["id"], claim["edit_token"]) for claim in body["comments"]]
    return held.own_comments(db.session(), current_app.config["SECRET_KEY"], claims)
