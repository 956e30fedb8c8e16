"""A site's threads in the moderation API: list them, close or open one, and correct the
title or address its first comment gave. The same service functions and ThreadSettingsSchema
as `flask threads`, so the same checks and the same words."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from comments.api.contract import contract
from comments.api.moderation import bp
from comments.auth import MODERATE, READ_QUEUES, current_staff, require
from comments.extensions import db
from comments.models import Staff
from comments.moderation_ui.reads import visible_site
from comments.schemas.public import ThreadSettingsSchema
from comments.schemas.threads import (
    ThreadKeyQuerySchema,
    ThreadListingSchema,
    ThreadListQuerySchema,
    ThreadSummarySchema,
)
from comments.services import threads as thread_service
from comments.services.thread_listing import ThreadSummary, decode_cursor, list_threads, summarise
from comments.services.threads import closed_setting


def staff_member() -> Staff:
    staff = current_staff()
    assert staff is not None  # guaranteed by @require
    return staff


def described(summary: ThreadSummary) -> dict[str, Any]:
    return {**asdict(summary), "closed_setting": closed_setting(summary.closed_setting)}


@bp.get("/sites/<site>/threads")
@require(READ_QUEUES)
@contract({200: ThreadListingSchema()}, query=ThreadListQuerySchema())
def threads(site: str, query: dict[str, Any]) -> dict[str, Any]:
    """A site's threads, the most recently commented first, each saying whether it is closed
    to new comments now and why (``closed_setting``); ``next`` is the next page's cursor."""
    found = visible_site(db.session(), staff_member(), site)
    after = decode_cursor(query["cursor"]) if query["cursor"] else None
    page = list_threads(
        db.session(), found, limit=query["per_page"], now=datetime.now(UTC), after=after
    )
    return {"items": [described(summary) for summary in page.threads], "next": page.next_cursor}


@bp.patch("/sites/<site>/threads")
@require(MODERATE)
@contract({200: ThreadSummarySchema()}, query=ThreadKeyQuerySchema(), body=ThreadSettingsSchema())
def update_thread(site: str, query: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Close one thread to new comments (``closed`` true), open it even past the site's
    close_after_days (false), or let it follow the site again (null); correct its title or
    page address (null or "" removes it). Who set ``closed`` and when is kept on the thread."""
    found = visible_site(db.session(), staff_member(), site)
    now = datetime.now(UTC)
    thread = thread_service.update_thread(
        db.session(), found, query["thread"], body, staff=staff_member(), now=now
    )
    [summary] = summarise(db.session(), found, [thread], now)
    db.session.commit()
    return described(summary)
