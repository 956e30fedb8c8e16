"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import sys

import click

from comments import create_app
from comments.config_errors import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # Under `flask --app wsgi` (help included) say what to fix in one line and stop: Flask's
    # group would print a traceback while listing commands. gunicorn gets the error itself.
    if click.get_current_context(silent=True) is None:
        raise
    error.show()
    sys.exit(1)
