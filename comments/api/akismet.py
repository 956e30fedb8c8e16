"""Akismet's REST API 1.1 (and 1.2's usage-limit) served from our rules and models, for
platforms with Akismet clients.

Thin: parse the form, find the site by its API key, call ``comments.services.akismet``, and
answer in Akismet's words: plain-text bodies, ``X-akismet-*`` headers, HTTP 200 even for a bad
key or a missing field, as Akismet's clients expect. Its own protocol, so it is not in the
OpenAPI document. The ``blog`` URL is required but not matched against the site's origins:
the key is the credential, and Akismet's only way to warn (``X-akismet-alert-*`` headers)
makes several clients treat a good answer as an error.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import TooManyRequests

from comments.extensions import db, limiter
from comments.models import Site
from comments.network import ip_hash_keys
from comments.rate_keys import client_bucket
from comments.schemas.akismet import (
    FORM_MIMETYPE,
    AkismetFormSchema,
    Form,
    UnknownCharset,
    collect,
    decode_fields,
    form_fields,
)
from comments.services import akismet, site_keys
from comments.services.akismet import AkismetComment, ModelUnavailable
from comments.services.scoring import ModelProvider

bp = Blueprint("akismet", __name__)

SUBMITTED = "Thanks for making the web a better place."
_schema = AkismetFormSchema()


def _form() -> Form:
    """The form as the client encoded it (``blog_charset``; see ``schemas.akismet``).

    The body is read with ``get_data(cache=True)`` and never through ``request.form`` first:
    once Werkzeug has parsed a form, the raw body is gone.
    """
    if request.mimetype != FORM_MIMETYPE:
        return collect(request.form.items(multi=True))
    return form_fields(request.get_data(cache=True))


def _sent_key() -> str:
    """The key is ASCII, so the rate limit reads it without the charset (a bad charset is
    answered by the view). usage-limit also takes it in the query string, as a GET."""
    if request.mimetype != FORM_MIMETYPE:
        form = request.form.to_dict()
    else:
        form = decode_fields(request.get_data(cache=True), "latin-1")
    return form.get("api_key") or form.get("key") or request.args.get("api_key") or ""


def _key_bucket() -> str:
    """Counted per key (by its hash, never the key itself); calls without a key per address."""
    key = _sent_key()
    return site_keys.rate_limit_key(key) if key else "akismet-no-key:" + client_bucket()


#: One budget per key across the four calls.
_per_key = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_PER_SITE_KEY"], scope="site-key", key_func=_key_bucket
)


def _text(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status, headers, mimetype="text/plain")


def _invalid(help_text: str) -> Response:
    return _text("invalid", headers={"X-akismet-debug-help": help_text})


def _missing(field: str) -> Response:
    return _text(
        f"Missing required field: {field}.",
        headers={"X-akismet-debug-help": f'Empty "{field}" value'},
    )


def _parse() -> tuple[str, AkismetComment, Site | None]:
    """The key, the comment and the key's site (None for a missing, unknown or revoked key)."""
    key, comment = _schema.load(_form())
    return key, comment, site_keys.site_for_key(db.session(), key) if key else None


def _unknown_key(key: str) -> Response:
    if not key:
        return _invalid('Empty "api_key" value')
    return _invalid("The API key is unknown or has been revoked.")


def _ip_keys() -> tuple[bytes, ...]:
    """The current IP hash key first, then the previous ones bans may still be keyed with."""
    return ip_hash_keys(current_app.config)


@bp.errorhandler(UnknownCharset)
def _unknown_charset(error: UnknownCharset) -> Response:
    """Not Akismet's 200: no answer about a comment we could not read would be true."""
    return _text(str(error), 400, {"X-akismet-debug-help": str(error)})


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> Response:
    return _text("Too many requests; try again later.", 429)


@bp.post("/1.1/verify-key")
@_per_key
def verify_key() -> Response:
    """``valid`` for a live key of any site; the key alone names the site."""
    key, comment, site = _parse()
    if site is None:
        return _unknown_key(key)
    if not comment.blog:
        return _invalid('Empty "blog" value')
    db.session.commit()  # the key's last use
    return _text("valid")


@bp.post("/1.1/comment-check")
@_per_key
def comment_check() -> Response:
    """``true`` (spam) or ``false``, with ``X-akismet-pro-tip: discard`` for blatant spam, and
    what the widget path would have done in ``X-Comments-Status`` and ``X-Comments-Reason``."""
    key, comment, site = _parse()
    if site is None:
        return _unknown_key(key)
    missing = akismet.missing_field(comment)
    if missing:
        return _missing(missing)
    provider: ModelProvider = current_app.extensions["model_provider"]
    try:
        verdict = akismet.check_comment(
            db.session(), site, comment, provider=provider, ip_keys=_ip_keys()
        )
    except ModelUnavailable:
        return _text(
            "The spam model is unavailable; try again shortly.",
            503,
            {
                "Retry-After": str(current_app.config["MODEL_RETRY_SECONDS"]),
                "X-akismet-debug-help": "No model could score the comment.",
            },
        )
    db.session.commit()
    headers = {"X-Comments-Status": verdict.status, "X-Comments-Reason": verdict.reason}
    if verdict.discard:
        headers["X-akismet-pro-tip"] = "discard"
    return _text("true" if verdict.spam else "false", headers=headers)


def _submit(spam: bool) -> Response:
    key, comment, site = _parse()
    if site is None:
        return _unknown_key(key)
    missing = akismet.missing_field(comment)
    if missing:
        return _missing(missing)
    akismet.learn(db.session(), site, comment, spam=spam, ip_key=_ip_keys()[0])
    db.session.commit()
    return _text(SUBMITTED)


@bp.post("/1.1/submit-spam")
@_per_key
def submit_spam() -> Response:
    """A comment the platform's moderators call spam: a labelled example of the key's site."""
    return _submit(spam=True)


@bp.post("/1.1/submit-ham")
@_per_key
def submit_ham() -> Response:
    """A comment wrongly called spam: a labelled example (not spam) of the key's site."""
    return _submit(spam=False)


@bp.route("/1.2/usage-limit", methods=["GET", "POST"])
@_per_key
def usage_limit() -> Response:
    """Akismet's answer for an unlimited plan: a key of ours has no monthly limit, only the
    per-minute rate limit, which answers 429 itself."""
    key = _sent_key()
    site = site_keys.site_for_key(db.session(), key) if key else None
    if site is None:
        return _unknown_key(key)
    db.session.commit()  # the key's last use
    return jsonify(akismet.UNLIMITED_USAGE)
