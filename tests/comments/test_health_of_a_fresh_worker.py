"""/healthz from a worker started while the database is down: it names the database, not the
model, as what is wrong (the model waits for the database to name its version)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

import classifier
from comments import create_app
from comments.extensions import db
from comments.services.scoring import ModelProvider
from tests.conftest import base_config
from tests.outages import DatabaseOutage


@pytest.fixture
def outage(tmp_path: Path) -> DatabaseOutage:
    return DatabaseOutage(tmp_path)


@pytest.fixture
def db_url(db_url: str, outage: DatabaseOutage) -> Iterator[str]:
    with outage.around(db_url) as url:
        yield url


def test_a_worker_started_during_an_outage_blames_the_database_not_the_model(
    app: Flask, db_url: str, outage: DatabaseOutage, shipped_model: classifier.Model
) -> None:
    outage.begin(app)
    fresh = create_app(base_config(db_url, MODEL_STORE=app.config["MODEL_STORE"]))
    fresh.extensions["model_provider"] = ModelProvider(
        None, fresh.extensions["model_registry"].store, refresh_seconds=0, fallback=shipped_model
    )
    during = fresh.test_client().get("/healthz")
    outage.end()
    after = fresh.test_client().get("/healthz")
    with fresh.app_context():
        db.engine.dispose()

    assert during.status_code == 503
    body = during.get_json()
    assert body["database"]["ok"] is False
    assert body["model"] == {
        "loaded": False,
        "scoring": False,
        "version": None,
        "shadow": None,
        "error": "not loaded: waiting for the database, which names the version to load",
    }
    assert after.status_code == 200
    assert after.get_json()["model"]["version"] == shipped_model.version
    assert after.get_json()["model"]["error"] is None
