"""Site administration: names, origins, thresholds and word lists."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comments.errors import FieldErrors
from comments.models import ERASURE_MODES, Site
from comments.services.threads import get_site

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ORIGIN = re.compile(r"^(\*|https?://[^/\s]+/?)$")
SETTINGS = (
    "title",
    "origins",
    "moderation",
    "toxicity_hold",
    "spam_hold",
    "spam_file",
    "blocked_words",
    "blocked_domains",
    "max_links",
    "require_form_token",
    "min_form_seconds",
    "edit_window_seconds",
    "erasure",
)


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.name)))


def describe(site: Site) -> dict[str, Any]:
    return {
        "name": site.name,
        "title": site.title,
        "allowed_origins": site.allowed_origins,
        "moderation": site.moderation,
        "toxicity_hold": site.toxicity_hold,
        "spam_hold": site.spam_hold,
        "spam_file": site.spam_file,
        "blocked_words": site.blocked_words,
        "blocked_domains": site.blocked_domains,
        "max_links": site.max_links,
        "require_form_token": site.require_form_token,
        "min_form_seconds": site.min_form_seconds,
        "edit_window_seconds": site.edit_window_seconds,
        "erasure": site.erasure,
    }


def _apply(site: Site, settings: dict[str, Any]) -> None:
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise FieldErrors({name: ["Unknown setting."] for name in sorted(unknown)})
    origins = settings.get("origins")
    if origins is not None:
        bad = [origin for origin in origins if not _ORIGIN.match(origin)]
        if bad:
            raise FieldErrors({"origins": [f"Not an origin like https://example.com: {bad}"]})
        site.allowed_origins = [origin.rstrip("/") for origin in origins]
    for name in SETTINGS:
        if name != "origins" and name in settings:
            setattr(site, name, settings[name])
    if settings.get("erasure", ERASURE_MODES[0]) not in ERASURE_MODES:
        raise FieldErrors({"erasure": [f"One of {', '.join(ERASURE_MODES)}."]})
    spam_hold = site.spam_hold
    if spam_hold is not None and site.spam_file is not None and spam_hold > site.spam_file:
        raise FieldErrors({"spam_hold": ["Must not be above spam_file."]})


def create_site(session: Session, name: str, settings: dict[str, Any]) -> Site:
    if not _NAME.match(name):
        raise FieldErrors({"name": ["Use 1-64 lower-case letters, digits, - or _."]})
    if session.scalar(select(Site).where(Site.name == name)) is not None:
        raise FieldErrors({"name": [f"A site named {name!r} exists already."]})
    site = Site(name=name)
    _apply(site, settings)
    session.add(site)
    session.flush()
    return site


def update_site(session: Session, name: str, settings: dict[str, Any]) -> Site:
    site = get_site(session, name)
    _apply(site, settings)
    session.flush()
    return site
