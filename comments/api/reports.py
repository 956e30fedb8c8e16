"""POST /api/v1/comments/<id>/reports: a reader flags a published comment."""

from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.exceptions import NotFound

from comments.api import bp
from comments.api.contract import ID, contract
from comments.extensions import db, limiter
from comments.models import Report
from comments.network import current_ip_hash
from comments.rate_keys import client_bucket
from comments.schemas.public import ReportCreatedSchema, ReportCreateSchema
from comments.services.reports import NotReportable, report_comment

_created = ReportCreatedSchema()


@bp.post(f"/comments/<{ID}:comment_id>/reports")
@limiter.limit(lambda: current_app.config["RATELIMIT_REPORTS_PER_IP"], key_func=client_bucket)
@contract({201: _created, 200: _created}, body=ReportCreateSchema(), errors=(429,))
def create_report(comment_id: int, body: dict[str, Any]) -> tuple[Report, int]:
    """Report a published comment to the moderators; 200 when this reader reported it already."""
    try:
        report, created = report_comment(
            db.session(), comment_id, body["reason"], body["text"], current_ip_hash()
        )
    except NotReportable as error:
        raise NotFound(str(error)) from error
    db.session.commit()
    return report, 201 if created else 200
