"""Privacy requests: the log of exports and erasures, and readers' signed one-time links.

A reader asks with an address; whatever we hold, the answer is the same and a mail goes to the
address (saying what we hold, or that we hold nothing), so the page tells nobody whether an
address is known. The link names only the request; it works once, within PRIVACY_LINK_MAX_AGE,
and only with the address it was sent to typed in again, so neither a link in a log nor a
forwarded mail is enough, and no address ever appears in a URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from comments.models import (
    PRIVACY_KINDS,
    Ban,
    Comment,
    LabelledExample,
    MailSubscription,
    PrivacyRequest,
    TrustedAuthor,
)
from comments.services.mail.outbox import queue_mail
from comments.services.privacy.erase import affected, erase_address
from comments.services.privacy.export import Document, counts, examples_about, export_address
from comments.services.privacy.keys import email_hash, email_hashes, normalise_email

LINK_SALT = "comments.privacy-link"


class InvalidLink(Exception):
    """Tampered, expired, used already, or not for the address typed in. The page tells the
    last apart (the link still opens) so a typo is not mistaken for a dead link."""


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=LINK_SALT)


def log_request(
    session: Session,
    *,
    kind: str,
    email: str,
    keys: Sequence[bytes],
    requested_by: str,
    counts: dict[str, int],
    now: datetime,
    site: str | None = None,
    mode: str | None = None,
) -> PrivacyRequest:
    """Record an export or erasure carried out for staff (the CLI or the admin API)."""
    row = PrivacyRequest(
        kind=kind,
        email_hash=email_hash(email, keys[0]),
        requested_by=requested_by,
        status="done",
        site=site,
        mode=mode,
        counts=counts,
        created_at=now,
        completed_at=now,
    )
    session.add(row)
    session.flush()
    return row


def held(session: Session, email: str) -> dict[str, int]:
    """What we hold about the address, in one statement: the same work known or not."""
    row = session.execute(
        select(
            select(func.count())
            .select_from(Comment)
            .where(Comment.author_email == email)
            .scalar_subquery(),
            select(func.count()).select_from(Ban).where(Ban.email == email).scalar_subquery(),
            select(func.count())
            .select_from(TrustedAuthor)
            .where(TrustedAuthor.email == email)
            .scalar_subquery(),
            select(func.count())
            .select_from(LabelledExample)
            .where(examples_about(email))
            .scalar_subquery(),
            select(func.count())
            .select_from(MailSubscription)
            .where(MailSubscription.email == email)
            .scalar_subquery(),
        )
    ).one()
    names = ("comments", "bans", "trusted_author", "labelled_examples", "subscriptions")
    return {name: int(count) for name, count in zip(names, row, strict=True)}


def lifetime(seconds: int) -> str:
    """ "24 hours", "10 minutes", "90 seconds": in the largest unit that says it exactly, so a
    reader is never told a link lasts longer than it does."""
    unit, size = next(
        ((unit, size) for unit, size in (("hour", 3600), ("minute", 60)) if seconds % size == 0),
        ("second", 1),
    )
    count = seconds // size
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _mail_text(kind: str, holding: dict[str, int], link: str, max_age: int) -> str:
    asked = "a copy of" if kind == "export" else "the erasure of"
    lines = [
        f"Someone, we hope you, asked for {asked} what our comment service holds about",
        "this e-mail address.",
        "",
    ]
    if not any(holding.values()):
        lines += [
            "We hold nothing about this address: no comments, no moderation records.",
            "There is nothing to do. If you did not ask, ignore this mail.",
        ]
        return "\n".join(lines)
    lines.append("We hold:")
    lines += [f"  {name.replace('_', ' ')}: {count}" for name, count in holding.items() if count]
    what = "download it" if kind == "export" else "confirm the erasure"
    lines += [
        "",
        f"To {what}, open this link within {lifetime(max_age)} and enter this address",
        f"again; the link works once:\n\n  {link}\n",
        "If you did not ask, ignore this mail: nothing happens without the link.",
    ]
    return "\n".join(lines)


def request_link(
    session: Session,
    email: str,
    kind: str,
    *,
    secret_key: str,
    keys: Sequence[bytes],
    max_age: int,
    link: Callable[[str], str],
    now: datetime,
) -> None:
    """Queue the mail answering a reader's request; the caller commits and answers alike."""
    assert kind in PRIVACY_KINDS
    address = normalise_email(email)
    holding = held(session, address)
    row = PrivacyRequest(
        kind=kind,
        email_hash=email_hash(address, keys[0]),
        requested_by="reader",
        status="pending",
        created_at=now,
        expires_at=now + timedelta(seconds=max_age),
    )
    session.add(row)
    session.flush()
    token = _serializer(secret_key).dumps({"id": row.id, "kind": kind})
    subject = "Your data" if kind == "export" else "Erasing your data"
    queue_mail(
        session,
        to=address,
        subject=f"{subject}: your request",
        text=_mail_text(kind, holding, link(token), max_age),
        kind="privacy",
    )


def link_kind(
    session: Session, token: str, *, secret_key: str, max_age: int, now: datetime
) -> str | None:
    """What a link is for ("export" or "erase"), or None when it is not a valid one: tampered,
    expired, or used already, so a reader is told before typing their address in again.
    Reads only: opening a link changes nothing (mail scanners fetch links)."""
    try:
        data: Any = _serializer(secret_key).loads(token, max_age=max_age)
        request_id, kind = int(data["id"]), str(data["kind"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    open_request = session.scalar(
        select(PrivacyRequest.id).where(
            PrivacyRequest.id == request_id,
            PrivacyRequest.kind == kind,
            PrivacyRequest.status == "pending",
            PrivacyRequest.expires_at > now,
        )
    )
    return kind if open_request is not None and kind in PRIVACY_KINDS else None


def redeem(
    session: Session,
    token: str,
    email: str,
    *,
    secret_key: str,
    keys: Sequence[bytes],
    max_age: int,
    now: datetime,
) -> PrivacyRequest:
    """Claim the link's request for the address typed in, once; InvalidLink otherwise.

    One UPDATE claims it, so two clicks at the same moment cannot both proceed.
    """
    try:
        data: Any = _serializer(secret_key).loads(token, max_age=max_age)
        request_id, kind = int(data["id"]), str(data["kind"])
    except (BadData, KeyError, TypeError, ValueError) as error:
        raise InvalidLink from error
    claimed = affected(
        session,
        update(PrivacyRequest)
        .where(
            PrivacyRequest.id == request_id,
            PrivacyRequest.kind == kind,
            PrivacyRequest.status == "pending",
            PrivacyRequest.expires_at > now,
            PrivacyRequest.email_hash.in_(email_hashes(email, keys)),
        )
        .values(status="done", completed_at=now),
    )
    if claimed != 1:
        raise InvalidLink
    row = session.get(PrivacyRequest, request_id)
    assert row is not None
    session.refresh(row)
    return row


def export_logged(
    session: Session,
    email: str,
    *,
    keys: Sequence[bytes],
    requested_by: str,
    now: datetime,
    request: PrivacyRequest | None = None,
) -> Document:
    """The export, recorded in the log (on the reader's claimed request, if given)."""
    document = export_address(session, email, keys, now)
    if request is not None:
        request.counts = counts(document)
    else:
        log_request(
            session,
            kind="export",
            email=email,
            keys=keys,
            requested_by=requested_by,
            counts=counts(document),
            now=now,
        )
    return document


def erase_logged(
    session: Session,
    email: str,
    *,
    keys: Sequence[bytes],
    requested_by: str,
    now: datetime,
    site: str | None = None,
    mode: str | None = None,
    request: PrivacyRequest | None = None,
) -> dict[str, int]:
    """The erasure, recorded in the log (on the reader's claimed request, if given)."""
    done = erase_address(session, email, keys, now, site=site, mode=mode)
    if request is not None:
        request = session.get(PrivacyRequest, request.id)  # erasure expired the session
        assert request is not None
        request.counts = done
    else:
        log_request(
            session,
            kind="erase",
            email=email,
            keys=keys,
            requested_by=requested_by,
            counts=done,
            now=now,
            site=site,
            mode=mode,
        )
    return done
