"""Public comment endpoints: post, read a thread, fetch a form token."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request
from werkzeug.wrappers import Response as BaseResponse

from comments.api import bp
from comments.api.contract import contract
from comments.api.edits import settle_nudge
from comments.api.parsing import one_of_two
from comments.extensions import db, limiter
from comments.network import client_ip, current_ip_hash, ip_hash_keys
from comments.rate_keys import client_bucket, email_bucket, posted_email
from comments.schemas.edits import NudgedSchema, PostedCommentSchema
from comments.schemas.public import (
    CommentCreateHeadersSchema,
    CommentCreateSchema,
    FormTokenQuerySchema,
    FormTokenSchema,
    ThreadPageSchema,
    ThreadQuerySchema,
)
from comments.services import form_tokens
from comments.services.edits import posted
from comments.services.listing import list_thread
from comments.services.mail import settings as mail_settings
from comments.services.privacy.keys import ban_keys
from comments.services.scoring import ModelProvider
from comments.services.submission import Client, FormTokenSettings, Submission, submit_comment
from comments.services.threads import get_site

_posted = PostedCommentSchema()


def model_provider() -> ModelProvider:
    provider: ModelProvider = current_app.extensions["model_provider"]
    return provider


@bp.post("/comments")
@limiter.limit(lambda: current_app.config["RATELIMIT_COMMENTS_PER_IP"], key_func=client_bucket)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_COMMENTS_PER_EMAIL"],
    key_func=email_bucket,
    exempt_when=lambda: not posted_email(),
)
@contract(
    {201: _posted, 200: _posted, 202: NudgedSchema()},
    body=CommentCreateSchema(),
    headers=CommentCreateHeadersSchema(),
    errors=(403, 409, 429),
)
def create_comment(body: dict[str, Any], headers: dict[str, Any]) -> tuple[Any, int]:
    """Post a comment or reply; 200 with the earlier comment for a repeated idempotency key.

    The key goes in `idempotency_key` or the `Idempotency-Key` header (400 if they differ).
    409 (`errors.thread`) when the thread is closed to new comments; nothing is stored.
    The answer carries the poster's edit token. With `nudge: true`, a comment the policy
    would hold as toxic is not stored: 202 names the words behind the score instead.
    """
    nudge_wanted, nudge_id = body.pop("nudge"), body.pop("nudge_id")
    body["idempotency_key"] = one_of_two(
        "idempotency_key", body["idempotency_key"], "Idempotency-Key", headers["idempotency_key"]
    )
    client = Client(
        ip_hash=current_ip_hash(),
        user_agent=(request.user_agent.string or "")[:512],
        origin=request.headers.get("Origin"),
        own_origin=request.host_url.rstrip("/"),
        public_url=mail_settings.current().public_url,
        ban_keys=ban_keys(body["author_email"], client_ip(), ip_hash_keys(current_app.config)),
    )
    result = submit_comment(
        db.session(),
        Submission(**body),
        client,
        provider=model_provider(),
        tokens=FormTokenSettings(
            secret_key=current_app.config["SECRET_KEY"],
            max_age=current_app.config["FORM_TOKEN_MAX_AGE"],
        ),
    )
    # The service checked the Origin against this comment's site: no second look for CORS.
    g.origin_checked = True
    if result.created:
        nudged = settle_nudge(result.comment, body["thread"], nudge_wanted, nudge_id)
        if nudged is not None:
            return nudged, 202
    # The answer is what was just written: reloading it after the commit would cost a SELECT
    # and, on SQLite, a second write transaction.
    db.session().expire_on_commit = False
    db.session.commit()
    answer = posted(current_app.config["SECRET_KEY"], result.comment, result.site)
    return answer, 201 if result.created else 200


_thread_page = ThreadPageSchema()


@bp.get("/comments")
@contract({200: _thread_page}, query=ThreadQuerySchema(), errors=(410,))
def read_thread(query: dict[str, Any]) -> BaseResponse:
    """A thread's published comments, oldest first, a page at a time; with `since`, only those
    changed since then, and in `withdrawn` the ids of those taken down or deleted since;
    `closed` says whether the thread takes new comments. Answers carry
    an ETag: `If-None-Match` gets a bodiless 304 when nothing changed, which is what an open
    page's periodic check usually gets. 410 (`errors.since`) for a `since` older than the
    deletions the thread still remembers: read it again without `since`.
    """
    cursor = query["cursor"]
    page = list_thread(
        db.session(),
        query["site"],
        query["thread"],
        per_page=query["per_page"],
        after=int(cursor) if cursor else None,
        since=query["since"],
    )
    answer = {
        "comments": page.comments,
        "total": page.total,
        "next": str(page.next_after) if page.next_after is not None else None,
        "removed": page.removed,
        "since": page.since,
        "withdrawn": page.withdrawn,
        "closed": page.closed,
    }
    response = jsonify(_thread_page.dump(answer))
    response.add_etag()
    # Stored, but asked about again each time: a browser revalidates with If-None-Match.
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.get("/form-token")
@contract({200: FormTokenSchema()}, query=FormTokenQuerySchema())
def form_token(query: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A signed time token for the widget to send back as form_token (never cached), and
    whether replies can be mailed, so the widget offers that only when they can."""
    site = get_site(db.session(), query["site"])
    token = form_tokens.issue(current_app.config["SECRET_KEY"], site.name, query["thread"])
    return (
        {
            "token": token,
            "min_seconds": site.min_form_seconds,
            "replies_by_mail": mail_settings.current().enabled,
        },
        200,
        {"Cache-Control": "no-store"},
    )
