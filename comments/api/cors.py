"""CORS for the public API: only origins some site allows, never a blanket echo."""

from __future__ import annotations

import re
import threading
import time

from flask import Response, current_app, g, request
from flask.blueprints import BlueprintSetupState
from sqlalchemy.exc import OperationalError

from comments.api import bp
from comments.extensions import db
from comments.services.origins import allowed_origins, among
from comments.services.sites import is_site_name

PREFLIGHT_MAX_AGE = 600
REFUSAL_LOG_INTERVAL = 3600.0  # seconds between two log lines for one refused origin
REFUSALS_REMEMBERED = 1000  # origins logged within an interval; more are not logged
# An origin as sites accept it, in the characters a host (a name, an IPv4 or a bracketed IPv6
# address) and port can have: anything else (a forged header, "null" from a sandboxed frame)
# could not be added, and is not echoed.
_LOGGABLE_ORIGIN = re.compile(r"^https?://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?\Z")


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


class RefusedOrigins:
    """When this process last logged each origin it refused.

    A refused page's widget fails with nothing but the browser's generic CORS error, which its
    owner sees only in a reader's console; the log names the origin and the command that
    allows it. Once an hour per origin, since every request from such a page is refused, and
    never more than ``REFUSALS_REMEMBERED`` origins an hour: anyone can send any Origin.
    """

    def __init__(self) -> None:
        self.logged: dict[str, float] = {}
        self.lock = threading.Lock()

    def due(self, origin: str, now: float) -> bool:
        """Whether to log ``origin`` now; if so, counted as logged."""
        with self.lock:
            last = self.logged.get(origin)
            if last is not None and now - last < REFUSAL_LOG_INTERVAL:
                return False
            if len(self.logged) >= REFUSALS_REMEMBERED:
                self.logged = {
                    seen: at for seen, at in self.logged.items() if now - at < REFUSAL_LOG_INTERVAL
                }
                if len(self.logged) >= REFUSALS_REMEMBERED:
                    return False
            self.logged[origin] = now
            return True


@bp.record_once
def _start_knowing(state: BlueprintSetupState) -> None:
    state.app.extensions["known_origins"] = KnownOrigins()
    state.app.extensions["refused_origins"] = RefusedOrigins()


def _log_refusal(origin: str) -> None:
    """Name a refused origin in the log, with the command that allows it."""
    own = request.host_url.rstrip("/").lower()
    if origin.rstrip("/").lower() == own or not _LOGGABLE_ORIGIN.match(origin):
        return  # the service's own pages need no CORS; an origin no site could list
    refused: RefusedOrigins = current_app.extensions["refused_origins"]
    if not refused.due(origin.lower(), time.monotonic()):
        return
    site = request.args.get("site", "")
    site = site if is_site_name(site) else "SITE"
    current_app.logger.warning(
        "refused origin %s (%s %s): no site allows it, so the widget on its pages cannot "
        "read the API; if it is yours: flask --app wsgi sites update %s --add-origin %s "
        "(logged once an hour per origin)",
        origin,
        request.method,
        request.path,
        site,
        origin,
    )


def _allowed(origin: str, response: Response) -> bool:
    known: KnownOrigins = current_app.extensions["known_origins"]
    if not g.get("database_unavailable"):  # else a second wait on a database that failed
        try:
            known.origins = allowed_origins(db.session())
        except OperationalError:  # the database is down: never a 500 for it
            pass
        else:
            if among(known.origins, origin):
                return True
            _log_refusal(origin)
            return False
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
