"""Signed webhooks as a site's own server receives them, and as admins manage them.

A real HTTP receiver on loopback records every request; signatures are checked with a
verification written here from the Standard Webhooks spec, not with the service's code.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event, select

from comments.extensions import db
from comments.models import Comment, WebhookDelivery
from comments.services.scoring import ModelProvider
from comments.services.submission import Client, FormTokenSettings, Submission, submit_comment
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.comments.webhook_receiver import Receiver, deliver, verify

API = "/api/v1/admin/webhooks"
EMAIL = "Private.Person@Example.org"
ADDRESS = "203.0.113.9"


def add_endpoint(
    client: FlaskClient, admin: dict[str, str], url: str, **fields: Any
) -> dict[str, Any]:
    response = client.post(API, json={"url": url, **fields}, headers=admin)
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def test_a_published_comment_fires_created_and_published_signed_for_the_receiver(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    secret = add_endpoint(client, admin, f"{hooks.url}/hook")["secret"]
    assert secret.startswith("whsec_")
    posted = post_comment(
        body=NICE, author_email=EMAIL, author_url="https://ann.example", thread="/2024/a-post"
    ).get_json()
    assert posted["status"] == "published"
    assert hooks.received == []  # sent by the worker, after the commit, never inline

    assert deliver(app) == 2
    assert hooks.events() == [
        ("comment.created", posted["id"]),
        ("comment.published", posted["id"]),
    ]
    created, published = hooks.on("/hook")
    for request in (created, published):
        assert verify(secret, request)
        assert request.headers["content-type"] == "application/json"
        assert request.json["timestamp"] == posted["created_at"]
    assert created.headers["webhook-id"] != published.headers["webhook-id"]
    data = created.json["data"]
    assert data == {
        "id": posted["id"],
        "site": "default",
        "thread": "/2024/a-post",
        "parent_id": None,
        "status": "published",
        "author_name": "Ann",
        "author_url": "https://ann.example",
        "html": posted["html"],
        "created_at": posted["created_at"],
        "published_at": posted["created_at"],
        "scores": data["scores"],
    }
    assert 0 <= data["scores"]["toxicity"] < 0.5 and data["scores"]["model_version"]


def test_a_receiver_rejects_forged_tampered_and_stale_requests(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    secret = add_endpoint(client, admin, f"{hooks.url}/hook", events=["comment.created"])["secret"]
    other = add_endpoint(client, admin, f"{hooks.url}/other", events=["comment.created"])["secret"]
    post_comment()
    deliver(app)
    [request] = hooks.on("/hook")
    sent_at = int(request.headers["webhook-timestamp"])
    assert verify(secret, request)
    assert not verify(other, request), "each endpoint has its own secret"
    tampered = type(request)(request.at, request.path, request.headers, request.body + b" ")
    assert not verify(secret, tampered)
    assert not verify(secret, request, now=sent_at + 301), "a replay minutes later is refused"


def test_a_held_comment_fires_created_and_held_then_decisions_fire_decided(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    staff_headers: StaffToken,
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    secret = add_endpoint(client, admin, f"{hooks.url}/hook")["secret"]
    held = post_comment(body=ABUSIVE).get_json()
    assert held["status"] == "pending"
    deliver(app)
    assert hooks.events() == [("comment.created", held["id"]), ("comment.held", held["id"])]
    assert hooks.on("/hook")[0].json["data"]["scores"]["toxicity"] >= 0.5

    moderator = staff_headers("moderator", name="maria")
    decision = f"/api/v1/moderation/comments/{held['id']}/decision"
    approved = client.post(
        decision, json={"action": "approve", "reason": "satire"}, headers=moderator
    )
    assert approved.status_code == 200
    deliver(app)
    assert hooks.events()[2:] == [
        ("comment.decided", held["id"]),
        ("comment.published", held["id"]),
    ]
    decided = hooks.on("/hook")[2]
    assert verify(secret, decided)
    assert decided.json["data"]["status"] == "published"
    assert decided.json["data"]["decision"] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "action": "approve",
        "actor": "staff",
        "reason": "satire",
        "from_status": "pending",
        "to_status": "published",
        "created_at": "",
    }
    rejected = client.post(decision, json={"action": "reject"}, headers=moderator)
    assert rejected.status_code == 200
    deliver(app)
    assert hooks.events()[4:] == [("comment.decided", held["id"])]
    assert hooks.on("/hook")[4].json["data"]["decision"]["to_status"] == "rejected"


def test_an_authors_edits_and_delete_fire_events_a_mirror_can_follow(
    app: Flask, client: FlaskClient, admin: dict[str, str], hooks: Receiver
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/hook")
    posted = client.post(
        "/api/v1/comments", json={"thread": "/t", "author_name": "Ivy", "body": NICE}
    ).get_json()
    url, token = f"/api/v1/comments/{posted['id']}", {"X-Edit-Token": posted["edit_token"]}
    assert client.patch(url, json={"body": ABUSIVE}, headers=token).get_json()["status"] == (
        "pending"
    )
    kind_again = NICE + " Edited."
    assert client.patch(url, json={"body": kind_again}, headers=token).get_json()["status"] == (
        "published"
    )
    assert client.delete(url, headers=token).status_code == 200
    deliver(app)
    comment_id = posted["id"]
    assert hooks.events() == [
        ("comment.created", comment_id),
        ("comment.published", comment_id),
        ("comment.edited", comment_id),
        ("comment.held", comment_id),  # the policy held the new text
        ("comment.edited", comment_id),
        ("comment.published", comment_id),
        ("comment.deleted", comment_id),
    ]
    bodies = [request.json for request in hooks.on("/hook")]
    assert bodies[4]["data"]["html"] == f"<p>{kind_again}</p>"
    assert bodies[4]["data"]["decision"]["actor"] == "author"
    assert bodies[6]["data"]["status"] == "deleted"


def test_a_comment_filed_as_spam_fires_created_alone(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/hook")
    spam = post_comment(honeypot="http://cheap.example").get_json()
    deliver(app)
    [request] = hooks.on("/hook")
    assert request.json["type"] == "comment.created"
    assert request.json["data"]["status"] == "spam" and request.json["data"]["id"] == spam["id"]


def test_payloads_never_carry_the_authors_email_address_or_their_hashes(
    app: Flask, client: FlaskClient, admin: dict[str, str], hooks: Receiver
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/hook")
    moderator = admin
    for body in (NICE, ABUSIVE):
        client.post(
            "/api/v1/comments",
            json={"thread": "/t", "author_name": "Ann", "author_email": EMAIL, "body": body},
            environ_base={"REMOTE_ADDR": ADDRESS},
            headers={"User-Agent": "PrivateBrowser/1.0"},
        )
    with app.app_context():
        held_id, ip_hash = db.session.execute(
            select(Comment.id, Comment.ip_hash).where(Comment.status == "pending")
        ).one()
    decision = f"/api/v1/moderation/comments/{held_id}/decision"
    client.post(decision, json={"action": "approve", "note": "private note"}, headers=moderator)
    deliver(app)
    assert len(hooks.on("/hook")) == 6
    for request in hooks.on("/hook"):
        text = request.body.decode().lower()
        for secret in (EMAIL.lower(), ADDRESS, ip_hash, "privatebrowser", "private note"):
            assert secret not in text, (request.json["type"], secret)


def test_a_rolled_back_submission_fires_nothing_and_a_committed_one_fires(
    app: Flask, client: FlaskClient, admin: dict[str, str], hooks: Receiver
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/hook", events=["comment.created"])
    provider: ModelProvider = app.extensions["model_provider"]

    def submit(body: str) -> int:
        submitted = submit_comment(
            db.session(),
            Submission(site="default", thread="/t", body=body),
            Client(ip_hash="", user_agent=""),
            provider=provider,
            tokens=FormTokenSettings("test-secret", 3600),
        )
        return submitted.comment.id

    with app.app_context():
        submit("A comment whose request failed after it was stored.")
        db.session.rollback()
        kept = submit(NICE)
        db.session.commit()
    deliver(app)
    assert hooks.events() == [("comment.created", kept)]


def test_a_site_without_endpoints_pays_no_webhook_query_per_comment(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    client.post("/api/v1/comments", json={"thread": "/t", "body": "Warms the caches."})
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        post_comment()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert statements and not [s for s in statements if "webhook" in s.lower()]
    # Another site's endpoint changes nothing for this one, and its own comments are recorded.
    client.post("/api/v1/comments", json={"thread": "/t", "body": "Still no query."})
    add_endpoint(client, admin, f"{hooks.url}/hook")
    post_comment(body="Now there is an endpoint.")
    with app.app_context():
        assert len(db.session.scalars(select(WebhookDelivery)).all()) == 2


# --- the admin API and the CLI ---------------------------------------------------------


def test_only_admins_manage_webhooks(
    client: FlaskClient, staff_headers: StaffToken, hooks: Receiver
) -> None:
    for role in ("moderator", "analyst"):
        headers = staff_headers(role)
        assert client.get(API, headers=headers).status_code == 403
        refused = client.post(API, json={"url": f"{hooks.url}/hook"}, headers=headers)
        assert refused.status_code == 403
        assert client.get(f"{API}/deliveries", headers=headers).status_code == 403
    assert client.get(API).status_code == 401
    admin = staff_headers("admin")
    assert client.get(API, headers=admin).get_json() == {"endpoints": []}


def test_bad_input_is_refused_naming_the_field(client: FlaskClient, admin: dict[str, str]) -> None:
    cases = [
        ({"url": "ftp://files.example/hook"}, "url"),
        ({"url": "not an address"}, "url"),
        ({"url": "https:///no-host"}, "url"),
        ({"url": "https://ok.example/hook", "events": ["comment.vanished"]}, "events"),
        ({"url": "https://ok.example/hook", "events": []}, "events"),
        ({"url": "https://ok.example/hook", "site": "nowhere"}, "site"),
        ({"url": "https://ok.example/hook", "secret": "mine"}, "secret"),
    ]
    for body, field in cases:
        response = client.post(API, json=body, headers=admin)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], (body, response.get_json())
    assert client.get(API, headers=admin).get_json() == {"endpoints": []}
    assert client.patch(f"{API}/99", json={"active": False}, headers=admin).status_code == 404


def test_admins_list_disable_enable_and_remove_endpoints(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    created = add_endpoint(client, admin, f"{hooks.url}/hook", events=["comment.created"])
    assert created["created_by"] == "ada" and created["events"] == ["comment.created"]
    [listed] = client.get(f"{API}?site=default", headers=admin).get_json()["endpoints"]
    assert "secret" not in listed and created["secret"] not in str(listed)
    assert listed == {key: value for key, value in created.items() if key != "secret"}

    endpoint = f"{API}/{created['id']}"
    waiting = post_comment().get_json()["id"]
    assert (
        client.patch(endpoint, json={"active": False}, headers=admin).get_json()["active"] is False
    )
    post_comment(body="Posted while the endpoint is disabled.")
    deliver(app)
    assert hooks.received == [], "a disabled endpoint receives nothing"
    client.patch(endpoint, json={"active": True}, headers=admin)
    deliver(app)
    assert hooks.events() == [("comment.created", waiting)], "what waited is sent, no more"

    assert client.post(f"{endpoint}/remove", headers=admin).get_json()["id"] == created["id"]
    assert client.get(API, headers=admin).get_json() == {"endpoints": []}
    assert client.get(f"{API}/deliveries", headers=admin).get_json()["deliveries"] == []


def test_the_cli_adds_lists_and_removes_endpoints(
    app: Flask, runner: FlaskCliRunner, hooks: Receiver, post_comment: PostComment
) -> None:
    added = runner.invoke(
        args=["webhooks", "add", "default", f"{hooks.url}/hook", "--event", "comment.created"]
    )
    assert added.exit_code == 0, added.output
    secret = added.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    listed = runner.invoke(args=["webhooks", "list", "default"])
    assert f"{hooks.url}/hook" in listed.stdout and secret not in listed.stdout
    refused = runner.invoke(args=["webhooks", "add", "default", "file:///etc/passwd"])
    assert refused.exit_code != 0 and "url" in refused.output

    post_comment()
    delivered = runner.invoke(args=["webhooks", "deliver", "--once"])
    assert delivered.exit_code == 0, delivered.output
    [request] = hooks.on("/hook")
    assert verify(secret, request)
    log = runner.invoke(args=["webhooks", "deliveries", "--status", "delivered"])
    assert '"event_type": "comment.created"' in log.stdout
    # Times as the API writes them, not Python's str() ("2026-12-07 05:09:46+00:00").
    shown = json.loads(log.stdout.splitlines()[0])
    assert shown["delivered_at"] == datetime.fromisoformat(shown["delivered_at"]).isoformat()
    assert "T" in shown["created_at"] and "T" in json.loads(listed.stdout)["created_at"]

    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookDelivery.endpoint_id))
    assert runner.invoke(args=["webhooks", "remove", str(endpoint_id)]).exit_code == 0
    assert runner.invoke(args=["webhooks", "list"]).stdout == ""


def test_an_erased_author_is_scrubbed_from_stored_deliveries(
    app: Flask, client: FlaskClient, admin: dict[str, str], post_comment: PostComment
) -> None:
    """Deliveries keep the comment as sent, and redelivery sends it again: after an erasure
    neither may carry the author (nor, when the site removes comments, the text)."""
    add_endpoint(client, admin, "https://hooks.example/in")
    kept = post_comment(
        author_name="Jo Private", author_email=EMAIL, author_url="https://jo.example.org"
    ).get_json()["id"]
    erased = client.post("/api/v1/admin/privacy/erase", json={"email": EMAIL}, headers=admin)
    assert erased.get_json()["counts"]["webhook_deliveries_scrubbed"] == 2  # created, published
    removed = post_comment(
        author_name="Jo Private", author_email=EMAIL, body="My secret personal story."
    ).get_json()["id"]
    client.post(
        "/api/v1/admin/privacy/erase", json={"email": EMAIL, "mode": "remove"}, headers=admin
    )
    with app.app_context():
        payloads = [d.payload["data"] for d in db.session.scalars(select(WebhookDelivery))]
    assert {data["id"] for data in payloads} == {kept, removed}
    assert "Jo Private" not in str(payloads) and "jo.example.org" not in str(payloads)
    assert "secret personal story" not in str(payloads)
    assert all(data["html"] for data in payloads if data["id"] == kept)  # anonymised: text stays
