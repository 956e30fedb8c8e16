"""Keys read from files keep a newline or spaces (an env file, a mounted secret): instances
configured from differently formatted files must accept each other's tokens and signatures."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import classifier
from comments import create_app
from comments.extensions import db
from comments.services import accounts
from comments.services.scoring import ModelProvider
from tests.comments.conftest import ABUSIVE, NICE
from tests.comments.model_versions import flask, register, serving

KEYS = {
    "SECRET_KEY": "secret-key-of-this-deployment-only-0123",
    "IP_HASH_KEY": "ip-hash-key-of-this-deployment-only-456",
    "MODEL_SIGNING_KEY": "model-signing-key-of-this-deployment-7",
}


@pytest.fixture
def instances(
    db_url: str,
    tmp_path: Path,
    shipped_model: classifier.Model,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Flask, Flask]]:
    """Two instances on one database and store: keys as written, and with spaces and a newline."""
    apps = []
    for keys in (KEYS, {name: f" {key}\n" for name, key in KEYS.items()}):
        environment = {
            "DATABASE_URL": db_url,
            "MODEL_STORE": str(tmp_path / "models"),
            "MODEL_REFRESH_SECONDS": "0",
            "RATELIMIT_ENABLED": "0",
            **keys,
        }
        with monkeypatch.context() as patch:
            for name, value in environment.items():
                patch.setenv(name, value)
            app = create_app()
        app.extensions["model_provider"] = ModelProvider(
            None, app.extensions["model_registry"].store, refresh_seconds=0, fallback=shipped_model
        )
        apps.append(app)
    yield apps[0], apps[1]
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def post(app: Flask, email: str, body: str = NICE, **fields: Any) -> dict[str, Any]:
    payload = {"thread": "/post/1", "author_name": "Ann", "author_email": email, "body": body}
    response = app.test_client().post(
        "/api/v1/comments", json={**payload, **fields}, environ_base={"REMOTE_ADDR": "192.0.2.4"}
    )
    assert response.status_code == 201, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def test_a_form_token_from_one_instance_passes_on_the_other(
    instances: tuple[Flask, Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, spaced = instances
    issued = time.time() - 4  # as a reader who took four seconds to write
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: issued)
        token = spaced.test_client().get("/api/v1/form-token?thread=/post/1").get_json()["token"]
    assert post(plain, "ann@example.org", form_token=token)["status"] == "published"


def test_an_edit_token_from_one_instance_edits_on_the_other(
    instances: tuple[Flask, Flask],
) -> None:
    plain, spaced = instances
    posted = post(plain, "ann@example.org")
    edited = spaced.test_client().patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": "On reflection, the second half convinced me as well."},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200, edited.get_json()


def test_a_ban_by_address_on_one_instance_holds_on_the_other(
    instances: tuple[Flask, Flask],
) -> None:
    plain, spaced = instances
    with plain.app_context():
        staff = accounts.create_staff(db.session(), "maria", "moderator", "correct horse", [])
        moderator = {"Authorization": f"Bearer {accounts.issue_token(db.session(), staff).token}"}
        db.session.commit()
    troll = post(plain, "troll@example.org", ABUSIVE)["id"]
    banned = plain.test_client().post(
        f"/api/v1/moderation/comments/{troll}/ban", json={"by": "ip"}, headers=moderator
    )
    assert banned.status_code == 201
    again = post(spaced, "newcomer@example.org")["id"]
    detail = spaced.test_client().get(f"/api/v1/moderation/comments/{again}", headers=moderator)
    assert detail.get_json()["status"] == "spam"
    assert "author_banned" in {signal["name"] for signal in detail.get_json()["signals"]}


def test_a_version_registered_on_one_instance_scores_on_the_other(
    instances: tuple[Flask, Flask], candidates: list[Path]
) -> None:
    plain, spaced = instances
    version = register(spaced, candidates[0])
    assert flask(spaced, "promote", version).exit_code == 0
    model = serving(plain.test_client())
    assert model["version"] == version and model["scoring"] is True, model
