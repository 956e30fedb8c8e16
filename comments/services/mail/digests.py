"""Digests: one mail per period per moderator listing the comments that started waiting.

Each staff member's ``digest_sent_at`` is the end of the period their last digest covered;
a digest lists comments held, and open reports made, after it and still waiting now, so an
item appears in one digest only. The watermark moves with a compare-and-set UPDATE in the
digest's own transaction, so two processes running digests at once send one.

Hourly digests go out in the first run of each UTC hour, daily ones in the first run after
MAIL_DIGEST_HOUR (UTC); `flask mail digest` from cron, or the in-process sender each minute.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import literal_column, select, union, update
from sqlalchemy.orm import Session

from comments.models import Comment, Decision, Report, Staff, Thread
from comments.services.mail import links, settings, staff_recipients, texts
from comments.services.mail.outbox import queue_mail

MAX_ITEMS = 50
#: What an item shows, in a digest already queued, in place of an erased author and their text.
ERASED = "(author and text erased at the author's request)"
#: An item's first two lines (``_item``): its comment's id, then the author and the text.
_ITEM_AUTHOR_LINE = re.compile(r"^(- #(\d+) \[[^\n]*\n)  [^\n]*$", re.MULTILINE)


def period_start(notify: str, now: datetime, digest_hour: int) -> datetime:
    """The start of the current digest period: this hour, or today's (else yesterday's)
    digest hour."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    if notify == "hourly":
        return hour
    daily = hour.replace(hour=digest_hour)
    return daily if daily <= now else daily - timedelta(days=1)


def _waiting(
    session: Session, site_ids: frozenset[int] | None, since: datetime, until: datetime
) -> list[tuple[Comment, str]]:
    """Held comments that started waiting in the period: posted held, or held by their
    author's edit (of a published or spam comment: an edit that keeps it held is not news),
    each a range of an index (``ix_comments_status_created``,
    ``ix_decisions_edits_created``)."""
    posted_held = select(Comment.id).where(
        Comment.status == "pending", Comment.created_at > since, Comment.created_at <= until
    )
    held_by_edit = select(Decision.comment_id).where(
        Decision.to_status == "pending",
        Decision.created_at > since,
        Decision.created_at <= until,
        # As a literal, so SQLite sees the partial index's own condition (a bound parameter
        # would not prove it).
        Decision.action == literal_column("'edit'"),
        Decision.from_status != "pending",
    )
    started = union(posted_held, held_by_edit).subquery()
    held = (
        select(Comment).join(started, Comment.id == started.c.id).where(Comment.status == "pending")
    )
    reported = (
        select(Comment)
        .join(Report, Report.comment_id == Comment.id)
        .where(
            Report.resolved_at.is_(None),
            Report.created_at > since,
            Report.created_at <= until,
            Comment.status == "published",
        )
        .distinct()
    )
    if site_ids is not None:
        held = held.where(Comment.site_id.in_(site_ids))
        reported = reported.where(Comment.site_id.in_(site_ids))
    items = [(c, "held") for c in session.scalars(held.order_by(Comment.id).limit(MAX_ITEMS))]
    items += [(c, "reported") for c in session.scalars(reported.limit(MAX_ITEMS))]
    return items


def _item(session: Session, staff_id: int, comment: Comment, reason: str) -> str:
    thread = session.get(Thread, comment.thread_id)
    site = thread.site.name if thread is not None else "?"
    name = texts.one_line(comment.author_name or "Anonymous", 40)
    return (
        f"- #{comment.id} [{site}] {texts.quoted_name(thread)} ({reason})\n"
        f"  {name}: {texts.one_line(texts.plain_text(comment.body_html), 160)}\n"
        f"  {links.staff_url(staff_id, comment.id)}"
    )


def scrub(text: str, comment_ids: Collection[int]) -> str:
    """A digest's text without the author and text of the comments ``comment_ids``: a digest
    lists several authors' comments, so an erasure blanks its own items (their place in the
    queue and link stay) rather than withholding the others from the moderator."""

    def blank(match: re.Match[str]) -> str:
        if int(match.group(2)) not in comment_ids:
            return match.group(0)
        return f"{match.group(1)}  {ERASED}"

    return _ITEM_AUTHOR_LINE.sub(blank, text)


def send_due(session: Session, now: datetime | None = None) -> int:
    """Queue every digest that is due and commit each; answers how many were queued (none
    without PUBLIC_URL: their links would have no trustworthy host)."""
    if not settings.links_available():
        settings.warn_once("digest_links", "PUBLIC_URL is unset: no digests are queued")
        return 0
    now = now or datetime.now(UTC)
    config = settings.current()
    sent = 0
    for staff, recipient in staff_recipients.recipients(session, ("hourly", "daily")):
        last = staff.digest_sent_at
        if last is not None and last >= period_start(staff.notify, now, config.digest_hour):
            continue
        moved = session.execute(
            update(Staff)
            .where(
                Staff.id == staff.id,
                Staff.digest_sent_at.is_(None) if last is None else Staff.digest_sent_at == last,
            )
            .values(digest_sent_at=now),
            execution_options={"synchronize_session": False},
        )
        if getattr(moved, "rowcount", 0) != 1:  # another process took this digest
            session.rollback()
            continue
        items = _waiting(session, recipient.site_ids, last, now) if last is not None else []
        if items:
            base = settings.base_url()
            queue_mail(
                session,
                to=recipient.email,
                subject=f"{len(items)} comment(s) waiting for moderation",
                text=texts.render(
                    "digest",
                    count=str(len(items)),
                    since=f"{last:%Y-%m-%d %H:%M} UTC",
                    items="\n\n".join(_item(session, staff.id, c, r) for c, r in items),
                    queue=f"{base}/moderation/",
                    settings=f"{base}/moderation/settings",
                ),
                kind="digest",
            )
            sent += 1
        session.commit()
    session.commit()
    return sent
