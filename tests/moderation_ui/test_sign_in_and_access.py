"""Signing in and out, who may see which page, and the headers every page carries."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment, Staff
from comments.moderation_ui.guards import CSP
from comments.moderation_ui.views import BAD_CREDENTIALS
from comments.services.moderation import authors
from tests.comments.url_map import (
    PUBLIC_ENDPOINTS,
    UNSAFE_METHODS,
    Targets,
    build_url,
    sample,
    state,
    with_csrf,
)
from tests.moderation_ui.conftest import (
    ABUSIVE,
    MakeStaff,
    PostComment,
    SignedIn,
    csrf_from,
    session_csrf,
    sign_in,
)

PAGES = [
    "/moderation/",
    "/moderation/stats",
    "/moderation/comments/{id}",
    "/moderation/sites/default",
]


def test_sign_in_starts_a_session_and_returns_to_next(
    client: FlaskClient, make_staff: MakeStaff
) -> None:
    make_staff("moderator", "maria")
    response = sign_in(client, "maria", next="/moderation/stats?x=1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/stats?x=1"
    page = client.get("/moderation/stats")
    assert page.status_code == 200 and "maria" in page.text
    assert 'name="csrf-token" content="' in page.text


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(
    client: FlaskClient, make_staff: MakeStaff
) -> None:
    make_staff("moderator", "maria")
    wrong_password = sign_in(client, "maria", "not the password")
    unknown_name = sign_in(client, "nobody", "not the password")
    for response in (wrong_password, unknown_name):
        assert response.status_code == 200
        assert BAD_CREDENTIALS in response.text
    assert "maria" not in BAD_CREDENTIALS and "nobody" not in BAD_CREDENTIALS
    with client.session_transaction() as session:
        assert "staff_id" not in session
    assert client.get("/moderation/").status_code == 303


def test_a_disabled_account_cannot_sign_in(
    app: Flask, client: FlaskClient, make_staff: MakeStaff
) -> None:
    from comments.extensions import db
    from comments.models import Staff

    make_staff("moderator", "gone")
    with app.app_context():
        db.session.query(Staff).filter_by(name="gone").update({"active": False})
        db.session.commit()
    assert BAD_CREDENTIALS in sign_in(client, "gone").text


def test_sign_in_needs_the_forms_csrf_token(client: FlaskClient, make_staff: MakeStaff) -> None:
    make_staff("moderator", "maria")
    client.get("/moderation/login")
    response = client.post(
        "/moderation/login", data={"name": "maria", "password": "correct horse battery"}
    )
    assert response.status_code == 403
    assert "Content-Security-Policy" in response.headers
    with client.session_transaction() as session:
        assert "staff_id" not in session


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "/moderation/\r\nSet-Cookie: x=1",
    ],
)
def test_next_only_leads_to_a_path_on_this_site(
    client: FlaskClient, make_staff: MakeStaff, target: str
) -> None:
    make_staff("moderator", "maria")
    response = sign_in(client, "maria", next=target)
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/"


def test_sign_out_needs_csrf_and_ends_the_session(signed_in: SignedIn) -> None:
    client = signed_in("moderator")
    assert client.post("/moderation/logout").status_code == 403
    assert client.get("/moderation/").status_code == 200
    response = client.post("/moderation/logout", data={"csrf_token": session_csrf(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/login"
    assert client.get("/moderation/").status_code == 303
    assert "You are signed out." in client.get("/moderation/login").text


def copied_session(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie (and its CSRF token)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_session_cookie_copied_before_sign_out_no_longer_works(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE)
    client = signed_in("moderator", "maria")
    token = session_csrf(client)
    thief = copied_session(app, client)
    assert thief.get("/api/v1/moderation/queue").status_code == 200
    client.post("/moderation/logout", data={"csrf_token": token})

    assert thief.get("/api/v1/moderation/queue").status_code == 401
    decision = thief.post(
        f"/api/v1/moderation/comments/{held}/decision",
        json={"action": "approve"},
        headers={"X-CSRF-Token": token},
    )
    assert decision.status_code == 401
    with app.app_context():
        assert db.session.get(Comment, held).status == "pending"  # type: ignore[union-attr]
    assert sign_in(client, "maria").status_code == 303  # signing in again works


def test_a_form_posted_after_the_session_ended_says_nothing_was_done(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    """The sign-in form used to come back without a word, as if the decision had been made;
    after signing in, the moderator is back on the queue the form was on."""
    held = post_comment(body=ABUSIVE)
    client = signed_in("moderator", "maria")
    token = session_csrf(client)
    assert (
        app.test_cli_runner().invoke(args=["users", "update", "maria", "--sign-out"]).exit_code == 0
    )
    back = "/moderation/?status=pending&sort=oldest"
    response = client.post(
        f"/moderation/comments/{held}/decision",
        data={"action": "reject", "csrf_token": token, "next": back},
    )
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/moderation/login" and parse_qs(location.query)["next"] == [back]
    form = client.get(response.headers["Location"]).text
    assert (
        '<p class="flash flash-error">Your session had ended, so that was not done. Sign in, '
        "then do it again.</p>" in form
    )
    with app.app_context():
        assert db.session.get(Comment, held).status == "pending"  # type: ignore[union-attr]
    again = sign_in(client, "maria", next=back)
    assert again.status_code == 303 and again.headers["Location"] == back


def test_disabling_an_account_or_a_new_password_ends_its_sessions(
    app: Flask, signed_in: SignedIn
) -> None:
    client = signed_in("moderator", "maria")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "update", "maria", "--disable"]).exit_code == 0
    assert client.get("/api/v1/moderation/queue").status_code == 401
    assert sign_in(client, "maria").status_code == 200  # the form again: refused
    result = runner.invoke(args=["users", "update", "maria", "--enable"])
    assert result.exit_code == 0 and "maria: moderator, active" in result.output
    assert sign_in(client, "maria").status_code == 303

    changed = runner.invoke(
        args=["users", "update", "maria", "--password-stdin"], input="a much better secret\n"
    )
    assert changed.exit_code == 0, changed.output
    assert client.get("/api/v1/moderation/queue").status_code == 401
    assert sign_in(client, "maria").status_code == 200  # the old password is refused
    assert sign_in(client, "maria", password="a much better secret").status_code == 303
    short = runner.invoke(args=["users", "update", "maria", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "password" in short.output


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: FlaskClient, post_comment: PostComment, path: str
) -> None:
    url = path.format(id=post_comment())
    response = client.get(url + ("&" if "?" in url else "?") + "sort=oldest")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/moderation/login?next=")
    assert client.get(location).status_code == 200


def test_every_session_write_needs_the_sessions_csrf_token(
    app: Flask, make_staff: MakeStaff
) -> None:
    """Walk the URL map: every write a signed-in browser can make (the pages' forms and the
    script's API calls) is refused without the session's token or with another one, changes
    nothing, and succeeds with the right token. The anonymous side: tests/comments/
    test_authorisation.py."""
    make_staff("admin", "admin")
    writes = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("moderation_ui.") or rule.endpoint not in PUBLIC_ENDPOINTS
        for method in sorted((rule.methods or set()) & UNSAFE_METHODS)
    ]
    assert {"moderation_ui.login", "moderation_ui.logout", "moderation_ui.decide"} <= {
        rule.endpoint for rule, _ in writes
    }
    for n, (rule, method) in enumerate(writes):
        # An author and address of its own each time: an earlier ban must not file it as spam.
        comment = app.test_client().post(
            "/api/v1/comments",
            json={"thread": "/t", "body": ABUSIVE, "author_email": f"ann{n}@example.org"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"},
        )
        target = Targets(comment.get_json()["id"], ban(app), "held-on-default")
        if rule.endpoint.endswith(".untrust"):
            trust(app, target.comment)
        client = app.test_client()
        assert sign_in(client, "admin").status_code == 303
        request = sample(rule.endpoint, method, target)
        path = build_url(app, rule, method, target)
        before = state(app)
        for refused in (request, with_csrf(request, "not-the-sessions-token")):
            response = client.open(path, method=method, **refused)
            assert response.status_code == 403, (method, path, response.status_code)
            assert state(app) == before, (method, path)
        assert client.get("/moderation/").status_code == 200  # still signed in
        right = with_csrf(request, session_csrf(client))
        accepted = client.open(path, method=method, **right)
        assert accepted.status_code in (200, 201, 303), (method, path, accepted.status_code)


def trust(app: Flask, comment_id: int) -> None:
    with app.app_context():
        admin = db.session.scalar(select(Staff).where(Staff.name == "admin"))
        comment = db.session.get(Comment, comment_id)
        assert admin is not None and comment is not None
        authors.trust_author(db.session(), comment, admin)
        db.session.commit()


def ban(app: Flask) -> int:
    """A ban on a comment from an address of its own, so it does not touch later comments."""
    response = app.test_client().post(
        "/api/v1/comments",
        json={"thread": "/banned", "body": "Buy now", "author_email": "spam@example.org"},
        environ_base={"REMOTE_ADDR": "198.51.100.99"},
    )
    with app.app_context():
        admin = db.session.scalar(select(Staff).where(Staff.name == "admin"))
        comment = db.session.get(Comment, response.get_json()["id"])
        record = authors.ban_author(db.session(), comment, admin).ban
        db.session.commit()
        return record.id


def test_analysts_read_queues_and_statistics_but_cannot_decide(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE)
    client = signed_in("analyst")
    queue = client.get("/moderation/")
    assert queue.status_code == 200 and f"Comment #{held}" in queue.text
    assert 'value="approve"' not in queue.text and 'id="bulk"' not in queue.text
    assert 'data-can-moderate="false"' in queue.text
    assert client.get("/moderation/stats").status_code == 200
    assert client.get(f"/moderation/comments/{held}").status_code == 200
    token = session_csrf(client)
    for url, data in [
        (f"/moderation/comments/{held}/decision", {"action": "approve"}),
        ("/moderation/decisions", {"action": "approve", "ids": str(held)}),
        (f"/moderation/comments/{held}/ban", {}),
        (f"/moderation/comments/{held}/trust", {}),
    ]:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, url
        assert "analyst" in response.text and "<!doctype html>" in response.text
    api = client.post(
        f"/api/v1/moderation/comments/{held}/decision",
        json={"action": "approve"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 403
    with app.app_context():
        from comments.extensions import db
        from comments.models import Comment

        assert db.session.get(Comment, held).status == "pending"


def test_a_moderator_limited_to_a_site_does_not_see_other_sites(
    client: FlaskClient, runner: Any, make_staff: MakeStaff, post_comment: PostComment
) -> None:
    runner.invoke(args=["sites", "create", "other"])
    mine = post_comment(body=ABUSIVE)
    theirs = post_comment(site="other", body=ABUSIVE + " again")
    make_staff("moderator", "local", sites=("default",))
    sign_in(client, "local")
    queue = client.get("/moderation/").text
    assert f"Comment #{mine}" in queue and f"Comment #{theirs}" not in queue
    assert client.get(f"/moderation/comments/{theirs}").status_code == 404
    response = client.post(
        f"/moderation/comments/{theirs}/decision",
        data={"action": "approve", "csrf_token": session_csrf(client)},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/moderation/login", *PAGES])
def test_every_page_sends_the_strict_policy(
    signed_in: SignedIn, post_comment: PostComment, path: str
) -> None:
    client = signed_in("moderator")
    response = client.get(path.format(id=post_comment(body=ABUSIVE)))
    assert response.status_code in (200, 302, 303)
    assert response.headers["Content-Security-Policy"] == CSP
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if response.status_code == 200:
        assert response.headers["Cache-Control"] == "no-store"
        assert " style=" not in response.text and "<script>" not in response.text
        assert "onclick" not in response.text.lower()


def test_static_files_are_served_with_the_policy(client: FlaskClient) -> None:
    files = ("moderation.js", "card.js", "api.js", "queue.js", "shortcuts.js", "moderation.css")
    for name in files:
        kind = "css" if name.endswith(".css") else "javascript"
        response = client.get(f"/moderation/static/{name}")
        assert response.status_code == 200 and kind in response.headers["Content-Type"]
        assert response.headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_sign_in_attempts_are_rate_limited(client: FlaskClient, make_staff: MakeStaff) -> None:
    make_staff("moderator", "maria")
    token = csrf_from(client.get("/moderation/login").text)
    statuses = [
        client.post(
            "/moderation/login",
            data={"name": "maria", "password": f"guess {n}", "csrf_token": token},
        ).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    blocked = client.post(
        "/moderation/login",
        data={"name": "maria", "password": "correct horse battery", "csrf_token": token},
    )
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text
    assert int(blocked.headers["Retry-After"]) > 0
    assert client.get("/moderation/login").status_code == 200  # the form itself stays readable


def test_a_comment_id_beyond_any_database_integer_is_not_found(signed_in: SignedIn) -> None:
    client = signed_in("moderator")
    huge = "99999999999999999999"
    assert client.get(f"/moderation/comments/{huge}").status_code == 404
    response = client.post(
        f"/moderation/comments/{huge}/decision",
        data={"csrf_token": session_csrf(client), "action": "approve"},
    )
    assert response.status_code == 404
