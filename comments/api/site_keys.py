"""Admins create, list and revoke the API keys of a site (the CLI does the same)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from comments.api.contract import ID, contract
from comments.auth import ADMINISTER, current_staff, require
from comments.errors import FieldErrors
from comments.extensions import db
from comments.models import Site
from comments.schemas.site_keys import (
    SiteKeyCreatedSchema,
    SiteKeyCreateSchema,
    SiteKeyListSchema,
    SiteKeySchema,
)
from comments.services import site_keys

bp = Blueprint("site_keys_api", __name__, url_prefix="/api/v1/admin/sites")


def _existing(site: str) -> str:
    if db.session.scalar(select(Site.id).where(Site.name == site)) is None:
        raise NotFound(f"No site {site!r}.")
    return site


@bp.get("/<site>/keys")
@require(ADMINISTER)
@contract({200: SiteKeyListSchema()})
def list_keys(site: str) -> dict[str, Any]:
    """The site's keys, live and revoked, without the keys themselves."""
    records = site_keys.list_keys(db.session(), _existing(site))
    return {"keys": [site_keys.describe_key(record) for record in records]}


@bp.post("/<site>/keys")
@require(ADMINISTER)
@contract({201: SiteKeyCreatedSchema()}, body=SiteKeyCreateSchema())
def create_key(site: str, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A new key for the site's servers; the answer is the only time the key is shown."""
    staff = current_staff()
    assert staff is not None  # guaranteed by @require
    issued = site_keys.create_key(db.session(), _existing(site), body["label"], staff.name)
    db.session.commit()
    return {**site_keys.describe_key(issued.record), "key": issued.key}, 201


@bp.post(f"/<site>/keys/<{ID}:key_id>/revoke")
@require(ADMINISTER)
@contract({200: SiteKeySchema()})
def revoke_key(site: str, key_id: int) -> dict[str, Any]:
    """Refuse the key from now on; revoking a revoked key changes nothing."""
    try:
        record = site_keys.revoke_key(db.session(), _existing(site), key_id)
    except FieldErrors as error:
        raise NotFound(f"Site {site!r} has no key {key_id}.") from error
    db.session.commit()
    return site_keys.describe_key(record)
