"""`flask --app wsgi COMMAND --help` is the operator's manual at the prompt: every command and
every option of ours says what it does."""

from __future__ import annotations

from collections.abc import Iterator

import click
from flask import Flask


def _our_commands(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _our_commands(sub, f"{path} {name}")
    elif command.callback is not None and command.callback.__module__.startswith("comments."):
        yield path, command


def test_every_command_and_option_of_ours_has_help(app: Flask) -> None:
    commands = dict(_our_commands(app.cli, "flask"))
    assert "flask sites create" in commands and "flask users create" in commands
    silent = [
        f"{path} {option.opts[0]}"
        for path, command in commands.items()
        for option in command.params
        if isinstance(option, click.Option) and not option.hidden and not option.help
    ]
    assert silent == []
    assert [path for path, command in commands.items() if not command.help] == []


def test_site_and_staff_options_say_what_they_choose(app: Flask) -> None:
    runner = app.test_cli_runner()
    sites = " ".join(runner.invoke(args=["sites", "create", "--help"]).output.split())
    assert "all: every comment waits for a moderator" in sites
    assert "Hold a comment sent without the widget's form token" in sites
    assert "Hold a comment sent sooner than this after its form was loaded" in sites
    users = " ".join(runner.invoke(args=["users", "create", "--help"]).output.split())
    assert "moderator: decides on comments" in users and "unless --password-stdin" in users
