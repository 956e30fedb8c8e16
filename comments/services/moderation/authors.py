"""Decisions about authors: ban (optionally rejecting their comments), unban, trust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from comments.models import Ban, Comment, Decision, Site, Staff, TrustedAuthor
from comments.services.moderation.decisions import Action, DecisionRequest, decide_comment
from comments.services.privacy.keys import BanKeys

#: What a ban matches: both keys by default; one alone spares others behind a shared address
#: (a mobile carrier, a campus) or catches an author who keeps changing e-mail addresses.
BanScope = Literal["email_and_ip", "email", "ip"]
BAN_SCOPES: tuple[BanScope, ...] = get_args(BanScope)

#: What may be decided about a comment's author from its card (no keys: not on the queue's).
TRUST = Action("trust", "Trust author", "")
UNTRUST = Action("untrust", "Stop trusting author", "")


class NoAuthorIdentity(Exception):
    """The comment carries no e-mail or IP hash to ban or trust by."""


class TrustRefused(Exception):
    """Trust cannot be granted or withdrawn from this comment (answered as 409)."""


@dataclass(frozen=True, slots=True)
class BanResult:
    ban: Ban
    rejected: list[Comment]
    #: False when a live ban with the same keys existed already (it is returned instead).
    created: bool


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
) -> BanResult:
    """Ban the comment's author by its e-mail and/or IP hash (``by``); recorded as a decision.

    Rejecting their comments takes those matching the ban itself, so an e-mail ban leaves
    other people's comments from the same address alone. A live ban with the same keys is
    reused: two bans of one author would make lifting one of them look like it failed.
    """
    email = comment.author_email if by in ("email_and_ip", "email") else None
    ip_hash = comment.ip_hash if by in ("email_and_ip", "ip") else None
    if not email and not ip_hash:
        wanted = {"email_and_ip": "an e-mail or IP hash", "email": "an e-mail", "ip": "an IP hash"}
        raise NoAuthorIdentity(f"The comment has no {wanted[by]} to ban by.")
    now = now or datetime.now(UTC)
    ban = _live_ban(session, comment.site_id, email, ip_hash)
    created = ban is None
    if ban is None:
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
    return BanResult(ban, rejected, created)


def _live_ban(session: Session, site_id: int, email: str | None, ip_hash: str | None) -> Ban | None:
    same_email = Ban.email == email if email else Ban.email.is_(None)
    same_ip = Ban.ip_hash == ip_hash if ip_hash else Ban.ip_hash.is_(None)
    query = select(Ban).where(Ban.site_id == site_id, Ban.lifted_at.is_(None), same_email, same_ip)
    return session.scalars(query.order_by(Ban.id).limit(1)).first()


def list_bans(
    session: Session,
    site_ids: frozenset[int] | None,
    *,
    site: str | None = None,
    include_lifted: bool = False,
    before_id: int | None = None,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int | None]:
    """Bans newest first, a page at a time (keyset on id); the id to continue before, if any."""
    banned_by, lifted_by = aliased(Staff), aliased(Staff)
    query = (
        select(Ban, Site.name, banned_by.name, lifted_by.name)
        .join(Site, Site.id == Ban.site_id)
        .outerjoin(banned_by, banned_by.id == Ban.staff_id)
        .outerjoin(lifted_by, lifted_by.id == Ban.lifted_by)
        .order_by(Ban.id.desc())
        .limit(limit + 1)
    )
    if site_ids is not None:
        query = query.where(Ban.site_id.in_(site_ids))
    if site:
        query = query.where(Site.name == site)
    if not include_lifted:
        query = query.where(Ban.lifted_at.is_(None))
    if before_id is not None:
        query = query.where(Ban.id < before_id)
    rows = session.execute(query).all()
    page: list[dict[str, Any]] = [
        {
            "id": ban.id,
            "site": site_name,
            "email": ban.email,
            "ip_hash": ban.ip_hash,
            "reason": ban.reason,
            "comment_id": ban.comment_id,
            "created_at": ban.created_at,
            "banned_by": banner,
            "lifted_at": ban.lifted_at,
            "lifted_by": lifter,
        }
        for ban, site_name, banner, lifter in rows[:limit]
    ]
    return page, (rows[limit - 1][0].id if len(rows) > limit else None)


class AlreadyLifted(Exception):
    """The ban was lifted before (answered as 409)."""


def lift_ban(session: Session, ban: Ban, staff: Staff, now: datetime | None = None) -> Ban:
    if ban.lifted_at is not None:
        raise AlreadyLifted("The ban was lifted already.")
    ban.lifted_at = now or datetime.now(UTC)
    ban.lifted_by = staff.id
    session.flush()
    return ban


def author_actions(status: str, email: str | None, trusted: bool, banned: bool) -> list[Action]:
    """What the card offers about the comment's author now, as the moderation API's comment
    detail says it (``author_actions``): only what ``trust_author``/``untrust_author`` accept."""
    if trusted:
        return [UNTRUST]
    if email and status in ("published", "pending") and not banned:
        return [TRUST]
    return []


def trust_author(session: Session, comment: Comment, staff: Staff) -> TrustedAuthor:
    """Trust the author by e-mail; recorded in the comment's history.

    Only from a comment that is published or waiting: trusting the author of spam or of a
    rejected comment would wave their next one through, so such a comment is approved first.
    Nor while a ban matches them: trust would outlive the ban and wave them through once it
    is lifted, unseen by whoever lifts it.
    """
    if not comment.author_email:
        raise NoAuthorIdentity("Only authors with an e-mail address can be trusted.")
    if comment.status not in ("published", "pending"):
        raise TrustRefused(
            f"The comment is {comment.status}: approve it before trusting its author."
        )
    existing = _trusted(session, comment)
    if existing is not None:
        return existing
    if active_bans(session, comment.site_id, comment.author_email, comment.ip_hash):
        raise TrustRefused("The author is banned: lift the ban before trusting them.")
    trusted = TrustedAuthor(site_id=comment.site_id, email=comment.author_email, staff_id=staff.id)
    session.add(trusted)
    _record_about_author(session, comment, staff, "trust")
    session.flush()
    return trusted


def untrust_author(session: Session, comment: Comment, staff: Staff) -> None:
    """Withdraw trust from the comment's author: their comments are decided as anyone's."""
    trusted = _trusted(session, comment)
    if trusted is None:
        raise TrustRefused("The author of this comment is not trusted.")
    session.delete(trusted)
    _record_about_author(session, comment, staff, "untrust")
    session.flush()


def _trusted(session: Session, comment: Comment) -> TrustedAuthor | None:
    if not comment.author_email:
        return None
    return session.scalar(
        select(TrustedAuthor).where(
            TrustedAuthor.site_id == comment.site_id, TrustedAuthor.email == comment.author_email
        )
    )


def _record_about_author(session: Session, comment: Comment, staff: Staff, action: str) -> None:
    session.add(
        Decision.about(
            comment,
            actor="staff",
            action=action,
            to_status=comment.status,
            staff_id=staff.id,
            created_at=datetime.now(UTC),
        )
    )


def trusted_emails(session: Session, site_emails: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (site id, e-mail) pairs are trusted, in one query."""
    emails = {email for _, email in site_emails}
    if not emails:
        return set()
    rows = session.execute(
        select(TrustedAuthor.site_id, TrustedAuthor.email).where(TrustedAuthor.email.in_(emails))
    )
    return {(site_id, email) for site_id, email in rows} & site_emails


def banned_comments(session: Session, comments: list[Comment]) -> set[int]:
    """Which of the comments have an author a live ban matches (by e-mail or IP hash, as
    ``active_bans`` matches one comment), in one query."""
    emails = {c.author_email for c in comments if c.author_email}
    hashes = {c.ip_hash for c in comments if c.ip_hash}
    if not emails and not hashes:
        return set()
    rows = session.execute(
        select(Ban.site_id, Ban.email, Ban.ip_hash).where(
            Ban.site_id.in_({c.site_id for c in comments}),
            Ban.lifted_at.is_(None),
            or_(Ban.email.in_(emails), Ban.ip_hash.in_(hashes)),
        )
    ).all()
    by_email = {(site_id, email) for site_id, email, _ in rows if email}
    by_ip = {(site_id, ip_hash) for site_id, _, ip_hash in rows if ip_hash}
    return {
        c.id
        for c in comments
        if (c.site_id, c.author_email) in by_email or (c.site_id, c.ip_hash) in by_ip
    }
