"""`flask --app wsgi ...` commands, registered by the app factory."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from comments.cli.classifier import classifier_cli
    from comments.cli.imports import export_cli, import_cli
    from comments.cli.mail import mail_cli
    from comments.cli.privacy import privacy_cli
    from comments.cli.sites import sites_cli
    from comments.cli.threads import threads_cli
    from comments.cli.users import users_cli
    from comments.cli.webhooks import webhooks_cli

    app.cli.add_command(classifier_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(sites_cli)
    app.cli.add_command(threads_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(webhooks_cli)
