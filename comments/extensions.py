"""Extensions created unbound and bound to the app with init_app."""

from __future__ import annotations

import flask_limiter
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from comments.models.base import Base
from comments.rate_keys import client_bucket


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter whose storage health and log follow the app it was last bound to.

    The extension object outlives apps (tests and ``flask`` commands make several in one
    process): a storage that failed for an earlier app says nothing about this app's, and the
    warning that Redis is unreachable belongs in the app's own log, which gunicorn shows.
    """

    def init_app(self, app: Flask) -> None:
        self._storage_dead = False
        self.logger = app.logger.getChild("rate_limits")
        super().init_app(app)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
limiter = Limiter(key_func=client_bucket)
