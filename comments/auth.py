"""Who is calling a staff route: a bearer token or a logged-in session, and may they."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request, session
from werkzeug.exceptions import Forbidden, Unauthorized

from comments.extensions import db
from comments.models import Staff
from comments.services.accounts import staff_for_token

F = TypeVar("F", bound=Callable[..., Any])

#: Which roles may do what; checked on every staff route.
MODERATE = frozenset({"admin", "moderator"})
READ_QUEUES = frozenset({"admin", "moderator", "analyst"})
ADMINISTER = frozenset({"admin"})


def current_staff() -> Staff | None:
    """The caller, from `Authorization: Bearer ...` or the session; cached for the request."""
    if "staff" in g:
        staff: Staff | None = g.staff
        return staff
    staff = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        staff = staff_for_token(db.session(), header[7:].strip())
    elif "staff_id" in session:
        candidate = db.session.get(Staff, session["staff_id"])
        if candidate is not None and candidate.active:
            staff = candidate
    g.staff = staff
    return staff


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
