"""The one error a bad setting raises, shared by the modules that read settings."""

from __future__ import annotations

import click


class ConfigError(click.ClickException, ValueError):
    """A setting the service cannot start with; the message names it, its value and what
    would do, so it is the one line the operator needs.

    A ClickException so `flask --app wsgi ...` prints "Error: <message>" and exits 1 instead
    of a traceback; under gunicorn, wsgi.py prints it and stops the server ("App failed to
    load") rather than retrying.
    """
