"""Who may see a page, where they go back to, and the headers every page carries.

Pages differ from the JSON API in one way: an anonymous visitor is sent to the login form
instead of getting a bare 401, and refusals are rendered as pages, not JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import Forbidden, HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from comments.auth import MODERATE, check_csrf, csrf_token, current_staff
from comments.models import Staff
from comments.moderation_ui import bp, present

F = TypeVar("F", bound=Callable[..., Any])

#: Scripts, styles and images only from this origin; no inline code, no framing.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_STATIC_ENDPOINT = "moderation_ui.static"


@bp.after_request
def _security_headers(response: Response) -> Response:
    """Every response of the blueprint, error pages included, gets the strict policy."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != _STATIC_ENDPOINT:
        # Pages show e-mail addresses and IP hashes: keep them out of shared caches and history.
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _template_globals() -> dict[str, Any]:
    staff = current_staff()
    return {
        "csrf_token": csrf_token,
        "staff": staff,
        "can_moderate": _can_moderate(staff),
        "when": present.when,
        "iso": present.iso,
        "band": present.score_band,
        "score_words": present.score_words,
        "detail_text": present.detail_text,
        "history_text": present.history_text,
        "author_standing": present.author_standing,
        "report_reason": present.report_reason,
        "duration": present.duration,
        "ban_scopes": present.BAN_SCOPE_LABELS,
    }


def _can_moderate(staff: Staff | None) -> bool:
    return staff is not None and staff.role in MODERATE


def safe_next(target: str | None, default: str | None = None) -> str:
    """A same-site path to return to; anything else (other hosts, schemes) is replaced."""
    fallback = default or url_for("moderation_ui.queue")
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def _current_path() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


#: A form posted once its session had ended (expired, or signed out elsewhere) changed nothing;
#: without this the sign-in form came back silently, and the decision seemed made.
SESSION_ENDED = "Your session had ended, so that was not done. Sign in, then do it again."


def _to_sign_in() -> WerkzeugResponse:
    """The sign-in form, then back: to this page, or after a form, to the page it was on."""
    if request.method in ("GET", "HEAD"):
        target: str | None = _current_path()
    else:
        flash(SESSION_ENDED, "error")
        given = request.form.get("next")
        target = safe_next(given) if given else None
    params: dict[str, Any] = {"next": target} if target else {}
    return redirect(url_for("moderation_ui.login", **params), code=303)


def page(roles: frozenset[str]) -> Callable[[F], F]:
    """Login redirect for anonymous visitors, 403 page for the wrong role, CSRF on writes."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None:
                return _to_sign_in()
            if request.method not in ("GET", "HEAD"):
                # Always, even for a bearer token: these forms exist only for our own pages.
                check_csrf()
            if staff.role not in roles:
                raise Forbidden(f"Your role ({staff.role}) may not do this.")
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in_staff() -> Staff:
    staff = current_staff()
    assert staff is not None  # guaranteed by @page
    return staff


@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(429)
def _error_page(error: HTTPException) -> tuple[str, int]:
    """Refusals as pages a person can act on, not the API's JSON."""
    code = error.code or 500
    titles = {403: "Not allowed", 404: "Not found", 429: "Too many attempts"}
    return render_template(
        "moderation_ui/error.html",
        code=code,
        title=titles.get(code, "Error"),
        message=error.description,
    ), code
