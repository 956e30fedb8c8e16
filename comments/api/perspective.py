"""Perspective's comments:analyze and comments:suggestscore, served from our own models.

A platform with a Perspective client (Coral Talk, ...) switches to us by changing its endpoint
to ``https://OUR-HOST/v1alpha1``, or, with Google's client libraries, its discovery URL to
``https://OUR-HOST/$discovery/rest?version=v1alpha1``. Thin: find the site by its key
(``?key=`` or the ``X-Goog-Api-Key`` header, as Google accepts), parse, call
``comments.services.perspective``, answer in Perspective's JSON. Errors use Google's error body
and status codes, not this API's own shape, so these routes stay out of the OpenAPI document
of /api/v1.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from comments.api.perspective_discovery import VERSION, document
from comments.extensions import db, limiter
from comments.models import Site
from comments.rate_keys import client_bucket
from comments.schemas.perspective import AnalyzeRequestSchema, SuggestRequestSchema
from comments.services import perspective, site_keys
from comments.services.perspective import Analysis, PerspectiveError

bp = Blueprint("perspective", __name__)

_analyze_schema = AnalyzeRequestSchema()
_suggest_schema = SuggestRequestSchema()
_ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def _sent_key() -> str:
    return request.args.get("key") or request.headers.get("X-Goog-Api-Key") or ""


def _key_bucket() -> str:
    """Counted per key by its hash, never the key itself; calls without a key per address."""
    key = _sent_key()
    return site_keys.rate_limit_key(key) if key else "perspective-no-key:" + client_bucket()


#: The same scope as the Akismet API: one budget per key, whichever API it calls.
_per_key = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_PER_SITE_KEY"], scope="site-key", key_func=_key_bucket
)


def google_error(
    code: int,
    status: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Google's error body: ``{"error": {"code", "message", "status", "details"?}}``."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    response = jsonify({"error": error})
    response.status_code = code
    response.headers.update(headers or {})
    return response


def _refused(error: PerspectiveError) -> Response:
    details = None
    if error.error_type:
        details = [{"@type": _ERROR_TYPE, "errorType": error.error_type, **error.detail}]
    return google_error(error.code, error.status, error.message, details)


def _reason(reason: str) -> list[dict[str, Any]]:
    return [{"@type": _ERROR_INFO, "reason": reason, "domain": "googleapis.com"}]


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> Response:
    retry_after = error.get_response().headers.get("Retry-After")
    return google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for this API key; try again later.",
        _reason("RATE_LIMIT_EXCEEDED"),
        {"Retry-After": retry_after} if retry_after else None,
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Response:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return google_error(
        400, "INVALID_ARGUMENT", f"Request payload size exceeds the limit: {limit} bytes."
    )


@bp.errorhandler(PerspectiveError)
def _perspective_error(error: PerspectiveError) -> Response:
    return _refused(error)


def _site() -> Site | Response:
    """The key's site, or Google's answer to a missing, unknown or revoked key."""
    key = _sent_key()
    if not key:
        return google_error(403, "PERMISSION_DENIED", "The request is missing a valid API key.")
    site = site_keys.site_for_key(db.session(), key)
    if site is None:
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
            _reason("API_KEY_INVALID"),
        )
    return site


def _problems(messages: Any, path: str = "") -> list[str]:
    """Marshmallow's nested messages as ``field.path: message`` (``comment.text: ...``)."""
    if isinstance(messages, dict):
        # A wrong type for a whole object is filed under "_schema": name the object instead.
        return [
            problem
            for name, inner in messages.items()
            for problem in _problems(inner, path if name == "_schema" else f"{path}.{name}")
        ]
    return [f"{path.lstrip('.')}: {message}" for message in messages]


def _load(schema: Schema) -> Any:
    """The request body through ``schema``; Google's INVALID_ARGUMENT for anything malformed."""
    try:
        payload = current_app.json.loads(request.get_data())
    except ValueError as error:  # also bad UTF-8 and nesting too deep
        raise PerspectiveError(f"Invalid JSON payload received. {error}", None) from None
    if not isinstance(payload, dict):
        raise PerspectiveError("Invalid JSON payload received. Expected an object.", None)
    try:
        return schema.load(payload)
    except ValidationError as error:
        described = "; ".join(_problems(error.messages))
        raise PerspectiveError(f"Invalid JSON payload received. {described}", None) from None


def _analysis_body(analysis: Analysis, client_token: str) -> dict[str, Any]:
    scores: dict[str, Any] = {}
    for name, score in analysis.scores.items():
        entry: dict[str, Any] = {"summaryScore": {"value": score.value, "type": "PROBABILITY"}}
        if score.spans is not None:
            entry["spanScores"] = [
                {
                    "begin": span.begin,
                    "end": span.end,
                    "score": {"value": span.value, "type": "PROBABILITY"},
                }
                for span in score.spans
            ]
        scores[name] = entry
    body: dict[str, Any] = {"attributeScores": scores, "languages": analysis.languages}
    if client_token:
        body["clientToken"] = client_token
    return body


@bp.get("/$discovery/rest")
def discovery() -> Response:
    """Google's discovery document, rooted at this service (``PUBLIC_URL`` when set, else the
    address the client called): what Google's client libraries build their client from."""
    version = request.args.get("version", VERSION)
    if version != VERSION:
        return google_error(
            404, "NOT_FOUND", f"Discovery document not found for commentanalyzer {version}."
        )
    root = current_app.config["PUBLIC_URL"] or request.host_url
    return jsonify(document(root.rstrip("/") + "/"))


@bp.post(f"/{VERSION}/comments:analyze")
@_per_key
def analyze() -> Response:
    """Scores of TOXICITY and SPAM by the active model; nothing about the comment is kept."""
    site = _site()
    if isinstance(site, Response):
        return site
    wanted = _load(_analyze_schema)
    provider = current_app.extensions["model_provider"]
    analysis = perspective.analyze(db.session(), provider, wanted)
    db.session.commit()  # the key's last use, nothing else
    return jsonify(_analysis_body(analysis, wanted.client_token))


@bp.post(f"/{VERSION}/comments:suggestscore")
@_per_key
def suggest_score() -> Response:
    """A platform's correction, kept as a labelled example of the key's site for retraining."""
    site = _site()
    if isinstance(site, Response):
        return site
    suggested = _load(_suggest_schema)
    perspective.suggest(db.session(), site, suggested)
    db.session.commit()
    body = {"clientToken": suggested.client_token} if suggested.client_token else {}
    return jsonify(body)
