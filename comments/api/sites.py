"""Sites' settings for staff: everyone reads the sites they can see, admins change them (as
`flask sites update` does, through the same service)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from comments.api.contract import contract
from comments.auth import (
    ADMINISTER,
    READ_QUEUES,
    current_staff,
    require,
    site_ids_visible_to,
    visible_site,
)
from comments.errors import FieldErrors
from comments.extensions import db
from comments.models import Site, Staff
from comments.schemas.sites import (
    SiteChangesQuerySchema,
    SiteChangesSchema,
    SiteListSchema,
    SiteSchema,
    SiteUpdatedSchema,
    SiteUpdateSchema,
    api_field_errors,
)
from comments.services import site_changes
from comments.services import sites as site_service
from comments.services.thread_listing import decode_cursor

bp = Blueprint("sites_api", __name__, url_prefix="/api/v1/sites")


def _staff() -> Staff:
    staff = current_staff()
    assert staff is not None  # guaranteed by @require
    return staff


def described(site: Site) -> dict[str, Any]:
    """The site's settings, and what its unset thresholds mean with the model deciding now."""
    serving = current_app.extensions["model_provider"].serving(db.session())
    return {
        **site_service.describe(site),
        "model_thresholds": site_service.model_thresholds(serving.active),
    }


@bp.get("")
@require(READ_QUEUES)
@contract({200: SiteListSchema()})
def list_sites() -> dict[str, Any]:
    """The sites the caller can see, by name, with every setting."""
    visible = site_ids_visible_to(_staff())
    site_ids = frozenset(visible) if visible is not None else None
    return {"sites": [described(site) for site in site_service.list_sites(db.session(), site_ids)]}


@bp.get("/<site>")
@require(READ_QUEUES)
@contract({200: SiteSchema()})
def read_site(site: str) -> dict[str, Any]:
    """Every setting of one site, as `flask sites list` prints it."""
    return described(visible_site(db.session(), _staff(), site))


@bp.get("/<site>/changes")
@require(READ_QUEUES)
@contract({200: SiteChangesSchema()}, query=SiteChangesQuerySchema())
def list_changes(site: str, query: dict[str, Any]) -> dict[str, Any]:
    """Who changed which setting of the site, and from what to what, the newest first.

    Each setting a change touched is one item, named as GET /sites/<name> names it; ``actor``
    is the staff member's name at the time, ``cli`` or ``calibrate``. ``next`` is the next
    page's cursor.
    """
    found = visible_site(db.session(), _staff(), site)
    after = decode_cursor(query["cursor"]) if query["cursor"] else None
    page = site_changes.list_changes(db.session(), found, limit=query["per_page"], after=after)
    return {"items": page.changes, "next": page.next_cursor}


@bp.patch("/<site>")
@require(ADMINISTER)
@contract({200: SiteUpdatedSchema()}, body=SiteUpdateSchema())
def update_site(site: str, body: dict[str, Any]) -> dict[str, Any]:
    """Change the settings sent; the others keep their values.

    Lists are sent whole. A refused value (422 naming the field) changes nothing, the other
    settings sent included. Each change is recorded with who made it (GET .../changes).
    """
    staff = _staff()
    name = visible_site(db.session(), staff, site).name
    settings, lists = site_service.replacing_lists(body)
    try:
        saved, changed = site_service.change_settings(db.session(), name, settings, lists, by=staff)
    except FieldErrors as error:
        raise FieldErrors(api_field_errors(error.errors)) from error
    db.session.commit()
    site_service.log_changes(name, changed, f"{staff.role} {staff.name}")
    return {**described(saved), "changed": sorted(changed)}
