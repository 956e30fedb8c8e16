"""Extensions created unbound and bound to the app with init_app."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from comments.models.base import Base
from comments.network import client_ip

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
limiter = Limiter(key_func=client_ip)
