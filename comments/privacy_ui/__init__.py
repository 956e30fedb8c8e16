"""Readers' privacy pages under ``/privacy``: ask for a link, then download or erase with it.

No JavaScript and no session: the request form posts the address, the link from the mail
opens the same page with a confirmation form that posts the token and the address typed in
again. Nothing changes on a GET, so a mail client fetching the link ahead erases nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, render_template, request
from marshmallow import ValidationError
from marshmallow.validate import Email, Length

from comments.api.privacy import ANSWER, NO_LINKS, posted_email, reader_limits, send_link
from comments.extensions import db
from comments.models import PRIVACY_KINDS
from comments.network import ip_hash_keys
from comments.services.mail.settings import links_available
from comments.services.privacy import requests

bp = Blueprint("privacy_ui", __name__, url_prefix="/privacy", template_folder="templates")

CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
#: The refusal for a link that is tampered, expired or used.
INVALID = "This link is not valid: it may have expired or been used already. Ask for a new one."
WRONG_ADDRESS = (
    "This is not the address this link was sent to: enter the one the mail came to, as it "
    "appears in the mail."
)


@bp.after_request
def _headers(response: Response) -> Response:
    """Pages about someone's data: never cached, never framed, never leaked as a Referer."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _max_age() -> int:
    return int(current_app.config["PRIVACY_LINK_MAX_AGE"])


def _open_link_kind(token: str) -> str | None:
    """What the link is for while it can still be used; None once it cannot."""
    return requests.link_kind(
        db.session(),
        token,
        secret_key=current_app.config["SECRET_KEY"],
        max_age=_max_age(),
        now=datetime.now(UTC),
    )


@bp.get("")
def form() -> tuple[str, int]:
    """The request form, or with ``?token=`` from the mail, the confirmation form."""
    token = request.args.get("token", "")
    if not token:
        unavailable = None if links_available() else NO_LINKS
        return render_template(
            "privacy_ui/page.html", kinds=PRIVACY_KINDS, unavailable=unavailable
        ), 200
    kind = _open_link_kind(token)
    if kind is None:
        return render_template("privacy_ui/page.html", kinds=PRIVACY_KINDS, error=INVALID), 400
    return render_template("privacy_ui/confirm.html", kind=kind, token=token), 200


def _form_errors(email: str, kind: str) -> dict[str, str]:
    """What is wrong with the request form, by field: the address is checked as the API checks
    it, so a mistyped one is corrected here rather than stored and mailed to nobody."""
    errors = {}
    try:
        Length(max=254)(email)
        Email()(email)
    except ValidationError:
        errors["email"] = "Enter a valid e-mail address, like ann@example.org."
    if kind not in PRIVACY_KINDS:
        errors["kind"] = "Choose what you want: a copy of your data, or its erasure."
    return errors


@bp.post("")
@reader_limits
def ask() -> tuple[str, int]:
    """Send the link; the page says the same whether or not the address is known."""
    email, kind = posted_email(), request.form.get("kind", "")
    errors = _form_errors(email, kind)
    if errors:
        return render_template(
            "privacy_ui/page.html", kinds=PRIVACY_KINDS, errors=errors, email=email, kind=kind
        ), 422
    if not links_available():
        return render_template(
            "privacy_ui/page.html", kinds=PRIVACY_KINDS, unavailable=NO_LINKS
        ), 503
    send_link(email, kind)
    return render_template("privacy_ui/done.html", message=ANSWER), 200


@bp.post("/confirm")
def confirm() -> Response | tuple[str, int]:
    """Carry out the link's request: the export as a download, or the erasure."""
    token, email = request.form.get("token", ""), posted_email()
    config = current_app.config
    keys, now = ip_hash_keys(config), datetime.now(UTC)
    try:
        claimed = requests.redeem(
            db.session(),
            token,
            email,
            secret_key=config["SECRET_KEY"],
            keys=keys,
            max_age=_max_age(),
            now=now,
        )
    except requests.InvalidLink:
        db.session.rollback()  # the claim changed nothing; on SQLite it took the write lock
        kind = _open_link_kind(token)
        if kind is None:
            return render_template("privacy_ui/page.html", kinds=PRIVACY_KINDS, error=INVALID), 400
        # The link still works: the address typed is not the one it was sent to. Saying so
        # tells the holder of a link no more than a right guess would (it succeeds).
        errors = {"email": WRONG_ADDRESS}
        return render_template(
            "privacy_ui/confirm.html", kind=kind, token=token, errors=errors, email=email
        ), 422
    if claimed.kind == "export":
        document = requests.export_logged(
            db.session(), email, keys=keys, requested_by="reader", now=now, request=claimed
        )
        db.session.commit()
        return Response(
            json.dumps(document, indent=2, ensure_ascii=False),
            mimetype="application/json",
            headers={"Content-Disposition": 'attachment; filename="my-comments-data.json"'},
        )
    counts = requests.erase_logged(
        db.session(), email, keys=keys, requested_by="reader", now=now, request=claimed
    )
    db.session.commit()
    # The counts, not a fixed sentence: each site anonymises or removes as it is set to.
    return render_template("privacy_ui/erased.html", counts=counts), 200
