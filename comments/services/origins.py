"""Which browser origins may use a site's widget."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from comments.models import Site


def _normalised(origin: str) -> str:
    return origin.rstrip("/").lower()


def _same(a: str, b: str) -> bool:
    return _normalised(a) == _normalised(b)


def origin_allowed(site: Site, origin: str | None, own_origin: str | None) -> bool:
    """No Origin (a script or server) and the service's own pages are always allowed."""
    if not origin or (own_origin and _same(origin, own_origin)):
        return True
    return any(allowed == "*" or _same(origin, allowed) for allowed in site.allowed_origins)


def allowed_origins(session: Session) -> frozenset[str]:
    """Every origin some site allows (``*`` if one allows any), for CORS headers and
    preflights, which name no site: the POST itself checks its own site."""
    return frozenset(
        _normalised(allowed)
        for origins in session.scalars(select(Site.allowed_origins))
        for allowed in origins
    )


def among(origins: frozenset[str], origin: str) -> bool:
    """Whether ``origin`` is one of ``allowed_origins``."""
    return "*" in origins or _normalised(origin) in origins
