"""CORS for the public API: only origins some site allows, never a blanket echo."""

from __future__ import annotations

from flask import Response, g, request
from sqlalchemy.exc import OperationalError

from comments.api import bp
from comments.extensions import db
from comments.services.origins import any_site_allows

PREFLIGHT_MAX_AGE = 600


@bp.after_request
def _cors_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if not origin:
        return response
    try:
        allowed = g.get("origin_checked") or any_site_allows(db.session(), origin)
    except OperationalError:  # the database is down: answer without CORS, not with a 500
        return response
    if not allowed:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    if request.method == "OPTIONS":
        # PATCH and DELETE: readers edit their own comments, with the X-Edit-Token header.
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Edit-Token"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response
