"""The URL map as the authorisation tests see it: which routes are public and why, and how a
legitimate caller would call each guarded one.

Shared by test_authorisation.py (the walk), the sign-in tests and the public-response privacy
test, so a route added anywhere is checked by all three.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from comments.extensions import db
from comments.models import (
    Ban,
    Comment,
    Decision,
    SiteApiKey,
    SiteSettingChange,
    Thread,
    TrustedAuthor,
)
from comments.services.sites import describe, list_sites
from tests.moderation_ui.conftest import PASSWORD

#: Routes anyone may call, and why. Everything else must refuse callers without credentials.
PUBLIC_ENDPOINTS = {
    "api.create_comment": "readers post from the widget: origin-checked, rate-limited, moderated",
    "api.read_thread": "the widget shows a thread: published comments, public fields only",
    "api.create_report": "readers flag published comments: rate-limited, one report per reader",
    "api.form_token": "the widget's signed time token against bots; carries no data",
    "api.edit_comment": "a reader edits their own comment: needs its signed edit token, in time",
    "api.delete_comment": "a reader deletes their own comment: needs its signed edit token",
    "api.extend_edit_window": "a reader extends the time to edit their own comment: needs "
    "its signed edit token, in time, at most 10 times",
    "api.held_comments": "a reader's own held comments: each shown only with its edit token",
    "api.openapi_document": "the API's description for integrators; no data, only shapes",
    "health.healthz": "load balancers probe without credentials; database and model state only",
    "ui.demo": "the demo blog post that embeds the widget",
    "ui.embed_js": "the widget's script, embedded by other sites' pages",
    "ui.embed_css": "the widget's stylesheet",
    "ui.embed_edit_js": "the widget's editing and nudge code, loaded by embed.js",
    "ui.static": "the demo page's and the widget's static files",
    "moderation_ui.login": "staff reach the sign-in form without a session; CSRF-checked, limited",
    "moderation_ui.logout": "ends only the caller's own session; CSRF-checked",
    "moderation_ui.static": "the moderation pages' script and stylesheet; no data",
    "privacy_api.request_link": "readers ask for their data: the link goes to the address only",
    "privacy_ui.form": "readers' privacy page; with a link's token, a form that changes nothing",
    "privacy_ui.ask": "the privacy page's request form: mails the address, rate-limited",
    "privacy_ui.confirm": "acts only with a signed, unused link and the address it was sent to",
    "mail.confirm": "a reader confirms reply mails: acts only with the signed link mailed to them",
    "mail.unsubscribe": "RFC 8058 one-click unsubscribe: acts only with a mailed signed link",
    "akismet.verify_key": "Akismet's protocol: the api_key field names the site (test below)",
    "akismet.comment_check": "Akismet's protocol: the api_key field names the site",
    "akismet.submit_spam": "Akismet's protocol: the api_key field names the site",
    "akismet.submit_ham": "Akismet's protocol: the api_key field names the site",
    "akismet.usage_limit": "Akismet's protocol: the api_key field names the site",
    "perspective.analyze": "Perspective's protocol: the key names the site (test below)",
    "perspective.suggest_score": "Perspective's protocol: the key names the site",
    "perspective.discovery": "Google's discovery document for Perspective clients; only shapes",
}
#: Public above, yet refused without a live site key in Akismet's words (test at the end).
AKISMET_ENDPOINTS = frozenset(name for name in PUBLIC_ENDPOINTS if name.startswith("akismet."))
#: Likewise, refused without a live site key in Google's words (the discovery document is not).
PERSPECTIVE_ENDPOINTS = frozenset(
    n for n in PUBLIC_ENDPOINTS if n.startswith("perspective.") and n != "perspective.discovery"
)
ROLES = ("admin", "moderator", "analyst")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALLOWED_ORIGIN = "https://blog.example"
LOGIN = "/moderation/login"


@dataclass(frozen=True)
class Targets:
    """What a request acts on: a held comment and an active ban, both of one site."""

    comment: int
    ban: int
    marker: str


@dataclass(frozen=True)
class World:
    mine: Targets  # on the "default" site
    theirs: Targets  # on the "other" site
    tokens: dict[str, dict[str, str]]  # Authorization headers by staff name
    browsers: dict[str, FlaskClient]  # signed in, by staff name


def sample(endpoint: str, method: str, target: Targets) -> dict[str, Any]:
    """A request a legitimate caller would send, so a missing check shows as an effect."""
    if method not in UNSAFE_METHODS:
        return {}
    samples: dict[str, dict[str, Any]] = {
        "classifier_api.score": {"json": {"text": "Is this comment rude?"}},
        "moderation_api.decision": {"json": {"action": "approve"}},
        "moderation_api.bulk_decision": {"json": {"action": "approve", "ids": [target.comment]}},
        "moderation_api.ban": {"json": {"reason": "abuse", "reject_comments": True}},
        "moderation_api.lift_ban": {"json": {}},
        "moderation_api.trust": {"json": {}},
        "moderation_api.untrust": {},
        # Writes that leave the thread open: other requests of a walk still comment on it.
        "moderation_api.update_thread": {
            "json": {"title": "Ours"},
            "query_string": {"thread": "/t"},
        },
        "moderation_ui.decide": {"data": {"action": "approve"}},
        "moderation_ui.bulk_decision": {"data": {"action": "approve", "ids": str(target.comment)}},
        "moderation_ui.ban": {"data": {"reason": "abuse", "reject_comments": "1"}},
        "moderation_ui.trust": {"data": {}},
        "moderation_ui.lift_ban": {"data": {}},
        "moderation_ui.untrust": {"data": {}},
        "moderation_ui.page_closing": {"data": {"thread": "/t", "closed": "open"}},
        "moderation_ui.login": {"data": {"name": "admin", "password": PASSWORD}},
        "moderation_ui.logout": {"data": {}},
        "site_keys_api.create_key": {"json": {"label": "platform"}},
        "sites_api.update_site": {"json": {"max_links": 0, "blocked_words": ["casino"]}},
        "site_keys_api.revoke_key": {},
        "privacy_api.export": {"json": {"email": f"{target.marker}@example.org"}},
        "privacy_api.erase": {"json": {"email": f"{target.marker}@example.org"}},
        "webhooks_api.create_endpoint": {"json": {"url": "https://hooks.example/in"}},
        "webhooks_api.update_endpoint": {"json": {"active": False}},
        "webhooks_api.remove_endpoint": {},
        "webhooks_api.rotate_secret": {"json": {"overlap_hours": 1}},
        "webhooks_api.redeliver": {},
        "moderation_ui.update_site_settings": {"data": {"max_links": "0", "erasure": "remove"}},
        "moderation_ui.notification_settings": {
            "data": {"email": "m@example.org", "notify": "off"}
        },
    }
    if endpoint not in samples:
        pytest.fail(f"{method} {endpoint} is new: add a legitimate request for it to sample()")
    return {key: dict(value) for key, value in samples[endpoint].items()}


def with_csrf(request: dict[str, Any], token: str) -> dict[str, Any]:
    """Pages send the token as a form field, scripts calling the API as a header."""
    if "json" in request:
        return {**request, "headers": {"X-CSRF-Token": token}}
    return {**request, "data": {**request.get("data", {}), "csrf_token": token}}


def build_url(app: Flask, rule: Rule, method: str, target: Targets) -> str:
    values = {
        "comment_id": target.comment,
        "ban_id": target.ban,
        "site": target.marker.removeprefix("held-on-"),
        "key_id": 1,
        "webhook_id": 1,
        "delivery_id": 1,
    }
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.endpoint}: give the test a value for {unknown}"
    arguments = {name: values[name] for name in rule.arguments}
    return str(app.url_map.bind("localhost").build(rule.endpoint, arguments, method=method))


def is_page(rule: Rule) -> bool:
    return str(rule.endpoint).startswith("moderation_ui.")


def guarded_rules(app: Flask) -> Iterator[Rule]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC_ENDPOINTS:
            yield rule


def required_roles(app: Flask, rule: Rule) -> frozenset[str]:
    roles: frozenset[str] | None = getattr(
        app.view_functions[rule.endpoint], "required_roles", None
    )
    assert roles, f"{rule.endpoint} is neither in PUBLIC_ENDPOINTS nor guarded by a role check"
    return roles


def methods(rule: Rule) -> list[str]:
    """Every method the route answers; OPTIONS is Flask's own and runs no view."""
    return sorted((rule.methods or set()) - {"OPTIONS"})


def state(app: Flask) -> tuple[Any, ...]:
    """Everything a staff route can change; compared before and after refused requests."""
    with app.app_context():
        session = db.session
        return (
            sorted(session.execute(select(Comment.id, Comment.status)).all()),
            session.scalar(select(func.count()).select_from(Decision)),
            sorted(session.execute(select(Ban.id, Ban.lifted_at)).all()),
            session.scalar(select(func.count()).select_from(TrustedAuthor)),
            sorted(session.execute(select(SiteApiKey.id, SiteApiKey.revoked_at)).all()),
            [describe(site) for site in list_sites(session)],
            session.scalar(select(func.count()).select_from(SiteSettingChange)),
            sorted(session.execute(select(Thread.id, Thread.closed, Thread.title)).all()),
        )
