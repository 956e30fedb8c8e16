"""GET /healthz: can this instance take comments right now, and with which model."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from comments import schema
from comments.db import discard_transaction
from comments.errors import RETRY_AFTER_DB_DOWN
from comments.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int, dict[str, str]]:
    """200 when comments are stored and scored; 503 when either fails, saying why in the body.

    A model that could not be loaded while another keeps scoring, or rate limits counted per
    worker because Redis does not answer, are reported (``degraded``) but stay a 200: taking
    the instance out of service would bring neither back.
    """
    database: dict[str, Any] = {"ok": True, "engine": db.engine.dialect.name}
    reachable = True
    try:
        db.session.execute(text("SELECT 1"))
        if outdated := schema.behind(db.session):  # every query of a table could fail
            database.update(ok=False, error=outdated)
    except SQLAlchemyError as error:
        database.update(ok=False, error=type(error).__name__)  # public: no hosts, no paths
        # The reason goes to the log, as for any request that meets it: a load balancer may
        # be the only client left once this instance answers 503.
        current_app.logger.error("database unavailable: %s", getattr(error, "orig", None) or error)
        discard_transaction(db.session)
        reachable = False
    # Without the database the choice of version cannot be re-read: report what serves now.
    model = current_app.extensions["model_provider"].status(db.session if database["ok"] else None)
    rate_limits = limiter.storage_status(current_app.config["RATELIMIT_STORAGE_URI"])
    healthy = database["ok"] and model["scoring"]
    # A monitor reading the body tells the 503 from a 200 that carries a warning.
    if not healthy:
        status = "unavailable"
    elif model["error"] or rate_limits.get("error"):
        status = "degraded"
    else:
        status = "ok"
    body = {
        "status": status,
        "database": database,
        "model": model,
        "rate_limits": rate_limits,
    }
    headers = {} if reachable else {"Retry-After": str(RETRY_AFTER_DB_DOWN)}
    return body, 200 if healthy else 503, headers
