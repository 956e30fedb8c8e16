"""The few reads the pages need beyond the moderation services: plain functions of a Session.

Kept apart from the views so they stay testable and can move into a service unchanged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from comments.auth import site_ids_visible_to
from comments.models import Ban, Comment, CommentSignal, Site, Staff
from comments.schemas.public import MAX_ID

SNIPPET = 280


def row_id(value: str) -> int | None:
    """An id from a form field or query parameter, or None. ASCII digits only: str.isdigit
    also takes "²", which int() refuses (a 500)."""
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


def visible_comment(session: Session, staff: Staff, comment_id: int) -> Comment:
    """404 for a comment that does not exist or belongs to a site the staff cannot see."""
    comment = session.get(Comment, comment_id)
    visible = site_ids_visible_to(staff)
    if comment is None or (visible is not None and comment.site_id not in visible):
        raise NotFound(f"No comment {comment_id}.")
    return comment


def visible_ban(session: Session, staff: Staff, ban_id: int) -> Ban:
    """404 for a ban that does not exist or is on a site the staff cannot see."""
    ban = session.get(Ban, ban_id)
    visible = site_ids_visible_to(staff)
    if ban is None or (visible is not None and ban.site_id not in visible):
        raise NotFound(f"No ban {ban_id}.")
    return ban


def visible_site(session: Session, staff: Staff, name: str) -> Site:
    """404 for a site that does not exist or that the staff cannot see, alike."""
    site = session.scalar(select(Site).where(Site.name == name))
    visible = site_ids_visible_to(staff)
    if site is None or (visible is not None and site.id not in visible):
        raise NotFound(f"No site {name!r}.")
    return site


def visible_site_ids(staff: Staff) -> frozenset[int] | None:
    visible = site_ids_visible_to(staff)
    return frozenset(visible) if visible is not None else None


def parents(session: Session, parent_ids: set[int]) -> dict[int, dict[str, Any]]:
    """What a reply answers, shortened: one query for the whole page."""
    if not parent_ids:
        return {}
    rows = session.execute(
        select(Comment.id, Comment.author_name, Comment.body_raw, Comment.status).where(
            Comment.id.in_(parent_ids)
        )
    ).all()
    return {
        row.id: {
            "id": row.id,
            "author": row.author_name or "Anonymous",
            "status": row.status,
            "snippet": row.body_raw[:SNIPPET] + ("…" if len(row.body_raw) > SNIPPET else ""),
        }
        for row in rows
    }


def site_names(session: Session, site_ids: frozenset[int] | None) -> list[str]:
    query = select(Site.name).order_by(Site.name)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids))
    return list(session.scalars(query))


def signal_names(session: Session) -> list[str]:
    """Every signal that has fired at least once, for the filter's choices."""
    return list(session.scalars(select(CommentSignal.name).distinct().order_by(CommentSignal.name)))
