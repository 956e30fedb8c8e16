"""Decisions about authors: ban (optionally rejecting their comments), unban, trust."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, get_args

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from comments.models import Ban, Comment, Decision, Staff, TrustedAuthor
from comments.services.moderation.decisions import DecisionRequest, decide_comment
from comments.services.privacy.keys import BanKeys

#: What a ban matches: both keys by default; one alone spares others behind a shared address
#: (a mobile carrier, a campus) or catches an author who keeps changing e-mail addresses.
BanScope = Literal["email_and_ip", "email", "ip"]
BAN_SCOPES: tuple[BanScope, ...] = get_args(BanScope)


class NoAuthorIdentity(Exception):
    """The comment carries no e-mail or IP hash to ban or trust by."""


def active_bans(
    session: Session, site_id: int, email: str | None, ip_hash: str | None
) -> list[Ban]:
    return matching_bans(session, site_id, BanKeys.of(email, ip_hash))


def matching_bans(session: Session, site_id: int, keys: BanKeys) -> list[Ban]:
    """Live bans naming the author by address (or its keyed hash, once they were erased) or
    by IP hash under the current or a previous key (``privacy.keys.ban_keys``)."""
    matches = []
    if keys.emails:
        matches.append(Ban.email.in_(keys.emails))
    if keys.ip_hashes:
        matches.append(Ban.ip_hash.in_(keys.ip_hashes))
    if not matches:
        return []
    query = select(Ban).where(Ban.site_id == site_id, Ban.lifted_at.is_(None), or_(*matches))
    return list(session.scalars(query))


def is_trusted(session: Session, site_id: int, email: str | None) -> bool:
    if not email:
        return False
    query = select(TrustedAuthor.id).where(
        TrustedAuthor.site_id == site_id, TrustedAuthor.email == email
    )
    return session.scalar(query) is not None


def ban_author(
    session: Session,
    comment: Comment,
    staff: Staff,
    *,
    reason: str = "",
    reject_comments: bool = False,
    by: BanScope = "email_and_ip",
    now: datetime | None = None,
) -> tuple[Ban, list[Comment]]:
    """Ban the comment's author by its e-mail and/or IP hash (``by``); recorded as a decision.

    Rejecting their comments takes those matching the ban itself, so an e-mail ban leaves
    other people's comments from the same address alone.
    """
    email = comment.author_email if by in ("email_and_ip", "email") else None
    ip_hash = comment.ip_hash if by in ("email_and_ip", "ip") else None
    if not email and not ip_hash:
        wanted = {"email_and_ip": "an e-mail or IP hash", "email": "an e-mail", "ip": "an IP hash"}
        raise NoAuthorIdentity(f"The comment has no {wanted[by]} to ban by.")
    now = now or datetime.now(UTC)
    ban = Ban(
        site_id=comment.site_id,
        email=email,
        ip_hash=ip_hash,
        reason=reason,
        staff_id=staff.id,
        comment_id=comment.id,
        created_at=now,
    )
    session.add(ban)
    session.add(
        Decision.about(
            comment,
            actor="staff",
            action="ban",
            to_status=comment.status,
            staff_id=staff.id,
            reason=reason,
            created_at=now,
        )
    )
    rejected: list[Comment] = []
    if reject_comments:
        same_author = [Comment.ip_hash == ip_hash] if ip_hash else []
        if email:
            same_author.append(Comment.author_email == email)
        query = select(Comment).where(
            Comment.site_id == comment.site_id,
            Comment.status.in_(("pending", "published")),
            or_(*same_author),
        )
        for other in session.scalars(query):
            decide_comment(
                session, other, DecisionRequest("reject", reason or "author banned"), staff, now
            )
            rejected.append(other)
    session.flush()
    return ban, rejected


def lift_ban(session: Session, ban: Ban, staff: Staff, now: datetime | None = None) -> Ban:
    ban.lifted_at = now or datetime.now(UTC)
    ban.lifted_by = staff.id
    session.flush()
    return ban


def trust_author(session: Session, comment: Comment, staff: Staff) -> TrustedAuthor:
    if not comment.author_email:
        raise NoAuthorIdentity("Only authors with an e-mail address can be trusted.")
    existing = session.scalar(
        select(TrustedAuthor).where(
            TrustedAuthor.site_id == comment.site_id, TrustedAuthor.email == comment.author_email
        )
    )
    if existing is not None:
        return existing
    trusted = TrustedAuthor(site_id=comment.site_id, email=comment.author_email, staff_id=staff.id)
    session.add(trusted)
    session.flush()
    return trusted
