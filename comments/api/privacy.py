"""Privacy over the API: admins export or erase an address; readers ask for a link by mail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, request, url_for
from werkzeug.exceptions import ServiceUnavailable

from comments.api.contract import contract
from comments.auth import ADMINISTER, current_staff, require
from comments.extensions import db, limiter
from comments.network import ip_hash_keys
from comments.rate_keys import client_bucket
from comments.schemas.privacy import (
    AddressSchema,
    ErasedSchema,
    EraseSchema,
    ExportSchema,
    ReaderRequestAnswerSchema,
    ReaderRequestSchema,
)
from comments.services.mail.settings import base_url, links_available
from comments.services.privacy import requests
from comments.services.privacy.keys import email_hash, normalise_email

bp = Blueprint("privacy_api", __name__, url_prefix="/api/v1")

#: The one answer to a reader's request, known address or not.
ANSWER = (
    "If the address is right, a message is on its way to it: it says what we hold, and how "
    "to download or erase it. The link in it works once, for a limited time."
)
#: The answer while links cannot be mailed: the same for every address, so it tells nothing
#: about any of them.
NO_LINKS = (
    "This service cannot mail links yet: its operator has not set PUBLIC_URL. Ask the site's "
    "owner for a copy or the erasure of your data."
)


def _staff_name() -> str:
    staff = current_staff()
    assert staff is not None  # guaranteed by @require
    return f"admin:{staff.name}"


@bp.post("/admin/privacy/export")
@require(ADMINISTER)
@contract({200: ExportSchema()}, body=AddressSchema())
def export(body: dict[str, Any]) -> dict[str, Any]:
    """Everything stored about the address on every site; the request is logged."""
    document = requests.export_logged(
        db.session(),
        body["email"],
        keys=ip_hash_keys(current_app.config),
        requested_by=_staff_name(),
        now=datetime.now(UTC),
    )
    db.session.commit()
    return document


@bp.post("/admin/privacy/erase")
@require(ADMINISTER)
@contract({200: ErasedSchema()}, body=EraseSchema(), errors=(422,))
def erase(body: dict[str, Any]) -> dict[str, Any]:
    """Erase the address (one site or all), as each site's setting or ``mode`` says."""
    counts = requests.erase_logged(
        db.session(),
        body["email"],
        keys=ip_hash_keys(current_app.config),
        requested_by=_staff_name(),
        now=datetime.now(UTC),
        site=body["site"],
        mode=body["mode"],
    )
    db.session.commit()
    return {"counts": counts}


def posted_email() -> str:
    """The address a reader's request names, from JSON or a form."""
    payload = request.get_json(silent=True) if request.is_json else request.form
    email = payload.get("email") if payload is not None and hasattr(payload, "get") else None
    return normalise_email(email) if isinstance(email, str) else ""


def hashed_email_key() -> str:
    """A rate-limit key for the address that is not the address (Redis keys, limit logs)."""
    return "email:" + email_hash(posted_email(), ip_hash_keys(current_app.config)[0])


def reader_limits(view: Any) -> Any:
    """Per client IP and per address, both keyed by hashes, for the API and the page."""
    per_email = limiter.limit(
        lambda: current_app.config["RATELIMIT_PRIVACY_PER_EMAIL"],
        key_func=hashed_email_key,
        exempt_when=lambda: not posted_email(),
    )
    per_ip = limiter.limit(
        lambda: current_app.config["RATELIMIT_PRIVACY_PER_IP"], key_func=client_bucket
    )
    return per_ip(per_email(view))


def send_link(email: str, kind: str) -> None:
    """Queue the reader's mail and commit: the same work whether the address is known.

    Without PUBLIC_URL, ServiceUnavailable: the link could only name the host the request
    gave, the caller's to write, and a mail queued now goes out once e-mail is on."""
    if not links_available():
        raise ServiceUnavailable(NO_LINKS)
    requests.request_link(
        db.session(),
        email,
        kind,
        secret_key=current_app.config["SECRET_KEY"],
        keys=ip_hash_keys(current_app.config),
        max_age=current_app.config["PRIVACY_LINK_MAX_AGE"],
        # Like every mailed link, under PUBLIC_URL: the request's Host header is the caller's
        # to write, and a link to their host would hand them the token.
        link=lambda token: base_url() + url_for("privacy_ui.form", token=token),
        now=datetime.now(UTC),
    )
    db.session.commit()


@bp.post("/privacy/requests")
@reader_limits
@contract({202: ReaderRequestAnswerSchema()}, body=ReaderRequestSchema(), errors=(429, 503))
def request_link(body: dict[str, Any]) -> tuple[dict[str, str], int]:
    """A reader asks for a link to export or erase what is stored about their address; it
    goes to that address, and the answer is the same whether or not we know it."""
    send_link(body["email"], body["kind"])
    return {"message": ANSWER}, 202
