"""Delivery as receivers and admins see it: retries with backoff, failure after the last
attempt in the delivery log, redelivery, no double delivery between workers, and the
in-process delivery thread."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from comments.extensions import db
from comments.models import WebhookDelivery
from comments.services.webhooks import endpoints
from tests.comments.conftest import PostComment
from tests.comments.webhook_receiver import Receiver, deliver, deliver_until, receiver, verify

API = "/api/v1/admin/webhooks"
SCHEDULE = (0.4, 0.8)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "WEBHOOKS_RETRY_SCHEDULE": ",".join(map(str, SCHEDULE)),
        "WEBHOOKS_MAX_ATTEMPTS": 3,
        "WEBHOOKS_TIMEOUT_SECONDS": 2,
        "WEBHOOKS_BATCH_SIZE": 4,
    }


def add_endpoint(client: FlaskClient, admin: dict[str, str], url: str) -> str:
    response = client.post(API, json={"url": url, "events": ["comment.created"]}, headers=admin)
    assert response.status_code == 201, response.get_json()
    secret: str = response.get_json()["secret"]
    return secret


def log(client: FlaskClient, admin: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"{API}/deliveries{query}", headers=admin)
    assert response.status_code == 200, response.get_json()
    deliveries: list[dict[str, Any]] = response.get_json()["deliveries"]
    return deliveries


def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt_after_the_backoff(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    secret = add_endpoint(client, admin, f"{hooks.url}/flaky")
    hooks.script["/flaky"] = [500, 503]
    post_comment()
    deliver_until(app, lambda: len(hooks.on("/flaky")) == 3)
    first, second, third = hooks.on("/flaky")
    assert all(verify(secret, attempt) for attempt in (first, second, third))
    assert (
        first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    )
    assert first.body == third.body
    assert second.at - first.at >= SCHEDULE[0], "the first retry waits its delay"
    assert third.at - second.at >= SCHEDULE[1], "the second waits longer"
    [entry] = log(client, admin)
    assert entry["status"] == "delivered" and entry["attempts"] == 3
    assert entry["last_status_code"] == 200 and entry["delivered_at"]
    assert entry["next_attempt_at"] is None
    deliver(app)
    assert len(hooks.on("/flaky")) == 3, "delivered means never sent again"


def test_a_receiver_that_keeps_failing_ends_failed_in_the_log_and_can_be_sent_again(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/down")
    hooks.script["/down"] = [500] * 3
    post_comment()
    deliver_until(app, lambda: log(client, admin, "?status=failed"))
    time.sleep(SCHEDULE[-1] * 1.3)
    deliver(app)
    assert len(hooks.on("/down")) == 3, "no attempt after the last"
    [failed] = log(client, admin, "?status=failed")
    assert failed["attempts"] == 3 and failed["last_status_code"] == 500
    assert failed["last_error"].startswith("HTTP 500: boom") and len(failed["last_error"]) <= 500
    assert failed["payload"]["type"] == "comment.created"
    assert log(client, admin, "?status=delivered") == []
    cli = runner.invoke(args=["webhooks", "deliveries", "--status", "failed"])
    assert f'"id": {failed["id"]}' in cli.stdout and "HTTP 500: boom" in cli.stdout

    again = client.post(f"{API}/deliveries/{failed['id']}/redeliver", headers=admin)
    assert again.status_code == 201 and again.get_json()["status"] == "pending"
    deliver(app)
    assert len(hooks.on("/down")) == 4
    assert hooks.on("/down")[3].headers["webhook-id"] == failed["event_id"]
    statuses = {entry["id"]: entry["status"] for entry in log(client, admin)}
    assert statuses == {failed["id"]: "failed", again.get_json()["id"]: "delivered"}
    assert client.post(f"{API}/deliveries/999/redeliver", headers=admin).status_code == 404


def test_redirects_are_not_followed_and_count_as_failures(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/moved")
    hooks.script["/moved"] = [302]
    post_comment()
    deliver(app)
    assert [request.path for request in hooks.received] == ["/moved"]
    [entry] = log(client, admin)
    assert entry["status"] == "pending" and entry["last_status_code"] == 302


def test_an_unreachable_receiver_is_retried_with_the_error_in_the_log(
    app: Flask, client: FlaskClient, admin: dict[str, str], post_comment: PostComment
) -> None:
    with receiver() as gone:
        url = f"{gone.url}/hook"
    add_endpoint(client, admin, url)  # its port is closed now
    post_comment()
    deliver(app)
    [entry] = log(client, admin)
    assert entry["status"] == "pending" and entry["attempts"] == 1
    assert entry["last_status_code"] is None and "ConnectError" in entry["last_error"]


def test_workers_running_together_deliver_each_event_once(
    app: Flask, client: FlaskClient, admin: dict[str, str], hooks: Receiver
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/hook")
    add_endpoint(client, admin, f"{hooks.url}/other")
    with app.app_context():
        session = db.session()
        [endpoint_a, endpoint_b] = endpoints.list_endpoints(session)
        now = datetime.now(UTC)
        for n in range(30):
            session.add(
                WebhookDelivery(
                    endpoint_id=(endpoint_a, endpoint_b)[n % 2].id,
                    event_type="comment.created",
                    event_id=f"msg_{n}",
                    payload={"type": "comment.created", "data": {"id": n}},
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        session.commit()
    workers = [threading.Thread(target=deliver, args=(app,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ids = [request.headers["webhook-id"] for request in hooks.received]
    assert sorted(ids) == sorted(f"msg_{n}" for n in range(30))
    assert log(client, admin, "?status=delivered&per_page=200").__len__() == 30


def test_a_crashed_workers_claim_expires_and_another_worker_delivers(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/hook")
    post_comment()
    leased = {"locked_until": datetime.now(UTC) + timedelta(minutes=5), "lock_token": "crashed"}
    with app.app_context():
        db.session.execute(update(WebhookDelivery).values(**leased))
        db.session.commit()
    deliver(app)
    assert hooks.received == [], "a live claim is left alone"
    with app.app_context():
        db.session.execute(
            update(WebhookDelivery).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    deliver(app)
    assert len(hooks.received) == 1
    with app.app_context():
        assert db.session.scalar(select(WebhookDelivery.status)) == "delivered"


def test_the_delivery_log_pages_and_filters(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    add_endpoint(client, admin, f"{hooks.url}/hook")
    for n in range(5):
        post_comment(body=f"Comment number {n} on the article, thanks for writing it.")
    first = client.get(f"{API}/deliveries?per_page=2", headers=admin).get_json()
    second = client.get(f"{API}/deliveries?per_page=2&before={first['next']}", headers=admin)
    ids = [entry["id"] for entry in first["deliveries"] + second.get_json()["deliveries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    assert log(client, admin, "?site=default&status=pending").__len__() == 5
    unknown = client.get(f"{API}/deliveries?site=nowhere", headers=admin)
    assert unknown.status_code == 422 and "site" in unknown.get_json()["errors"]


@pytest.mark.parametrize(
    "app_config", [{"WEBHOOKS_DELIVER_IN_PROCESS": True, "WEBHOOKS_POLL_SECONDS": 0.05}]
)
def test_the_app_delivers_by_itself_when_configured(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    secret = add_endpoint(client, admin, f"{hooks.url}/hook")
    try:
        posted = post_comment().get_json()
        deadline = time.monotonic() + 10
        while not hooks.received and time.monotonic() < deadline:
            time.sleep(0.02)
        assert hooks.events() == [("comment.created", posted["id"])]
        assert verify(secret, hooks.received[0])
    finally:
        app.extensions["webhooks_delivery"].stop()


@pytest.mark.parametrize(
    "app_config", [{"WEBHOOKS_ALLOW_PRIVATE_TARGETS": False, "WEBHOOKS_MAX_ATTEMPTS": 1}]
)
def test_endpoints_on_private_addresses_are_refused_unless_allowed(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    """A site's admin cannot make the service call its own network (loopback here; private
    ranges and cloud metadata addresses alike): the attempt fails before any connection.

    Saving such a URL is refused too (test_webhook_targets.py); this endpoint was saved while
    private targets were allowed, as one whose name DNS re-points later would be."""
    app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = True
    add_endpoint(client, admin, hooks.url)
    app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = False
    post_comment(body="A fair point, thanks.")
    deliver(app)
    assert hooks.received == []
    [failed] = log(client, admin)
    assert failed["status"] == "failed"
    assert "not a public address" in failed["last_error"]
    assert "WEBHOOKS_ALLOW_PRIVATE_TARGETS" in failed["last_error"]
