"""Every route in the URL map is public by a recorded decision, or guarded by role and site.

The walk is over ``app.url_map``, so a route added without a decision fails here: list it in
PUBLIC_ENDPOINTS with a reason, or guard it with ``comments.auth.require`` (API) or
``comments.moderation_ui.guards.page`` (pages), which also record the roles they allow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from comments.extensions import db
from comments.models import Ban, Comment, Decision, SiteApiKey, Staff, TrustedAuthor
from comments.services import accounts
from comments.services.moderation import authors
from tests.moderation_ui.conftest import PASSWORD, session_csrf, sign_in

#: Routes anyone may call, and why. Everything else must refuse callers without credentials.
PUBLIC_ENDPOINTS = {
    "api.create_comment": "readers post from the widget: origin-checked, rate-limited, moderated",
    "api.read_thread": "the widget shows a thread: published comments, public fields only",
    "api.create_report": "readers flag published comments: rate-limited, one report per reader",
    "api.form_token": "the widget's signed time token against bots; carries no data",
    "api.edit_comment": "a reader edits their own comment: needs its signed edit token, in time",
    "api.delete_comment": "a reader deletes their own comment: needs its signed edit token",
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
    "perspective.analyze": "Perspective's protocol: the key names the site (test below)",
    "perspective.suggest_score": "Perspective's protocol: the key names the site",
}
#: Public above, yet refused without a live site key in Akismet's words (test at the end).
AKISMET_ENDPOINTS = frozenset(name for name in PUBLIC_ENDPOINTS if name.startswith("akismet."))
#: Likewise, refused without a live site key in Google's words.
PERSPECTIVE_ENDPOINTS = frozenset(n for n in PUBLIC_ENDPOINTS if n.startswith("perspective."))
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
        "moderation_ui.decide": {"data": {"action": "approve"}},
        "moderation_ui.bulk_decision": {"data": {"action": "approve", "ids": str(target.comment)}},
        "moderation_ui.ban": {"data": {"reason": "abuse", "reject_comments": "1"}},
        "moderation_ui.trust": {"data": {}},
        "moderation_ui.lift_ban": {"data": {}},
        "moderation_ui.untrust": {"data": {}},
        "moderation_ui.login": {"data": {"name": "admin", "password": PASSWORD}},
        "moderation_ui.logout": {"data": {}},
        "site_keys_api.create_key": {"json": {"label": "platform"}},
        "site_keys_api.revoke_key": {},
        "privacy_api.export": {"json": {"email": f"{target.marker}@example.org"}},
        "privacy_api.erase": {"json": {"email": f"{target.marker}@example.org"}},
        "webhooks_api.create_endpoint": {"json": {"url": "https://hooks.example/in"}},
        "webhooks_api.update_endpoint": {"json": {"active": False}},
        "webhooks_api.remove_endpoint": {},
        "webhooks_api.rotate_secret": {"json": {"overlap_hours": 1}},
        "webhooks_api.redeliver": {},
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
        )


@pytest.fixture
def world(app: Flask, client: FlaskClient, runner: FlaskCliRunner) -> World:
    """Two sites with a held comment and a ban each; staff of every role, and one moderator
    ("local") limited to the default site."""
    runner.invoke(args=["sites", "update", "default", "--moderation", "all"])
    runner.invoke(args=["sites", "update", "default", "--origin", ALLOWED_ORIGIN])
    runner.invoke(args=["sites", "create", "other", "--moderation", "all"])

    def post(site: str, marker: str, ip: str) -> int:
        response = client.post(
            "/api/v1/comments",
            json={
                "site": site,
                "thread": "/t",
                "author_email": f"{marker}@example.org",
                "body": f"Comment {marker} about the article.",
            },
            environ_base={"REMOTE_ADDR": ip},
        )
        assert response.status_code == 201, response.get_json()
        comment_id: int = response.get_json()["id"]
        return comment_id

    tokens = {}
    with app.app_context():
        for name, role, sites in [(role, role, []) for role in ROLES] + [
            ("local", "moderator", ["default"])
        ]:
            staff = accounts.create_staff(db.session(), name, role, PASSWORD, sites)
            token = accounts.issue_token(db.session(), staff).token
            tokens[name] = {"Authorization": f"Bearer {token}"}
        db.session.commit()
    targets: dict[str, Targets] = {}
    for site, ip in (("default", "192.0.2.1"), ("other", "192.0.2.2")):
        comment = post(site, f"held-on-{site}", ip)
        banned = post(site, f"banned-on-{site}", f"198.51.100.{len(targets) + 1}")
        with app.app_context():
            admin = db.session.scalar(select(Staff).where(Staff.name == "admin"))
            ban = authors.ban_author(db.session(), db.session.get(Comment, banned), admin).ban
            db.session.commit()
            targets[site] = Targets(comment, ban.id, f"held-on-{site}")
    browsers = {name: app.test_client() for name in tokens}
    for name, browser in browsers.items():
        assert sign_in(browser, name).status_code == 303
    return World(targets["default"], targets["other"], tokens, browsers)


def as_staff(
    app: Flask, world: World, name: str, rule: Rule, method: str, target: Targets
) -> TestResponse:
    """The request as ``name`` makes it: pages from their signed-in browser with the CSRF
    token, the API with their token."""
    request = sample(rule.endpoint, method, target)
    if is_page(rule):
        client = world.browsers[name]
        request = with_csrf(request, session_csrf(client)) if request else request
    else:
        client, request = app.test_client(), {**request, "headers": world.tokens[name]}
    return client.open(build_url(app, rule, method, target), method=method, **request)


def test_the_allow_list_names_only_routes_that_exist(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(PUBLIC_ENDPOINTS) <= endpoints, "remove allow-list entries for deleted routes"


def test_every_other_route_refuses_anonymous_callers_for_every_method(
    app: Flask, client: FlaskClient, world: World
) -> None:
    before = state(app)
    checked = 0
    for rule in guarded_rules(app):
        required_roles(app, rule)
        for method in methods(rule):
            response = client.open(
                build_url(app, rule, method, world.mine),
                method=method,
                headers={"Origin": ALLOWED_ORIGIN},
                **sample(rule.endpoint, method, world.mine),
            )
            where = (method, rule.rule, response.status_code)
            if is_page(rule):
                assert response.status_code == 303, where
                assert response.headers["Location"].startswith(LOGIN), where
            else:
                assert response.status_code == 401, where
                assert response.headers["WWW-Authenticate"] == "Bearer", where
            assert "Access-Control-Allow-Origin" not in response.headers, where
            checked += 1
        preflight = client.options(
            build_url(app, rule, methods(rule)[0], world.mine),
            headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
        )
        assert not preflight.data and "Access-Control-Allow-Origin" not in preflight.headers
    assert checked >= 20
    assert state(app) == before


def test_every_guarded_route_refuses_the_roles_it_does_not_name(app: Flask, world: World) -> None:
    before = state(app)
    refused: set[tuple[str, str]] = set()
    for rule in guarded_rules(app):
        for role in sorted(set(ROLES) - required_roles(app, rule)):
            for method in methods(rule):
                response = as_staff(app, world, role, rule, method, world.mine)
                assert response.status_code == 403, (role, method, rule.rule, response.status_code)
                refused.add((role, rule.endpoint))
    assert {("analyst", "moderation_api.decision"), ("analyst", "moderation_ui.decide")} <= refused
    assert state(app) == before


def test_a_moderator_limited_to_a_site_cannot_see_or_touch_another_sites(
    app: Flask, world: World
) -> None:
    before = state(app)
    for rule in guarded_rules(app):
        if "moderator" not in required_roles(app, rule):
            continue  # refused to every moderator: the role test covers it
        for method in methods(rule):
            response = as_staff(app, world, "local", rule, method, world.theirs)
            where = (method, rule.rule, response.status_code)
            if rule.arguments:
                assert response.status_code == 404, where
            assert world.theirs.marker not in response.get_data(as_text=True), where
    assert state(app) == before


def test_the_same_requests_work_for_the_right_staff(app: Flask, world: World) -> None:
    """The refusals above are decisions, not broken samples: these requests succeed."""

    def rule(endpoint: str) -> Rule:
        return next(app.url_map.iter_rules(endpoint))

    listed = as_staff(app, world, "local", rule("moderation_api.queue"), "GET", world.mine)
    assert world.mine.comment in {item["id"] for item in listed.get_json()["items"]}
    assert world.mine.marker in world.browsers["local"].get("/moderation/").text
    decided = as_staff(app, world, "local", rule("moderation_api.decision"), "POST", world.mine)
    assert decided.status_code == 200 and decided.get_json()["status"] == "published"
    on_page = as_staff(app, world, "admin", rule("moderation_ui.decide"), "POST", world.theirs)
    assert on_page.status_code == 303
    with app.app_context():
        assert db.session.get(Comment, world.theirs.comment).status == "published"


def test_akismet_routes_refuse_callers_without_a_live_site_key(
    app: Flask, client: FlaskClient, world: World
) -> None:
    """Akismet's clients expect HTTP 200 and the body ``invalid``, never a 401."""
    from comments.models import LabelledExample

    before = state(app)
    form = {"blog": ALLOWED_ORIGIN, "user_ip": "192.0.2.9", "comment_content": "Buy now"}
    refused = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in AKISMET_ENDPOINTS:
            continue
        for key in ({}, {"api_key": "cms_not-a-key"}, {"key": "cms_not-a-key"}):
            response = client.post(
                rule.rule, data={**form, **key}, headers={"Origin": ALLOWED_ORIGIN}
            )
            where = (rule.rule, key, response.status_code)
            assert response.status_code == 200, where
            assert response.text == "invalid", where
            assert response.headers["X-akismet-debug-help"], where
            assert "Access-Control-Allow-Origin" not in response.headers, where
            refused.add(rule.endpoint)
    assert refused == AKISMET_ENDPOINTS and len(refused) == 4
    assert state(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LabelledExample)) == 0


def test_reader_edits_refuse_callers_without_the_comments_edit_token(
    app: Flask, client: FlaskClient, world: World
) -> None:
    """Public routes, yet anonymous calls (even naming the author's e-mail) change nothing."""
    before = state(app)
    path = f"/api/v1/comments/{world.mine.comment}"
    email = f"{world.mine.marker}@example.org"
    for method, request in [
        ("PATCH", {"json": {"body": "Rewritten by someone else."}}),
        ("PATCH", {"json": {"body": "Rewritten.", "author_email": email}}),
        ("DELETE", {}),
        ("DELETE", {"headers": {"X-Edit-Token": "not-a-token"}}),
    ]:
        headers = {"Origin": ALLOWED_ORIGIN, **request.pop("headers", {})}
        response = client.open(path, method=method, headers=headers, **request)
        assert response.status_code in (403, 422), (method, request, response.status_code)
    assert state(app) == before


def test_perspective_routes_refuse_callers_without_a_live_site_key(
    app: Flask, client: FlaskClient, world: World
) -> None:
    """Perspective's clients expect Google's answers: 403 without a key, 400 API_KEY_INVALID
    for a key that is not live."""
    from comments.models import LabelledExample

    before = state(app)
    body = {
        "comment": {"text": "Buy now"},
        "requestedAttributes": {"TOXICITY": {}},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
    }
    refused = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PERSPECTIVE_ENDPOINTS:
            continue
        for query, expected in (("", 403), ("?key=cms_not-a-key", 400)):
            response = client.post(rule.rule + query, json=body, headers={"Origin": ALLOWED_ORIGIN})
            where = (rule.rule, query, response.status_code)
            assert response.status_code == expected, where
            error = response.get_json()["error"]
            if expected == 400:
                assert error["details"][0]["reason"] == "API_KEY_INVALID", where
            else:
                assert error["status"] == "PERMISSION_DENIED", where
            assert "Access-Control-Allow-Origin" not in response.headers, where
            refused.add(rule.endpoint)
    assert refused == PERSPECTIVE_ENDPOINTS and len(refused) == 2
    assert state(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LabelledExample)) == 0
