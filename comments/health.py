"""GET /healthz: can this instance take comments right now, and with which model."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from comments.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    database: dict[str, Any] = {"ok": True, "engine": db.engine.dialect.name}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        database.update(ok=False, error=type(error).__name__)
        db.session.rollback()
    model = current_app.extensions["model_provider"].status(db.session)
    healthy = database["ok"] and model["loaded"]
    body = {"status": "ok" if healthy else "degraded", "database": database, "model": model}
    return body, 200 if healthy else 503
