"""Extensions created unbound and bound to the app with init_app."""

from __future__ import annotations

import logging
from typing import Any

import flask_limiter
from flask import Flask, Response, g
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from comments.models.base import Base
from comments.rate_keys import client_bucket
from comments.rate_limits import refund


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter whose storage health and log follow the app it was last bound to.

    The extension object outlives apps (tests and ``flask`` commands make several in one
    process): a storage that failed for an earlier app says nothing about this app's, and the
    warning that Redis is unreachable belongs in the app's own log, which gunicorn shows.
    """

    def init_app(self, app: Flask) -> None:
        self._storage_dead = False
        self.logger = app.logger.getChild("rate_limits")
        if _without_keys not in self.logger.filters:
            self.logger.addFilter(_without_keys)
        # Flask runs after_request hooks last registered first: Flask-Limiter's own, which
        # writes its headers, runs between the first two and the last.
        app.after_request(self._retry_after_only_on_429)
        super().init_app(app)
        app.after_request(self._note_own_retry_after)
        app.after_request(self._unavailable_costs_nothing)

    @property
    def current_limit(self) -> flask_limiter.RequestLimit | None:
        """The limit the ``X-RateLimit-*`` headers describe: of several (per IP and per
        e-mail), the one with the fewest requests left. Flask-Limiter describes the first one
        declared, so an answer could say 3 left when the next request met 429."""
        limits = self.current_limits
        if len(limits) < 2 or any(limit.breached for limit in limits):
            return super().current_limit
        return min(limits, key=lambda limit: limit.remaining)

    def _unavailable_costs_nothing(self, response: Response) -> Response:
        """A 503 (database down, no model) is the server's fault: it counts against no limit.

        Otherwise a widget retrying as told uses up the poster's budget during an outage and
        meets 429 for a minute once the service is back.
        """
        if response.status_code == 503 and self.enabled and self.current_limits:
            try:
                refund(self.limiter, self.current_limits)
            except Exception:  # Redis gone meanwhile: the hit stays, the 503 must not become 500
                self.logger.warning("could not take back a 503's rate-limit hit", exc_info=True)
        return response

    @staticmethod
    def _note_own_retry_after(response: Response) -> Response:
        g.own_retry_after = response.headers.get("Retry-After")
        return response

    @staticmethod
    def _retry_after_only_on_429(response: Response) -> Response:
        """Flask-Limiter writes ``Retry-After`` (the limit's window) on every answer of a
        limited route, and has no setting to stop it: a client told to wait after a 201 waits
        for nothing. Only a 429 keeps it; any other answer keeps the one it had before, if any
        (a 503 says when the service expects to be back: 5 s for the database)."""
        own = g.pop("own_retry_after", None)
        if response.status_code == 429:
            return response
        if own is None:
            response.headers.pop("Retry-After", None)
        else:
            response.headers["Retry-After"] = own
        return response

    def storage_status(self, storage_uri: str) -> dict[str, Any]:
        """For /healthz: where the counts live and whether every worker shares them.

        With Redis configured but not answering, each worker counts in its own memory: the
        limits hold per worker only, which an operator should see without reading logs.
        """
        if not self.enabled:
            return {"enabled": False}
        if not storage_uri.startswith(("redis://", "rediss://", "redis+")):
            return {"enabled": True, "storage": "memory", "shared": False, "error": None}
        try:
            reachable = bool(self.storage.check())
        except Exception:  # any failure to answer means "not shared now"
            reachable = False
        error = None if reachable else "Redis does not answer: each worker counts on its own"
        return {"enabled": True, "storage": "redis", "shared": reachable, "error": error}


def _without_keys(record: logging.LogRecord) -> bool:
    """Flask-Limiter logs a breached limit with its key, a client's IP or e-mail address for
    some limits: the log keeps the limit and the endpoint, never the key."""
    args = record.args
    if str(record.msg).startswith("ratelimit ") and isinstance(args, tuple) and len(args) == 3:
        record.args = (args[0], "key withheld", args[2])
    return True


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
limiter = Limiter(key_func=client_bucket)
