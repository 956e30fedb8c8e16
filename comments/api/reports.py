"""POST /api/v1/comments/<id>/reports: a reader flags a published comment."""

from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.exceptions import NotFound

from comments.api import bp
from comments.api.parsing import json_body, load
from comments.extensions import db, limiter
from comments.network import client_ip, current_ip_hash
from comments.schemas.public import ReportCreateSchema
from comments.services.reports import NotReportable, report_comment

_report = ReportCreateSchema()


@bp.post("/comments/<int:comment_id>/reports")
@limiter.limit(lambda: current_app.config["RATELIMIT_REPORTS_PER_IP"], key_func=client_ip)
def create_report(comment_id: int) -> tuple[dict[str, Any], int]:
    data = load(_report, json_body())
    try:
        report, created = report_comment(
            db.session(), comment_id, data["reason"], data["text"], current_ip_hash()
        )
    except NotReportable as error:
        raise NotFound(str(error)) from error
    db.session.commit()
    return {"id": report.id, "comment_id": comment_id, "reason": report.reason}, (
        201 if created else 200
    )
