"""Fixtures: a freshly migrated database per test, on SQLite or on PostgreSQL.

TEST_DATABASE_URL selects PostgreSQL (e.g. postgresql://postgres@127.0.0.1:5432/test); each
test then gets its own database cloned from a migrated template. Unset, SQLite files are used.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import classifier
from comments import create_app
from comments.config_urls import database_url
from comments.services.scoring import ModelProvider

SERVER_URL = os.environ.get("TEST_DATABASE_URL")
# Training in tests must not read or fill the user's anchor-validation cache; the tests of the
# cache pass their own folder.
os.environ["COMMENTS_ML_CACHE_DIR"] = "off"
# Servers the tests start (tests/servers.py passes the environment on) deliver no webhooks.
os.environ.setdefault("WEBHOOKS_DELIVER_IN_PROCESS", "0")


def base_config(db_url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MODEL_SIGNING_KEY": "test-signing-key-of-the-test-suite-only",
        # No delivery thread outliving its test's app; test_webhook_delivery.py starts one.
        "WEBHOOKS_DELIVER_IN_PROCESS": False,
        # The tests' webhook receivers listen on loopback.
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True,
        # Nor a mail thread; tests/comments/test_mail*.py call the sender themselves.
        "MAIL_SEND_IN_PROCESS": False,
    }
    config.update(overrides)
    return config


def migrate(db_url: str) -> None:
    app = create_app(base_config(db_url))
    with app.app_context():
        flask_migrate.upgrade()
        from comments.extensions import db

        db.engine.dispose()


class PostgresDatabases:
    """Creates throwaway databases on the server named by TEST_DATABASE_URL."""

    def __init__(self, server_url: str) -> None:
        self.url = make_url(database_url(server_url))
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.prefix = f"cm_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_tpl"

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as connection:
            clause = f" TEMPLATE {template}" if template else ""
            connection.execute(text(f"CREATE DATABASE {name}{clause}"))
        return self.url_for(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases | None]:
    if not SERVER_URL:
        yield None
        return
    server = PostgresDatabases(SERVER_URL)
    migrate(server.create(server.template))
    yield server
    server.drop(server.template)
    server.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres: PostgresDatabases | None
) -> Iterator[str]:
    """A database of this test's own, migrated to head."""
    if postgres is None:
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "comments.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    name = f"{postgres.prefix}_{uuid.uuid4().hex[:8]}"
    url = postgres.create(name, template=postgres.template)
    yield url
    postgres.drop(name)


@pytest.fixture(scope="session")
def shipped_model() -> classifier.Model:
    """The real shipped model, loaded once for the whole run."""
    return classifier.load()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Per-test overrides of the app's configuration."""
    return {}


@pytest.fixture
def app(
    db_url: str, app_config: dict[str, Any], shipped_model: classifier.Model, tmp_path: Path
) -> Iterator[Flask]:
    app_config = {
        "MODEL_STORE": str(tmp_path / "models"),
        # Every request re-reads the active version, so a test sees its promotion at once.
        "MODEL_REFRESH_SECONDS": 0,
        **app_config,
    }
    app = create_app(base_config(db_url, **app_config))
    if "MODEL_PATH" not in app_config:
        # The shipped model is loaded once per run, not once per test.
        app.extensions["model_provider"] = ModelProvider(
            None,
            app.extensions["model_registry"].store,
            refresh_seconds=app.config["MODEL_REFRESH_SECONDS"],
            fallback=shipped_model,
        )
    yield app
    with app.app_context():
        from comments.extensions import db

        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
