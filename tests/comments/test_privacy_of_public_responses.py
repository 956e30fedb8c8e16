"""No public response gives away an author's e-mail or address, nor a hash of either.

Comments and a report arrive through a trusted proxy naming the client in X-Forwarded-For, so
the address the service knows is the reader's own. Then every public GET route (the allow-list
of tests/comments/url_map.py, so a new public route is fetched here too) and every public POST
answer (the author's held comments asked after, too) is searched for the e-mail, the address
and their hashes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from comments.extensions import db
from comments.models import Comment, Report
from comments.network import hash_ip, ip_hash_key
from tests.comments.conftest import ABUSIVE, NICE, StaffToken
from tests.comments.url_map import PUBLIC_ENDPOINTS

EMAIL = "Secret.Author@Example.org"
ADDRESS = "198.51.100.77"
WEBSITE = "https://author.example/about"
THREAD = "/2024/11/privacy"
#: Query strings the public GET routes need; a new route that needs one fails until added.
QUERIES = {
    "api.read_thread": {"thread": THREAD, "per_page": "500"},
    "api.form_token": {"thread": THREAD},
}
#: Public GET pages that need a signed link's token and refuse a request without one (their
#: pages with a valid token are checked in tests/comments/test_mail.py).
REFUSED_WITHOUT_TOKEN = {"/mail/confirm", "/mail/unsubscribe"}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"TRUSTED_PROXIES": "127.0.0.1"}


#: The reader at ADDRESS, through the proxy on 127.0.0.1 (the first entry is forged).
VIA_PROXY = {"X-Forwarded-For": f"10.9.8.7, {ADDRESS}"}


def post(client: FlaskClient, path: str, payload: dict[str, Any]) -> TestResponse:
    return client.post(path, json=payload, headers=VIA_PROXY)


def digests(value: str) -> set[str]:
    """The hashes anyone might publish "instead of" a value (Gravatar's md5, for one)."""
    return {
        hashlib.new(name, variant.encode()).hexdigest()
        for name in ("md5", "sha1", "sha256")
        for variant in {value, value.lower(), value.strip().lower()}
    }


def secrets_of(app: Flask) -> set[str]:
    """The e-mail and address in every spelling the service holds, and their hashes."""
    with app.app_context():
        stored = {
            *db.session.scalars(select(Comment.author_email)),
            *db.session.scalars(select(Comment.ip_hash)),
            *db.session.scalars(select(Report.ip_hash)),
        }
        key = ip_hash_key(app.config["SECRET_KEY"], app.config.get("IP_HASH_KEY"))
    found = {EMAIL, EMAIL.lower(), ADDRESS, hash_ip(ADDRESS, key)} | {s for s in stored if s}
    return found | digests(EMAIL) | digests(ADDRESS)


def public_get_urls(app: Flask) -> list[str]:
    """Every public GET route, with the query it needs; static routes with each of their files."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC_ENDPOINTS or "GET" not in (rule.methods or set()):
            continue
        adapter = app.url_map.bind("localhost")
        if rule.arguments == {"filename"}:
            blueprint = app.blueprints[rule.endpoint.rpartition(".")[0]]
            folder = Path(blueprint.static_folder or "")
            urls += [
                adapter.build(rule.endpoint, {"filename": str(path.relative_to(folder))})
                for path in sorted(folder.rglob("*"))
                if path.is_file()
            ]
            continue
        assert not rule.arguments, f"{rule.endpoint}: teach this test a value for {rule.arguments}"
        urls.append(adapter.build(rule.endpoint, QUERIES.get(rule.endpoint, {})))
    return urls


def assert_tells_nothing(response: TestResponse, secrets: set[str], where: str) -> None:
    text = response.get_data(as_text=True) + "\n" + str(response.headers)
    for secret in secrets:
        assert secret.lower() not in text.lower(), f"{where} reveals {secret!r}"


def test_no_public_response_reveals_an_email_an_address_or_their_hashes(
    app: Flask, client: FlaskClient, staff_headers: StaffToken
) -> None:
    author = {"thread": THREAD, "author_name": "Ann", "author_email": EMAIL, "author_url": WEBSITE}
    published = post(client, "/api/v1/comments", {**author, "body": NICE})
    assert published.get_json()["status"] == "published"
    reply = post(
        client,
        "/api/v1/comments",
        {**author, "body": NICE + " Agreed.", "parent_id": published.get_json()["id"]},
    )
    held = post(client, "/api/v1/comments", {**author, "body": ABUSIVE})
    report = post(
        client,
        f"/api/v1/comments/{published.get_json()['id']}/reports",
        {"reason": "other", "text": "Just checking"},
    )
    assert [r.status_code for r in (published, reply, held, report)] == [201, 201, 201, 201]
    secrets = secrets_of(app)
    with app.app_context():
        key = ip_hash_key(app.config["SECRET_KEY"], app.config.get("IP_HASH_KEY"))
        # The proxy's word was taken: what is stored is the reader's address, hashed.
        assert set(db.session.scalars(select(Comment.ip_hash))) == {hash_ip(ADDRESS, key)}

    for name, response in [("POST comment", published), ("POST reply", reply)]:
        assert_tells_nothing(response, secrets, name)
    assert_tells_nothing(held, secrets, "POST held comment")
    # The author's browser asking after its held comment is told what readers would be.
    asked = post(
        client,
        "/api/v1/comments/held",
        {"comments": [{"id": held.get_json()["id"], "edit_token": held.get_json()["edit_token"]}]},
    )
    assert [c["author_url"] for c in asked.get_json()["held"]] == [WEBSITE]
    assert_tells_nothing(asked, secrets, "POST held (the author asking after it)")
    assert_tells_nothing(report, secrets, "POST report")
    urls = public_get_urls(app)
    assert any(url.startswith("/api/v1/comments?") for url in urls)
    for url in urls:
        # The author reading: nothing about them may come back, even to themselves (caches).
        response = client.get(url, headers=VIA_PROXY)
        assert response.status_code == (400 if url in REFUSED_WITHOUT_TOKEN else 200), url
        assert_tells_nothing(response, secrets, f"GET {url}")

    # Not vacuous: the thread lists both comments with their public website, and staff do see
    # the e-mail, so the strings searched for are the ones the service holds.
    thread = client.get("/api/v1/comments", query_string=QUERIES["api.read_thread"]).get_json()
    assert [c["author_url"] for c in thread["comments"]] == [WEBSITE, WEBSITE]
    staff_view = client.get(
        f"/api/v1/moderation/comments/{held.get_json()['id']}", headers=staff_headers("admin")
    )
    assert EMAIL.lower() in staff_view.get_data(as_text=True).lower()
