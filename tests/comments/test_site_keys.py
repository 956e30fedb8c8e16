"""Site API keys: created by the CLI or an admin, shown once, stored hashed, revocable."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import SiteApiKey
from comments.services.site_keys import site_for_key
from tests.comments.conftest import StaffToken


def _site_of(app: Flask, key: str) -> str | None:
    with app.app_context():
        site = site_for_key(db.session(), key)
        db.session.commit()
        return site.name if site else None


def test_cli_prints_the_key_alone_on_its_last_line_and_stores_only_its_hash(
    app: Flask, runner: FlaskCliRunner
) -> None:
    created = runner.invoke(args=["sites", "key", "default", "--label", "coral"])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert key.startswith("cms_") and " " not in key and len(key) > 40
    assert _site_of(app, key) == "default"

    with app.app_context():
        stored = db.session.scalars(select(SiteApiKey)).one()
        assert key not in (stored.key_hash, stored.prefix) and key.startswith(stored.prefix)
    listed = runner.invoke(args=["sites", "keys", "default"])
    assert key not in listed.output
    described = json.loads(listed.output)
    assert described["label"] == "coral" and described["last_used_at"] is not None

    revoked = runner.invoke(args=["sites", "revoke-key", "default", str(described["id"])])
    assert revoked.exit_code == 0, revoked.output
    assert _site_of(app, key) is None


def test_cli_refuses_unknown_sites_and_keys(runner: FlaskCliRunner) -> None:
    unknown_site = runner.invoke(args=["sites", "key", "nope"])
    assert unknown_site.exit_code != 0 and "Unknown site" in unknown_site.output
    unknown_key = runner.invoke(args=["sites", "revoke-key", "default", "99"])
    assert unknown_key.exit_code != 0 and "no key 99" in unknown_key.output


def test_unknown_and_malformed_keys_name_no_site(app: Flask) -> None:
    for key in ("", "cms_not-a-key", "x" * 10_000):
        assert _site_of(app, key) is None


def test_admins_create_list_and_revoke_keys_over_the_api(
    app: Flask, client: FlaskClient, staff_headers: StaffToken
) -> None:
    admin = staff_headers("admin")
    created = client.post(
        "/api/v1/admin/sites/default/keys", json={"label": "akismet"}, headers=admin
    )
    assert created.status_code == 201, created.json
    key = created.json["key"]
    assert created.json["created_by"] == "admin-0" and _site_of(app, key) == "default"

    listed = client.get("/api/v1/admin/sites/default/keys", headers=admin).json["keys"]
    assert [entry["label"] for entry in listed] == ["akismet"] and "key" not in listed[0]

    revoked = client.post(
        f"/api/v1/admin/sites/default/keys/{listed[0]['id']}/revoke", headers=admin
    )
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert _site_of(app, key) is None


def test_only_admins_manage_keys_and_bad_requests_change_nothing(
    app: Flask, client: FlaskClient, staff_headers: StaffToken
) -> None:
    moderator = staff_headers("moderator")
    assert client.get("/api/v1/admin/sites/default/keys").status_code == 401
    assert (
        client.post("/api/v1/admin/sites/default/keys", json={}, headers=moderator).status_code
        == 403
    )

    admin = staff_headers("admin")
    assert client.post("/api/v1/admin/sites/nope/keys", json={}, headers=admin).status_code == 404
    too_long = client.post(
        "/api/v1/admin/sites/default/keys", json={"label": "x" * 101}, headers=admin
    )
    assert too_long.status_code == 422 and "label" in too_long.json["errors"]
    missing = client.post("/api/v1/admin/sites/default/keys/7/revoke", headers=admin)
    assert missing.status_code == 404
    with app.app_context():
        assert db.session.scalars(select(SiteApiKey)).all() == []
