"""Every route in the URL map is public by a recorded decision, or guarded by role and site.

The walk is over ``app.url_map``, so a route added without a decision fails here: list it in
PUBLIC_ENDPOINTS with a reason, or guard it with ``comments.auth.require`` (API) or
``comments.moderation_ui.guards.page`` (pages), which also record the roles they allow.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from comments.extensions import db
from comments.models import Comment, Site, Staff, Thread
from comments.services import accounts
from comments.services.moderation import authors
from tests.comments.url_map import (
    AKISMET_ENDPOINTS,
    ALLOWED_ORIGIN,
    LOGIN,
    PERSPECTIVE_ENDPOINTS,
    PUBLIC_ENDPOINTS,
    ROLES,
    Targets,
    World,
    build_url,
    guarded_rules,
    is_page,
    methods,
    required_roles,
    sample,
    state,
    with_csrf,
)
from tests.moderation_ui.conftest import PASSWORD, session_csrf, sign_in


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
    renamed = as_staff(
        app, world, "local", rule("moderation_api.update_thread"), "PATCH", world.mine
    )
    assert renamed.status_code == 200 and renamed.get_json()["title"] == "Ours"
    page_form = rule("moderation_ui.page_closing")
    assert as_staff(app, world, "admin", page_form, "POST", world.theirs).status_code == 303
    with app.app_context():
        closing = select(Thread.closed).join(Site).where(Site.name == "other")
        assert db.session.scalar(closing) is False  # kept open
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
    assert refused == AKISMET_ENDPOINTS and len(refused) == 5
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
