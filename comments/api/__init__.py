"""The JSON API under /api/v1: the widget's public contract."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from comments.api import comments, cors, edits, openapi, reports  # noqa: E402,F401  (routes register on import)
