"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import sys

import click

from comments import create_app
from comments.config_errors import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # Under `flask --app wsgi` (help included) say what to fix in one line and stop: Flask's
    # group would print a traceback while listing commands.
    if click.get_current_context(silent=True) is not None:
        error.show()
        sys.exit(1)
    # gunicorn would log the error with a 40-line traceback that buries what to fix: print the
    # line and exit with its "App failed to load" status, which stops the server instead of
    # booting new workers (from a worker, or from the master under --preload).
    if "gunicorn.arbiter" in sys.modules:
        from gunicorn.arbiter import Arbiter

        print(error.format_message(), file=sys.stderr, flush=True)
        sys.exit(Arbiter.APP_LOAD_ERROR)
    raise
