"""Every `flask --app wsgi ...` command of ours meets a broken database with one line and exit
1: what to do, not 80 lines of traceback and SQL with the cause buried in them."""

from __future__ import annotations

import re

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from comments import create_app
from comments.extensions import db
from tests.conftest import base_config

UPGRADE = "run flask --app wsgi db upgrade"
COMMANDS = [
    ["sites", "list"],
    ["users", "list"],
    ["classifier", "list"],
    ["webhooks", "list"],
    ["export", "default"],
    ["privacy", "purge", "--dry-run"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_never_migrated_says_to_upgrade(
    app: Flask, runner: FlaskCliRunner, command: list[str]
) -> None:
    with app.app_context():
        flask_migrate.downgrade(revision="base")
    result = runner.invoke(args=command)
    assert result.exit_code == 1, result.output
    assert re.fullmatch(
        rf"Error: the database's schema at revision none, this code needs \w+: {UPGRADE}\n",
        result.output,
    ), result.output
    assert "Traceback" not in result.output and "SELECT" not in result.output


def test_a_database_that_does_not_answer_is_named_in_one_line() -> None:
    """Nothing listens on port 1: the driver's own reason, with the host, and no password."""
    url = "postgresql+psycopg://reader:hunter2@127.0.0.1:1/comments"
    app = create_app(base_config(url))
    result = app.test_cli_runner().invoke(args=["sites", "list"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: the database failed: connection failed:")
    assert "127.0.0.1" in result.output and "hunter2" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "current"]], ids=" ".join)
def test_the_schema_commands_name_a_database_that_does_not_answer_in_one_line(
    command: list[str],
) -> None:
    """`db upgrade` is the first command of a deployment and of every code update: a wrong
    host or port must read as the other commands read it, not as 60 lines of traceback."""
    url = "postgresql+psycopg://reader:hunter2@127.0.0.1:1/comments"
    app = create_app(base_config(url))
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: the database failed: connection failed:")
    assert "127.0.0.1" in result.output and "hunter2" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    with app.app_context():
        db.engine.dispose()


def test_users_create_says_to_upgrade_before_asking_for_a_password(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """The first account is made right after the first start: typing a password twice to be
    told then that the database was never upgraded is a password typed twice for nothing."""
    with app.app_context():
        flask_migrate.downgrade(revision="base")
    typed = "a long enough password\n" * 2
    result = runner.invoke(args=["users", "create", "ops", "--role", "admin"], input=typed)
    assert result.exit_code == 1, result.output
    assert "Password" not in result.output
    assert re.fullmatch(
        rf"Error: the database's schema at revision none, this code needs \w+: {UPGRADE}\n",
        result.output,
    ), result.output
