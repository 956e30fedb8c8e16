"""The comment service: an application factory in the shape of Flask's tutorial."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from comments import config, db, network, rate_limits  # noqa: F401  (db: engine event listeners)
from comments.config_keys import secret_key
from comments.errors import register_error_handlers
from comments.extensions import db as database
from comments.extensions import limiter, migrate
from comments.json_bodies import BoundedJSONProvider
from comments.nul_guard import refuse_nul_characters
from comments.request_body import SizedChunkedBodies
from comments.services.model_store import ModelStore
from comments.services.registry import Registry
from comments.services.scoring import ModelProvider
from comments.sessions import CookieSessions

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Configure and wire the app; no database access and no model loading happen here."""
    # No app-wide /static route: each blueprint serves its own files, and a route nobody
    # decided to publish (even one serving nothing) is one more thing to keep public.
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.session_interface = CookieSessions()
    app.json = BoundedJSONProvider(app)
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_mapping(config.from_environment(os.environ, Path(app.instance_path)))
    else:
        app.config.from_mapping(test_config)

    # Read before any request: a bad proxy list, a retired setting or a rate limit that does not
    # parse (Flask-Limiter would skip it, switching that limit off) stops the app starting.
    rate_limits.check_settings(app.config)
    app.extensions["trusted_proxies"] = proxies = network.trusted_proxies(app.config)
    if proxies:
        app.wsgi_app = network.ForwardedScheme(app.wsgi_app, proxies)  # type: ignore[method-assign]
    if app.config["MAX_CONTENT_LENGTH"]:  # a chunked body too large is a 413, not a cut body
        limit = int(app.config["MAX_CONTENT_LENGTH"])
        app.wsgi_app = SizedChunkedBodies(app.wsgi_app, limit)  # type: ignore[method-assign]
    app.config.update(config.rate_limit_storage(app.config))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(app.config)

    database.init_app(app)
    # Batch mode lets later migrations ALTER tables on SQLite too.
    migrate.init_app(
        app, database, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True
    )
    limiter.init_app(app)
    store = ModelStore(
        app.config["MODEL_STORE"] or Path(app.instance_path) / "models",
        (
            app.config["MODEL_SIGNING_KEY"]
            or secret_key(Path(app.instance_path), "model_signing_key")
        ).encode(),
    )
    app.extensions["model_registry"] = Registry(store, app.config["MODEL_PATH"])
    app.extensions["model_provider"] = ModelProvider(
        app.config["MODEL_PATH"],
        store,
        refresh_seconds=app.config["MODEL_REFRESH_SECONDS"],
        retry_seconds=app.config["MODEL_RETRY_SECONDS"],
    )

    from comments import api, health, mail_pages, moderation_ui, privacy_ui, ui
    from comments.api import classifier, moderation, site_keys, sites, webhooks
    from comments.api import exports as exports_api
    from comments.api import privacy as privacy_api
    from comments.api.akismet import bp as akismet_bp
    from comments.api.contract import ID_CONVERTERS
    from comments.api.perspective import bp as perspective_bp

    app.url_map.converters.update(ID_CONVERTERS)  # before any rule uses them
    app.register_blueprint(api.bp)
    app.register_blueprint(classifier.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(site_keys.bp)
    app.register_blueprint(sites.bp)
    app.register_blueprint(akismet_bp)
    app.register_blueprint(perspective_bp)
    app.register_blueprint(webhooks.bp)  # with it, the delivery worker
    app.register_blueprint(exports_api.bp)
    app.register_blueprint(moderation_ui.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(mail_pages.bp)  # with it, the mail sender
    app.register_blueprint(privacy_api.bp)
    app.register_blueprint(privacy_ui.bp)
    app.before_request(refuse_nul_characters)
    register_error_handlers(app)

    from comments.cli import register_commands

    register_commands(app)
    return app
