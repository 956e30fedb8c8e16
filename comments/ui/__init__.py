"""The public-facing UI: the embeddable widget (``/embed.js``) and a demo blog post (``/``).

The factory registers it with ``app.register_blueprint(ui.bp)``. Everything the widget needs
lives beside this module: ``static/widget/`` (the parts that ``assets.py`` joins into
``/embed.js`` and ``/embed.css``), ``static/edit/`` (the parts it joins into
``/embed-edit.js``) and the demo's template.
"""

from flask import Blueprint

bp = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/ui",
)

from comments.ui import views  # noqa: E402, F401  (registers the routes on bp)
