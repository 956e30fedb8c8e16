"""Readers' pages behind the links in their mails: confirm a subscription, unsubscribe.

Public by design (a reader has no account): the signed token in the link is the only
authority, and without a valid one nothing changes. GET only shows a page with a button, so
a mail scanner that fetches links confirms or cancels nothing; POST acts (the unsubscribe
POST is RFC 8058's one-click request, sent by mail clients without a page). The token sits in
the URL, so pages send ``Referrer-Policy: no-referrer`` and are never cached. Registering the
blueprint also sets up the sender for the app.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, render_template, request

from comments.extensions import db
from comments.services.mail import links, subscriptions, worker

bp = Blueprint("mail", __name__, url_prefix="/mail", template_folder="templates")

CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"


@bp.record_once
def _set_up_sending(state: Any) -> None:
    worker.init_app(state.app)


def _page(template: str, status: int = 200, **values: Any) -> Response:
    response = make_response(render_template(f"mail_pages/{template}.html", **values), status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _token() -> str:
    return (request.args.get("token") or request.form.get("token") or "")[:1000]


@bp.route("/confirm", methods=["GET", "POST"])
def confirm() -> Response:
    """Confirm a reply subscription: GET asks, POST confirms."""
    token = _token()
    try:
        subscription = subscriptions.confirmable(db.session(), token)
    except links.InvalidLink as error:
        return _page("message", 400, title="Link not valid", message=str(error))
    if subscription is None:
        return _page("message", 404, title="Nothing to confirm", message=GONE)
    page = subscriptions.page_name(db.session(), subscription)
    confirmed = CONFIRMED.format(page=page)
    if request.method == "GET":
        if subscription.confirmed_at is not None:
            return _page("message", title="Confirmed", message=confirmed)
        return _page(
            "ask",
            action="confirm",
            token=token,
            button="Yes, e-mail me replies",
            title="Confirm your subscription",
            message=ASK_CONFIRM.format(page=page),
        )
    subscriptions.confirm(db.session(), subscription)
    db.session.commit()
    return _page("message", title="Confirmed", message=confirmed)


@bp.route("/unsubscribe", methods=["GET", "POST"])
def unsubscribe() -> Response:
    """Stop reply mails: GET asks, POST (a button, or a mail client's one click) stops them."""
    token = _token()
    try:
        subscription = subscriptions.unsubscribable(db.session(), token)
    except links.InvalidLink as error:
        return _page("message", 400, title="Link not valid", message=str(error))
    if subscription is None:  # unsubscribed already (the link used twice), or erased
        return _page("message", title="Unsubscribed", message=UNSUBSCRIBED)
    page = subscriptions.page_name(db.session(), subscription)
    if request.method == "GET":
        return _page(
            "ask",
            action="unsubscribe",
            token=token,
            button="Unsubscribe",
            title="Unsubscribe",
            message=ASK_UNSUBSCRIBE.format(page=page),
        )
    subscriptions.unsubscribe(db.session(), subscription)
    db.session.commit()
    return _page("message", title="Unsubscribed", message=UNSUBSCRIBED_FROM.format(page=page))


GONE = "This subscription no longer exists (it was cancelled, or the comment was removed)."
CONFIRMED = "You will receive an e-mail when someone replies to your comment on “{page}”."
ASK_CONFIRM = "Receive an e-mail when someone replies to your comment on “{page}”?"
ASK_UNSUBSCRIBE = "Stop e-mails about replies to your comment on “{page}”?"
UNSUBSCRIBED_FROM = "You will receive no more e-mails about replies to this comment on “{page}”."
UNSUBSCRIBED = "You will receive no more e-mails about replies to this comment."
