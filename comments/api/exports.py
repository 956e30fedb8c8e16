"""Admins download a site's comments (the CLI's `flask export`), streamed as it is read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, stream_with_context
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from comments.api.contract import contract
from comments.auth import ADMINISTER, require
from comments.extensions import db
from comments.models import Site
from comments.schemas.exports import ExportQuerySchema
from comments.services import exports

bp = Blueprint("exports_api", __name__, url_prefix="/api/v1/admin/sites")


@bp.get("/<site>/export")
@require(ADMINISTER)
@contract(
    {200: None},
    query=ExportQuerySchema(),
    produces=tuple(exports.MEDIA_TYPES[fmt] for fmt in exports.FORMATS),
)
def export_site(site: str, query: dict[str, Any]) -> Response:
    """Every comment of the site, with e-mails and scores: JSON Lines or WXR (WordPress).

    Streamed while it is read, so a large site never sits in memory."""
    if db.session.scalar(select(Site.id).where(Site.name == site)) is None:
        raise NotFound(f"No site {site!r}.")
    fmt = query["format"]

    def chunks() -> Iterator[str]:
        # Runs after the request's own transaction has ended (its teardown comes first), so
        # the rows are read in a transaction of the streaming's own.
        yield from exports.site_export(db.session(), site, fmt)

    response = Response(stream_with_context(chunks()), mimetype=exports.MEDIA_TYPES[fmt])
    # Site names are lower-case letters, digits, - and _: safe in a header as they are.
    filename = f"{site}-comments.{exports.EXTENSIONS[fmt]}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
