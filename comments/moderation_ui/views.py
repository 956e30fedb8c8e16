"""The pages: sign-in, the queue, one comment with its history, and the statistics."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import Forbidden
from werkzeug.wrappers import Response

from comments.api.contract import ID
from comments.auth import READ_QUEUES, check_csrf, current_staff, log_in, log_out
from comments.extensions import db, limiter
from comments.moderation_ui import bp, charts, present, reads, stats
from comments.moderation_ui.guards import page, safe_next, signed_in_staff
from comments.rate_keys import client_bucket
from comments.schemas.moderation import QueueQuerySchema
from comments.services.accounts import authenticate
from comments.services.edits import describe_revisions
from comments.services.explanations import explain_comment
from comments.services.moderation import authors, items
from comments.services.moderation.decisions import DECISION_KEYS, TRANSITIONS, UNPUBLISH
from comments.services.moderation.queue import (
    QUEUES,
    BadCursor,
    QueuePage,
    QueueQuery,
    capped_queue_counts,
    queue_counts,
    queue_page,
)
from comments.services.nudges import nudge_counts

bp.add_app_template_filter(present.count_label, "count_label")

#: One message for an unknown name, a wrong password and a disabled account alike.
BAD_CREDENTIALS = "That name and password do not match an active account."
#: A sign-in form from before its session changed (signed in or out in another tab, expired).
STALE_FORM = "This sign-in form had expired, so it was not sent. Please sign in again."
PER_PAGE = 25
BANS_PER_PAGE = 50
QUEUE_LABELS = {
    "pending": "Pending",
    "spam": "Spam",
    "reported": "Reported",
    "published": "Published",
    "rejected": "Rejected",
    "deleted": "Deleted by author",
}
SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "toxic": "Most toxic",
    "spam": "Most likely spam",
    "uncertain": "Most uncertain",
}
#: Query parameters that narrow a queue (opening the filter panel when any is set).
FILTERS = (
    "q",
    "site",
    "thread",
    "signal",
    "author",
    "min_toxicity",
    "max_toxicity",
    "min_spam",
    "max_spam",
)
_queue_query = QueueQuerySchema()


def _login_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN_PER_IP"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=client_bucket)
def login() -> Response | str | tuple[str, int]:
    """Sign-in form; the form's CSRF token also stops other sites logging people in."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_staff() is not None:
            return redirect(next_url)
        return render_template("moderation_ui/login.html", next_url=next_url, name="")
    name = request.form.get("name", "").strip()[:64]
    try:
        check_csrf()
    except Forbidden:  # refused as before, but with a fresh form rather than a dead end
        page_ = render_template(
            "moderation_ui/login.html", next_url=next_url, name=name, error=STALE_FORM
        )
        return page_, 403
    password = request.form.get("password", "")[:1024]
    staff = authenticate(db.session(), name, password) if name and password else None
    if staff is None:
        db.session.rollback()
        return render_template(
            "moderation_ui/login.html", next_url=next_url, name=name, error=BAD_CREDENTIALS
        )
    log_in(staff)
    db.session.commit()
    return redirect(next_url, code=303)


@bp.post("/logout")
def logout() -> Response:
    """Sign out; a page left open after its session ended (elsewhere, or by expiry) has
    nothing left to sign out of, and lands on the sign-in form rather than a CSRF refusal."""
    if current_staff() is not None:
        check_csrf()
        log_out()
        db.session.commit()
    flash("You are signed out.", "ok")
    return redirect(url_for("moderation_ui.login"), code=303)


def _queue_args() -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """The query string as typed (for the form), as loaded (for the service), and errors."""
    raw = {key: value.strip() for key, value in request.args.items() if value.strip()}
    try:
        return raw, _queue_query.load({"per_page": str(PER_PAGE), **raw}), {}
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        fallback = {"status": raw["status"]} if raw.get("status") in QUEUES else {}
        return raw, _queue_query.load(fallback), messages


@bp.get("/")
@page(READ_QUEUES)
def queue() -> tuple[str, int]:
    """One queue as cards, with filters, sorts, counts per queue and a keyset next link."""
    session = db.session()
    site_ids = reads.visible_site_ids(signed_in_staff())
    raw, args, errors = _queue_args()
    current = args.pop("status")
    query = QueueQuery(queue=current, site_ids=site_ids, **args)
    result = QueuePage([], None)
    if not errors:
        try:
            result = queue_page(session, query)
        except BadCursor as error:
            errors = {"cursor": [str(error)]}
    described = items.describe(session, result.comments)
    # The tabs and the title count what the filters select (all of it when they were refused).
    counted = capped_queue_counts(session, query, current_app.config["QUEUE_COUNT_CAP"])
    parents = reads.parents(session, {i["parent_id"] for i in described if i["parent_id"]})
    kept: dict[str, Any] = {
        key: value for key, value in raw.items() if key not in ("status", "cursor")
    }
    return render_template(
        "moderation_ui/queue.html",
        cards=[present.card(item, parents.get(item["parent_id"] or 0)) for item in described],
        counts=counted.counts,
        capped=counted.capped,
        current=current,
        queues=QUEUES,
        queue_labels=QUEUE_LABELS,
        sort_labels=SORT_LABELS,
        decision_keys=DECISION_KEYS,
        # The queues of statuses that Restore applies to get it in bulk too (rejected, spam,
        # deleted, and published as Unpublish); elsewhere it would be refused for every one.
        bulk_restore=current in TRANSITIONS["restore"][0],
        bulk_restore_label=UNPUBLISH.label if current == "published" else "Restore",
        form=raw,
        filtered=any(key in raw for key in FILTERS),
        # What queue.js asks the counts again under after a decision: the filters counted here.
        count_filters="" if errors else urlencode({k: raw[k] for k in FILTERS if k in raw}),
        errors=errors,
        sites=reads.site_names(session, site_ids),
        signals=reads.signal_names(session),
        tab_urls={q: url_for(".queue", **{**kept, "status": q}) for q in QUEUES},
        next_url=(
            url_for(".queue", **{**kept, "status": current, "cursor": result.next_cursor})
            if result.next_cursor
            else None
        ),
        here=request.full_path.rstrip("?"),
    ), 400 if errors else 200


@bp.get(f"/comments/<{ID}:comment_id>")
@page(READ_QUEUES)
def comment(comment_id: int) -> str:
    """The full card and every decision on the comment, who made it and with which scores."""
    session = db.session()
    record = reads.visible_comment(session, signed_in_staff(), comment_id)
    [item] = items.describe(session, [record])
    if item["explanation"] is None:  # published comments are explained when first opened
        provider = current_app.extensions["model_provider"]
        item["explanation"] = explain_comment(session, provider, record)
    parent = reads.parents(session, {record.parent_id} if record.parent_id else set())
    return render_template(
        "moderation_ui/comment.html",
        card=present.card(item, parent.get(record.parent_id or 0)),
        history=items.history(session, record),
        revisions=describe_revisions(session, record.id),
        here=request.path,
    )


@bp.get("/bans")
@page(READ_QUEUES)
def bans() -> str:
    """Live bans, newest first (``?lifted=1`` adds lifted ones), each with a button to lift it."""
    include_lifted = request.args.get("lifted") == "1"
    before = request.args.get("before", "")
    page_of, next_id = authors.list_bans(
        db.session(),
        reads.visible_site_ids(signed_in_staff()),
        include_lifted=include_lifted,
        before_id=reads.row_id(before),
        limit=BANS_PER_PAGE,
    )
    return render_template(
        "moderation_ui/bans.html",
        bans=page_of,
        include_lifted=include_lifted,
        next_url=(
            url_for(".bans", before=next_id, lifted="1" if include_lifted else None)
            if next_id
            else None
        ),
        here=request.full_path.rstrip("?"),
    )


@bp.get("/stats")
@page(READ_QUEUES)
def statistics() -> str:
    """Queue sizes, model outcomes per day, overrule rates and time to decision, as plots."""
    session = db.session()
    site_ids = reads.visible_site_ids(signed_in_staff())
    days = stats.WINDOW_DAYS
    outcomes = stats.model_outcomes_by_day(session, site_ids, days=days)
    overrules = stats.overrules_by_model(session, site_ids)
    timing = stats.time_to_decision(session, site_ids, days=days)
    counts = queue_counts(session, site_ids)
    sizes = {queue: counts[queue] for queue in QUEUES}
    nudged = nudge_counts(session, site_ids, days=days)
    return render_template(
        "moderation_ui/stats.html",
        days=days,
        sizes=sizes,
        queue_labels=QUEUE_LABELS,
        outcomes=outcomes,
        overrules=overrules,
        timing=timing,
        nudges=nudged,
        charts={
            "sizes": charts.queue_sizes_chart(sizes, QUEUE_LABELS),
            "rates": charts.rates_chart(outcomes),
            "overrules": charts.overrule_chart(overrules),
            "timing": charts.timing_chart(timing),
        },
    )
