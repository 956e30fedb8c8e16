"""Which browser origins may use a site's widget."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from comments.models import Site


def _same(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def origin_allowed(site: Site, origin: str | None, own_origin: str | None) -> bool:
    """No Origin (a script or server) and the service's own pages are always allowed."""
    if not origin or (own_origin and _same(origin, own_origin)):
        return True
    return any(allowed == "*" or _same(origin, allowed) for allowed in site.allowed_origins)


def any_site_allows(session: Session, origin: str) -> bool:
    """For CORS headers and preflights, which name no site: the POST itself checks its site."""
    return any(
        allowed == "*" or _same(origin, allowed)
        for origins in session.scalars(select(Site.allowed_origins))
        for allowed in origins
    )
