"""Who is calling a staff route: a bearer token or a logged-in session, and may they."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request, session
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from comments.extensions import db
from comments.models import Site, Staff
from comments.services.accounts import end_sessions, staff_for_token
from comments.services.sites import is_site_name

F = TypeVar("F", bound=Callable[..., Any])

#: Which roles may do what; checked on every staff route.
MODERATE = frozenset({"admin", "moderator"})
READ_QUEUES = frozenset({"admin", "moderator", "analyst"})
ADMINISTER = frozenset({"admin"})


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def current_staff() -> Staff | None:
    """The caller, from `Authorization: Bearer ...` or the session; cached for the request."""
    if "staff" in g:
        staff: Staff | None = g.staff
        return staff
    staff = None
    g.staff_from_session = False
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        reading = request.method in ("GET", "HEAD", "OPTIONS")
        staff = staff_for_token(db.session(), header[7:].strip(), reading=reading)
    elif "staff_id" in session:
        candidate = db.session.get(Staff, session["staff_id"])
        # Sessions from before the generation was recorded count as generation 0.
        started_in = session.get("generation", 0)
        if (
            candidate is not None
            and candidate.active
            and started_in == candidate.session_generation
        ):
            staff = candidate
            g.staff_from_session = True
    g.staff = staff
    return staff


def log_in(staff: Staff) -> None:
    """Start a fresh session for the staff member, with a new CSRF token."""
    session.clear()
    session["staff_id"] = staff.id
    session["generation"] = staff.session_generation
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True
    g.staff = staff


def log_out() -> None:
    """End this staff member's sessions everywhere (a copied cookie too); the caller commits."""
    staff = current_staff()
    if staff is not None and g.staff_from_session:
        end_sessions(staff)
    session.clear()
    g.pop("staff", None)


def csrf_token() -> str:
    """The session's CSRF token, for forms (hidden field) and scripts (X-CSRF-Token header)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    token: str = session["csrf"]
    return token


def check_csrf() -> None:
    """Cookie-authenticated writes must prove they come from our own pages."""
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("The CSRF token is missing or does not match; reload the page.")


class BearerUnauthorized(Unauthorized):
    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), ("WWW-Authenticate", "Bearer")]


def require(roles: frozenset[str]) -> Callable[[F], F]:
    """401 without credentials, 403 with a role outside `roles`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None:
                raise BearerUnauthorized("Sign in or send an API token.")
            if g.staff_from_session and request.method not in _SAFE_METHODS:
                check_csrf()
            if staff.role not in roles:
                raise Forbidden(f"The {staff.role} role may not do this.")
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def site_ids_visible_to(staff: Staff) -> set[int] | None:
    """None means every site; otherwise only the sites a moderator is limited to."""
    if staff.role == "admin" or not staff.sites:
        return None
    return {site.id for site in staff.sites}


def visible_site(db_session: Session, staff: Staff, name: str) -> Site:
    """404 for a site that does not exist or that the staff member cannot see."""
    if not is_site_name(name):
        raise NotFound(f"No site {name!r}.")
    site = db_session.scalar(select(Site).where(Site.name == name))
    visible = site_ids_visible_to(staff)
    if site is None or (visible is not None and site.id not in visible):
        raise NotFound(f"No site {name!r}.")
    return site
