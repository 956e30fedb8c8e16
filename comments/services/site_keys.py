"""API keys per site, for the servers of platforms that call our compatible APIs.

A key names its site, so a Perspective or Akismet client needs nothing else to reach the
right thresholds, word lists and training data. Keys are shown once and stored hashed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from comments.errors import FieldErrors
from comments.models import Site, SiteApiKey
from comments.services.accounts import hash_token
from comments.services.threads import get_site

KEY_PREFIX = "cms_"
#: Shown in listings so admins can tell keys apart: "cms_" and four random characters.
_SHOWN = len(KEY_PREFIX) + 4
#: Writing last_used_at on every call would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedSiteKey:
    key: str
    record: SiteApiKey


def create_key(
    session: Session, site_name: str, label: str = "", created_by: str = ""
) -> IssuedSiteKey:
    site = get_site(session, site_name)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = SiteApiKey(
        site_id=site.id,
        key_hash=hash_token(key),
        prefix=key[:_SHOWN],
        label=label[:100],
        created_by=created_by[:64],
    )
    session.add(record)
    session.flush()
    return IssuedSiteKey(key, record)


def list_keys(session: Session, site_name: str) -> list[SiteApiKey]:
    site = get_site(session, site_name)
    return list(
        session.scalars(
            select(SiteApiKey).where(SiteApiKey.site_id == site.id).order_by(SiteApiKey.id)
        )
    )


def revoke_key(session: Session, site_name: str, key_id: int) -> SiteApiKey:
    site = get_site(session, site_name)
    record = session.scalar(
        select(SiteApiKey).where(SiteApiKey.site_id == site.id, SiteApiKey.id == key_id)
    )
    if record is None:
        raise FieldErrors({"key_id": [f"Site {site_name!r} has no key {key_id}."]})
    if record.revoked_at is None:
        record.revoked_at = datetime.now(UTC)
        session.flush()
    return record


def site_for_key(session: Session, key: str) -> Site | None:
    """The site a live key belongs to, or None for an unknown or revoked key."""
    if not key or len(key) > 200:
        return None
    record = session.scalar(select(SiteApiKey).where(SiteApiKey.key_hash == hash_token(key)))
    if record is None or record.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    if record.last_used_at is None or now - record.last_used_at >= _TOUCH_EVERY:
        record.last_used_at = now
    return record.site


def describe_key(record: SiteApiKey) -> dict[str, object]:
    return {
        "id": record.id,
        "site": record.site.name,
        "prefix": record.prefix,
        "label": record.label,
        "created_by": record.created_by,
        "created_at": record.created_at.isoformat(),
        "last_used_at": record.last_used_at.isoformat() if record.last_used_at else None,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }


def rate_limit_key(key: str) -> str:
    """What rate limits count a key under: never the key itself, which Redis would then hold."""
    return "site-key:" + hash_token(key)[:32]
