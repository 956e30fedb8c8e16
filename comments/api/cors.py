"""CORS for the public API: only origins some site allows, never a blanket echo."""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask.blueprints import BlueprintSetupState
from sqlalchemy.exc import OperationalError

from comments.api import bp
from comments.extensions import db
from comments.services.origins import allowed_origins, among

PREFLIGHT_MAX_AGE = 600


class KnownOrigins:
    """The origins some site allowed at this process's last successful look.

    Allowed origins live in the database. During an outage they cannot be read, and an answer
    without CORS headers is, to a widget on another site, a failed connection: it cannot read
    the 503 nor its Retry-After, and tells the reader to check their connection. The outage
    answers (and their preflights) carry no data, so they go to the origins allowed moments
    ago; an origin this process never saw allowed gets none.
    """

    def __init__(self) -> None:
        self.origins: frozenset[str] = frozenset()


@bp.record_once
def _start_knowing(state: BlueprintSetupState) -> None:
    state.app.extensions["known_origins"] = KnownOrigins()


def _allowed(origin: str, response: Response) -> bool:
    known: KnownOrigins = current_app.extensions["known_origins"]
    if not g.get("database_unavailable"):  # else a second wait on a database that failed
        try:
            known.origins = allowed_origins(db.session())
            return among(known.origins, origin)
        except OperationalError:  # the database is down: never a 500 for it
            pass
    # What the database last said, only for answers without data: a preflight, or the 503.
    dataless = request.method == "OPTIONS" or response.status_code == 503
    return dataless and among(known.origins, origin)


@bp.after_request
def _cors_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if not origin:
        return response
    if not (g.get("origin_checked") or _allowed(origin, response)):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    if request.method == "OPTIONS":
        # PATCH and DELETE: readers edit their own comments, with the X-Edit-Token header.
        # Idempotency-Key: a page's own script may send the POST's key as a header.
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE"
        allowed = "Content-Type, Idempotency-Key, X-Edit-Token"
        response.headers["Access-Control-Allow-Headers"] = allowed
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response
