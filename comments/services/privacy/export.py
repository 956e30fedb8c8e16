"""Everything stored about an e-mail address, as one JSON-ready document.

Records are found by the address as submission stores it (``keys.normalise_email``), on every
site: comments with their thread, scores, signals, decisions, earlier texts (an edit's, with
when) and the reasons of reports on them (not the reporters' words), bans and trust naming the
address, labelled examples made from those comments or sent with the address, reply
subscriptions, mails in the outbox, and this address's own privacy requests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from comments.models import (
    Ban,
    Comment,
    CommentRevision,
    CommentSignal,
    Decision,
    LabelledExample,
    OutboxMail,
    PrivacyRequest,
    Report,
    Site,
    Thread,
    TrustedAuthor,
)
from comments.services.mail import subscriptions
from comments.services.privacy.keys import HASHED_EMAIL_PREFIX, email_hashes, normalise_email

Document = dict[str, Any]
#: A section of the export: (session, normalised address, its keyed hashes) -> records.
Section = Callable[[Session, str, Sequence[str]], list[dict[str, Any]]]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def comments_of(session: Session, email: str) -> list[Comment]:
    """The address's comments on every site, oldest first (``ix_comments_email_site_status``)."""
    query = select(Comment).where(Comment.author_email == email).order_by(Comment.id)
    return list(session.scalars(query))


def examples_about(email: str) -> ColumnElement[bool]:
    """Labelled examples made from the address's comments, or sent (Akismet API) naming it."""
    sent_with = func.lower(LabelledExample.context["comment_author_email"].as_string()) == email
    made_from = select(Comment.id).where(Comment.author_email == email)
    return or_(LabelledExample.comment_id.in_(made_from), sent_with)


def _site_names(session: Session) -> dict[int, str]:
    return {site_id: name for site_id, name in session.execute(select(Site.id, Site.name))}


def _grouped(session: Session, model: Any, ids: list[int]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in session.scalars(select(model).where(model.comment_id.in_(ids)).order_by(model.id)):
        grouped[row.comment_id].append(row)
    return grouped


def _revision(revision: CommentRevision) -> dict[str, Any]:
    """A text the author's edit replaced, as it stood then: name, status and scores included."""
    return {
        "body": revision.body_raw,
        "author_name": revision.author_name,
        "status": revision.status,
        "scores": {
            "toxicity": revision.toxicity,
            "spam": revision.spam,
            "model_version": revision.model_version,
        },
        "signals": revision.signals,
        "edited_at": _iso(revision.edited_at),
    }


def _comments(session: Session, email: str, _: Sequence[str]) -> list[dict[str, Any]]:
    comments = comments_of(session, email)
    ids = [comment.id for comment in comments]
    sites = _site_names(session)
    threads = {
        thread.id: thread
        for thread in session.scalars(
            select(Thread).where(Thread.id.in_({c.thread_id for c in comments}))
        )
    }
    signals = _grouped(session, CommentSignal, ids)
    decisions = _grouped(session, Decision, ids)
    reports = _grouped(session, Report, ids)
    revisions = _grouped(session, CommentRevision, ids)
    return [
        {
            "id": c.id,
            "site": sites.get(c.site_id),
            "thread": {
                "key": threads[c.thread_id].key,
                "title": threads[c.thread_id].title,
                "url": threads[c.thread_id].url,
            },
            "parent_id": c.parent_id,
            "status": c.status,
            "author_name": c.author_name,
            "author_email": c.author_email,
            "author_url": c.author_url,
            "ip_hash": c.ip_hash,
            "user_agent": c.user_agent,
            "body": c.body_raw,
            "created_at": _iso(c.created_at),
            "updated_at": _iso(c.updated_at),
            "published_at": _iso(c.published_at),
            "scores": {"toxicity": c.toxicity, "spam": c.spam, "model_version": c.model_version},
            "signals": [{"name": s.name, "detail": s.detail} for s in signals[c.id]],
            "decisions": [
                {
                    "action": d.action,
                    "actor": d.actor,
                    "from_status": d.from_status,
                    "to_status": d.to_status,
                    "reason": d.reason,
                    "note": d.note,
                    "created_at": _iso(d.created_at),
                }
                for d in decisions[c.id]
            ],
            "reports": [
                {"reason": r.reason, "created_at": _iso(r.created_at)} for r in reports[c.id]
            ],
            "revisions": [_revision(r) for r in revisions[c.id]],
        }
        for c in comments
    ]


def _bans(session: Session, email: str, hashes: Sequence[str]) -> list[dict[str, Any]]:
    names = [email, *(HASHED_EMAIL_PREFIX + value for value in hashes)]
    sites = _site_names(session)
    return [
        {
            "site": sites.get(ban.site_id),
            "reason": ban.reason,
            "created_at": _iso(ban.created_at),
            "lifted_at": _iso(ban.lifted_at),
        }
        for ban in session.scalars(select(Ban).where(Ban.email.in_(names)).order_by(Ban.id))
    ]


def _trusted(session: Session, email: str, _: Sequence[str]) -> list[dict[str, Any]]:
    sites = _site_names(session)
    query = select(TrustedAuthor).where(TrustedAuthor.email == email).order_by(TrustedAuthor.id)
    return [
        {"site": sites.get(row.site_id), "created_at": _iso(row.created_at)}
        for row in session.scalars(query)
    ]


def _examples(session: Session, email: str, _: Sequence[str]) -> list[dict[str, Any]]:
    sites = _site_names(session)
    query = select(LabelledExample).where(examples_about(email)).order_by(LabelledExample.id)
    return [
        {
            "site": sites.get(example.site_id),
            "comment_id": example.comment_id,
            "text": example.text,
            "toxic": example.toxic,
            "spam": example.spam,
            "reason": example.reason,
            "source": example.source,
            "context": example.context,
            "created_at": _iso(example.created_at),
        }
        for example in session.scalars(query)
    ]


def _subscriptions(session: Session, email: str, _: Sequence[str]) -> list[dict[str, Any]]:
    sites = _site_names(session)
    return [
        {
            "site": sites.get(row.site_id),
            "comment_id": row.comment_id,
            "confirmed_at": _iso(row.confirmed_at),
            "created_at": _iso(row.created_at),
        }
        for row in subscriptions.for_address(session, email)
    ]


def _mails(session: Session, email: str, _: Sequence[str]) -> list[dict[str, Any]]:
    query = select(OutboxMail).where(OutboxMail.to_address == email).order_by(OutboxMail.id)
    return [
        {
            "kind": mail.kind,
            "subject": mail.subject,
            "status": mail.status,
            "created_at": _iso(mail.created_at),
            "sent_at": _iso(mail.sent_at),
        }
        for mail in session.scalars(query)
    ]


def _requests(session: Session, _: str, hashes: Sequence[str]) -> list[dict[str, Any]]:
    query = (
        select(PrivacyRequest)
        .where(PrivacyRequest.email_hash.in_(hashes), PrivacyRequest.status == "done")
        .order_by(PrivacyRequest.id)
    )
    return [
        {
            "kind": row.kind,
            "requested_by": "reader" if row.requested_by == "reader" else "staff",
            "site": row.site,
            "counts": row.counts,
            "created_at": _iso(row.created_at),
            "completed_at": _iso(row.completed_at),
        }
        for row in session.scalars(query)
    ]


#: Every section of the export, in order. A new kind of record about an address is one more
#: function here and one more step in ``erase``.
SECTIONS: dict[str, Section] = {
    "comments": _comments,
    "bans": _bans,
    "trusted_author": _trusted,
    "labelled_examples": _examples,
    "subscriptions": _subscriptions,
    "mails": _mails,
    "privacy_requests": _requests,
}


def export_address(session: Session, email: str, keys: Sequence[bytes], now: datetime) -> Document:
    """The document a reader (or an admin for them) receives; reads only."""
    address = normalise_email(email)
    hashes = email_hashes(address, keys)
    document: Document = {"email": address, "generated_at": now.isoformat()}
    for name, section in SECTIONS.items():
        document[name] = section(session, address, hashes)
    return document


def counts(document: Document) -> dict[str, int]:
    """How many records of each kind a document holds (what the request log keeps)."""
    return {name: len(document[name]) for name in SECTIONS}
