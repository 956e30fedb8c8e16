"""`flask --app wsgi ...` commands, registered by the app factory."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from comments.cli.classifier import classifier_cli
    from comments.cli.sites import sites_cli
    from comments.cli.users import users_cli
    from comments.cli.webhooks import webhooks_cli

    app.cli.add_command(classifier_cli)
    app.cli.add_command(sites_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(webhooks_cli)
