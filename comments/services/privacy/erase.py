"""Erase an e-mail address: its comments anonymised or removed as each site chooses.

- ``anonymise`` (the default): the text and its place in the thread stay; the author's name,
  address, website, IP hash and user agent go, and the name from its earlier texts (an
  edit's), which keep their words. Readers see an anonymous comment.
- ``remove``: the comments are deleted with what hangs off them (scores, signals, decisions,
  reports). One that others answered becomes an anonymous "[deleted]" placeholder instead, so
  the replies keep their place.

Moderation records stay, without the address: a ban keeps working through the address's keyed
hash (``keys.ban_keys``); trust and reply subscriptions are withdrawn, mails to the address in
the outbox deleted, and so are mails about their comments (replies to other subscribers,
moderators' notices: ``OutboxMail.comment_id``), sent or not; moderators' digests, which list
several authors' comments, keep their items without the author and text. Labelled examples
keep their text and label (the training data moderators made), losing the author details an
API sender attached. Webhook deliveries keep their events, without the author (and, for
removed comments, the text).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Executable, delete, select, update
from sqlalchemy.orm import Session

from comments.errors import FieldErrors
from comments.models import (
    ERASURE_MODES,
    Ban,
    Comment,
    CommentRevision,
    CommentScore,
    CommentSignal,
    LabelledExample,
    MailSubscription,
    OutboxMail,
    Report,
    Site,
    TrustedAuthor,
    WebhookDelivery,
)
from comments.rendering import RENDERER_VERSION, render
from comments.services import tombstones
from comments.services.mail import digests
from comments.services.placeholders import PLACEHOLDER
from comments.services.privacy.export import comments_of, examples_about
from comments.services.privacy.keys import HASHED_EMAIL_PREFIX, email_hash, normalise_email
from comments.services.threads import comments_deleted, get_site
from comments.text import fingerprint

#: Author details an Akismet client may attach to a labelled example.
PERSONAL_CONTEXT = frozenset(
    {
        "comment_author",
        "comment_author_email",
        "comment_author_url",
        "user_ip_hash",
        "user_agent",
        "referrer",
    }
)
#: Rows per statement: well inside every engine's limit on bound parameters.
CHUNK = 500

_ANONYMOUS = {
    "author_name": "",
    "author_email": None,
    "author_url": None,
    "ip_hash": None,
    "user_agent": "",
    "idempotency_key": None,
}


def affected(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE; how many rows it touched."""
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def anonymise(session: Session, ids: Sequence[int], now: datetime) -> None:
    """Drop the author from the comments and from their earlier texts (an edit's), which keep
    the name it was posted under; the texts stay, as the comment's own does."""
    for part in chunks(ids):
        session.execute(
            update(Comment).where(Comment.id.in_(part)).values(**_ANONYMOUS, updated_at=now)
        )
        session.execute(
            update(CommentRevision)
            .where(CommentRevision.comment_id.in_(part))
            .values(author_name="")
        )


def keep_answered(session: Session, ids: set[int]) -> set[int]:
    """Those of ``ids`` that a comment outside ``ids`` answers (directly or through another
    of ``ids`` kept): they stay as placeholders so the thread keeps its shape."""
    kept: set[int] = set()
    while True:
        leaving = ids - kept
        answered: set[int] = {
            parent
            for part in chunks(sorted(leaving))
            for parent in session.scalars(
                select(Comment.parent_id).where(
                    Comment.parent_id.in_(part), Comment.id.not_in(leaving)
                )
            )
            if parent is not None
        }
        if answered <= kept:
            return kept
        kept |= answered


#: What hangs off a comment and tells of its text or author: a placeholder keeps none of it.
#: Its decisions stay (they name staff, never the author), as a removed comment's would.
_ABOUT_THE_TEXT = (CommentRevision, CommentScore, CommentSignal, Report)


def remove(session: Session, gone: Collection[int], kept: Iterable[int], now: datetime) -> None:
    """Delete the ``gone`` comments, leaving tombstones of those readers were shown, and
    blank the ``kept`` ones, which others answered (``keep_answered``), as placeholders; their
    threads' ``last_comment_at`` goes back to the newest comment left.

    A placeholder loses its scores, signals, earlier texts and readers' reports with its text:
    they were about words that are gone, and an open report would keep it in the Reported
    queue, where there is nothing to decide (``placeholders.NOT_DECIDABLE``)."""
    placeholder = {
        "body_raw": PLACEHOLDER,
        "body_html": render(PLACEHOLDER),
        "renderer_version": RENDERER_VERSION,
        "body_fingerprint": fingerprint(PLACEHOLDER),
    }
    for part in chunks(sorted(kept)):
        session.execute(
            update(Comment)
            .where(Comment.id.in_(part))
            .values(
                **_ANONYMOUS,
                **placeholder,
                toxicity=None,
                spam=None,
                model_version=None,
                updated_at=now,
            )
        )
        for table in _ABOUT_THE_TEXT:
            session.execute(delete(table).where(table.comment_id.in_(part)))
    # Before they go: an open page that shows one is told so (listing.py's withdrawn).
    tombstones.bury(session, gone, now)
    threads: set[int] = set()
    for part in chunks(sorted(gone)):
        threads.update(session.scalars(select(Comment.thread_id).where(Comment.id.in_(part))))
        # Scores, signals, decisions and reports go with them (ON DELETE CASCADE); labelled
        # examples and bans keep their rows (SET NULL).
        session.execute(delete(Comment).where(Comment.id.in_(part)))
    # Listed by the newest comment they still have, not by one just deleted.
    for part in chunks(sorted(threads)):
        comments_deleted(session, part)


def deliveries_about(session: Session, ids: Iterable[int]) -> list[WebhookDelivery]:
    """The webhook deliveries whose event is about one of the comments ``ids``."""
    about = WebhookDelivery.payload[("data", "id")].as_integer()
    return [
        delivery
        for part in chunks(sorted(set(ids)))
        for delivery in session.scalars(select(WebhookDelivery).where(about.in_(part)))
    ]


def scrub_deliveries(deliveries: Iterable[WebhookDelivery], removed: Collection[int]) -> None:
    """Webhook deliveries keep the comment as it was sent: drop its author from them, and a
    removed comment's text too, so neither stays in the delivery log or goes out again when a
    delivery is redelivered."""
    for delivery in deliveries:
        delivery.payload = scrubbed(delivery, removed)


def scrubbed(delivery: WebhookDelivery, removed: Collection[int]) -> dict[str, Any]:
    """The delivery's payload as ``scrub_deliveries`` leaves it."""
    data = {**delivery.payload["data"], "author_name": "", "author_url": None}
    if data["id"] in removed:
        data["html"] = ""
    return {**delivery.payload, "data": data}


def delete_mails_about(session: Session, ids: Sequence[int]) -> int:
    """Delete the outbox mails that quote one of the comments ``ids``: a pending one is not
    sent, a sent one was the log copy."""
    return sum(
        affected(session, delete(OutboxMail).where(OutboxMail.comment_id.in_(part)))
        for part in chunks(ids)
    )


def scrub_digests(session: Session, comments: Sequence[Comment]) -> int:
    """Blank the ``comments``' items in moderators' digests (``digests.scrub``); answers how
    many digests changed. Only digests queued since the oldest of them can list one."""
    if not comments:
        return 0
    ids = {comment.id for comment in comments}
    since = min(comment.created_at for comment in comments)
    query = select(OutboxMail).where(OutboxMail.kind == "digest", OutboxMail.created_at >= since)
    changed = 0
    for mail in session.scalars(query):
        text = digests.scrub(mail.text, ids)
        if text != mail.text:
            mail.text = text
            changed += 1
    return changed


def examples_to_scrub(session: Session, *conditions: ColumnElement[bool]) -> list[LabelledExample]:
    """The labelled examples matching ``conditions`` that hold author details."""
    return [
        example
        for example in session.scalars(select(LabelledExample).where(*conditions))
        if example.context and PERSONAL_CONTEXT & set(example.context)
    ]


def scrub_examples(examples: Iterable[LabelledExample]) -> None:
    """Drop author details from the context of the labelled examples."""
    for example in examples:
        example.context = {
            k: v for k, v in (example.context or {}).items() if k not in PERSONAL_CONTEXT
        }


def erase_address(
    session: Session,
    email: str,
    keys: Sequence[bytes],
    now: datetime,
    *,
    site: str | None = None,
    mode: str | None = None,
) -> dict[str, int]:
    """Erase the address on one site or all; ``mode`` overrides each site's ``erasure``.

    Counts what was done by kind; the caller logs the request and commits.
    """
    if mode is not None and mode not in ERASURE_MODES:
        raise FieldErrors({"mode": [f"One of {', '.join(ERASURE_MODES)}."]})
    address = normalise_email(email)
    only = get_site(session, site).id if site else None
    modes = {
        site_id: erasure for site_id, erasure in session.execute(select(Site.id, Site.erasure))
    }
    comments = [c for c in comments_of(session, address) if only in (None, c.site_id)]
    in_site = [Ban.site_id == only] if only else []
    examples = examples_to_scrub(
        session,
        examples_about(address),
        *([LabelledExample.site_id == only] if only else []),
    )
    scrub_examples(examples)
    by_mode: dict[str, list[int]] = {name: [] for name in ERASURE_MODES}
    for comment in comments:
        by_mode[mode or modes.get(comment.site_id) or "anonymise"].append(comment.id)
    # While the comments still have their creation times (``remove`` deletes some).
    digests_scrubbed = scrub_digests(session, comments)
    mails_about = delete_mails_about(session, [comment.id for comment in comments])
    anonymise(session, by_mode["anonymise"], now)
    kept = keep_answered(session, set(by_mode["remove"]))
    gone = set(by_mode["remove"]) - kept
    remove(session, gone, kept, now)
    deliveries = deliveries_about(session, [*by_mode["anonymise"], *by_mode["remove"]])
    scrub_deliveries(deliveries, set(by_mode["remove"]))
    hashed = HASHED_EMAIL_PREFIX + email_hash(address, keys[0])
    bans = affected(session, update(Ban).where(Ban.email == address, *in_site).values(email=hashed))
    trusted = [TrustedAuthor.site_id == only] if only else []
    untrusted = affected(
        session, delete(TrustedAuthor).where(TrustedAuthor.email == address, *trusted)
    )
    subscribed = [MailSubscription.site_id == only] if only else []
    unsubscribed = affected(
        session, delete(MailSubscription).where(MailSubscription.email == address, *subscribed)
    )
    # Mails to the address (sent or not) belong to no site: only a full erasure drops them.
    to_address = delete(OutboxMail).where(OutboxMail.to_address == address)
    mails = 0 if only else affected(session, to_address)
    session.expire_all()
    return {
        "comments_anonymised": len(by_mode["anonymise"]),
        "comments_removed": len(gone),
        "comments_left_as_placeholders": len(kept),
        "bans_kept_by_hash": bans,
        "trusted_author_withdrawn": untrusted,
        "labelled_examples_scrubbed": len(examples),
        "subscriptions_deleted": unsubscribed,
        "mails_deleted": mails,
        "mails_about_comments_deleted": mails_about,
        "digests_scrubbed": digests_scrubbed,
        "webhook_deliveries_scrubbed": len(deliveries),
    }
