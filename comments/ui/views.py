"""Thin views: the demo post and the widget's two assets. No database access here."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Response,
    current_app,
    make_response,
    render_template,
    send_file,
)

from comments.ui import bp
from comments.ui.assets import Joined, edit_script, embed_script, embed_stylesheet

# The demo page is the widget's proof: a strict policy with no inline script or style, and
# Trusted Types enforced so the only HTML parsing allowed is the widget's own named policy.
DEMO_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types comments-widget",
    ]
)

DEMO_POST = {
    "title": "We Will Back Russia Until Victory in Ukraine: North Korea",
    "thread": "/2024/11/north-korea-backs-russia",
    "published": "2024-11",
    "published_label": "November 2024",
    "site": "Earthlings 1997",
}

ASSET_MAX_AGE = 300  # seconds: short enough that a fixed widget reaches embedding sites soon


@bp.get("/")
def demo() -> Response:
    """A blog post with the widget embedded as any third-party site would embed it."""
    response = make_response(render_template("ui/demo.html", post=DEMO_POST))
    response.headers["Content-Security-Policy"] = DEMO_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _public(response: Response, content_type: str) -> Response:
    """The headers every widget asset shares."""
    response.headers["Content-Type"] = content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Public, cookie-less files loaded by other origins' pages (and by SRI-checked tags).
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if current_app.debug:
        response.headers["Cache-Control"] = "no-cache"
    return response


def _joined(asset: Joined, mimetype: str) -> Response:
    # send_file answers conditional and range requests as it does for the files on disk.
    response = send_file(
        BytesIO(asset.body),
        mimetype=mimetype,
        etag=asset.etag,
        last_modified=asset.modified,
        max_age=ASSET_MAX_AGE,
    )
    return _public(response, f"{mimetype}; charset=utf-8")


@bp.get("/embed.js")
def embed_js() -> Response:
    """The widget script; sites embed it with ``<script src=".../embed.js" defer>``."""
    return _joined(embed_script(), "application/javascript")


@bp.get("/embed-edit.js")
def embed_edit_js() -> Response:
    """Editing one's own comments and the rephrase nudge, loaded by embed.js beside itself."""
    return _joined(edit_script(), "application/javascript")


@bp.get("/embed.css")
def embed_css() -> Response:
    """The widget stylesheet, injected by embed.js from the same base URL."""
    return _joined(embed_stylesheet(), "text/css")
