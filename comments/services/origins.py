"""Which browser origins may use a site's widget."""

from __future__ import annotations

from urllib.parse import urlsplit

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


def page_url_allowed(site: Site, url: str, public_url: str | None) -> bool:
    """Whether a thread's page address is on an origin that may embed the site's widget, or
    on the service's own (``PUBLIC_URL``; a Host header is the caller's to write).

    Anyone can post without a browser and name any page for a new thread; its address is then
    linked from the service's own mails, moderation cards and exports, so a stranger's address
    there would make them carry a phishing link.
    """
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    if public_url:
        own = urlsplit(public_url)
        if _same(origin, f"{own.scheme}://{own.netloc}"):
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
