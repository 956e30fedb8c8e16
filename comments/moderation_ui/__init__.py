"""The moderators' web UI under ``/moderation``: server-rendered pages, a little plain JS.

The factory registers it with ``app.register_blueprint(moderation_ui.bp)``. Pages call the
same service functions as the JSON API; the script in ``static/`` calls the JSON API itself
(session cookie plus the ``X-CSRF-Token`` header), so both paths record identical decisions.
"""

from flask import Blueprint

bp = Blueprint(
    "moderation_ui",
    __name__,
    url_prefix="/moderation",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

from comments.moderation_ui import (  # noqa: E402, F401  (register on bp)
    actions,
    guards,
    notifications,
    pages,
    site_settings,
    views,
)
