"""Rotating a webhook's signing secret without dropping a delivery: for an overlap, each
delivery carries a signature by the new and by the old secret (Standard Webhooks allows several
in one header), so the receiver switches when it is ready; a zero overlap retires the old one
at once. Signatures are checked with the spec-based verification in webhook_receiver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from comments.extensions import db
from comments.models import WebhookEndpoint
from tests.comments.conftest import PostComment, StaffToken
from tests.comments.test_webhooks import API, add_endpoint
from tests.comments.webhook_receiver import Receiver, deliver, verify


def rotate(client: FlaskClient, admin: dict[str, str], endpoint_id: int, **body: Any) -> Any:
    return client.post(f"{API}/{endpoint_id}/rotate-secret", json=body, headers=admin)


def end_overlap(app: Flask, endpoint_id: int) -> None:
    """As if the overlap's hours had passed."""
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None and endpoint.previous_secret_until is not None
        endpoint.previous_secret_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()


def test_both_secrets_sign_during_the_overlap_then_only_the_new_one(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    created = add_endpoint(client, admin, f"{hooks.url}/hook", events=["comment.created"])
    old = created["secret"]
    before = datetime.now(UTC)
    rotated = rotate(client, admin, created["id"], overlap_hours=2)
    assert rotated.status_code == 200, rotated.get_json()
    new = rotated.get_json()["secret"]
    assert new.startswith("whsec_") and new != old
    until = datetime.fromisoformat(rotated.get_json()["previous_secret_until"])
    assert before + timedelta(hours=2) <= until <= datetime.now(UTC) + timedelta(hours=2)
    [listed] = client.get(API, headers=admin).get_json()["endpoints"]
    assert "secret" not in listed and new not in str(listed) and old not in str(listed)
    assert listed["previous_secret_until"] == rotated.get_json()["previous_secret_until"]

    post_comment()
    deliver(app)
    [during] = hooks.on("/hook")
    assert verify(old, during), "a receiver not yet switched still accepts it"
    assert verify(new, during), "a receiver already switched accepts it"

    end_overlap(app, created["id"])
    post_comment(body="Posted after the overlap.")
    deliver(app)
    after = hooks.on("/hook")[1]
    assert verify(new, after) and not verify(old, after)
    [listed] = client.get(API, headers=admin).get_json()["endpoints"]
    assert listed["previous_secret_until"] is not None  # kept as the record of the rotation


def test_a_zero_overlap_retires_the_old_secret_at_once(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    hooks: Receiver,
    post_comment: PostComment,
) -> None:
    created = add_endpoint(client, admin, f"{hooks.url}/hook", events=["comment.created"])
    first = rotate(client, admin, created["id"]).get_json()["secret"]  # default: 24 hours
    leaked = rotate(client, admin, created["id"], overlap_hours=0).get_json()
    assert leaked["previous_secret_until"] is None
    post_comment()
    deliver(app)
    [request] = hooks.on("/hook")
    assert verify(leaked["secret"], request)
    assert not verify(first, request) and not verify(created["secret"], request)
    assert len(request.headers["webhook-signature"].split()) == 1


def test_bad_rotations_are_refused_and_change_nothing(
    app: Flask, client: FlaskClient, admin: dict[str, str], staff_headers: StaffToken
) -> None:
    created = add_endpoint(client, admin, "https://hooks.example/in")
    for overlap in (-1, 24 * 7 + 1, "soon", None):
        refused = rotate(client, admin, created["id"], overlap_hours=overlap)
        assert refused.status_code == 422 and "overlap_hours" in refused.get_json()["errors"]
    unknown = rotate(client, admin, created["id"], secret="whsec_mine")
    assert unknown.status_code == 422 and "secret" in unknown.get_json()["errors"]
    assert rotate(client, admin, 99_999).status_code == 404
    assert rotate(client, staff_headers("moderator"), created["id"]).status_code == 403
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, created["id"])
        assert endpoint is not None and endpoint.secret == created["secret"]
        assert endpoint.previous_secret is None


def test_the_cli_rotates_and_prints_the_new_secret_last(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, admin: dict[str, str]
) -> None:
    created = add_endpoint(client, admin, "https://hooks.example/in")
    done = runner.invoke(
        args=["webhooks", "rotate-secret", str(created["id"]), "--overlap-hours", "1"]
    )
    assert done.exit_code == 0, done.output
    secret = done.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_") and secret != created["secret"]
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, created["id"])
        assert endpoint is not None and endpoint.secret == secret
        assert endpoint.previous_secret == created["secret"]
    refused = runner.invoke(
        args=["webhooks", "rotate-secret", str(created["id"]), "--overlap-hours", "-2"]
    )
    assert refused.exit_code != 0
