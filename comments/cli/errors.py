"""Service and database errors as command-line errors: one line, exit 1, no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError

from comments import schema
from comments.db import discard_transaction
from comments.errors import FieldErrors
from comments.extensions import db


@contextmanager
def refused_as_usage_error() -> Iterator[None]:
    """Field errors from a service become a usage error naming each field."""
    try:
        yield
    except FieldErrors as error:
        problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
        raise click.UsageError(problems) from error


def database_problem(error: DBAPIError) -> str:
    """What an operator must do about a database error, in one line.

    A schema behind the code ("no such table: sites" from a database never migrated) says to
    run the upgrade; anything else (a server down, a wrong password) gives the driver's own
    first line, which names the host but never a password.
    """
    discard_transaction(db.session)  # it may hold SQLite's write lock, and is failed anyway
    try:
        outdated = schema.behind(db.session)
    except DBAPIError:
        outdated = None
    finally:
        discard_transaction(db.session)
    if outdated:
        return f"the database's {outdated}"
    return database_failed(error)


def database_failed(error: DBAPIError) -> str:
    """The driver's own first line (it names the host, never a password), without the SQL."""
    first_line = str(error.orig or error).strip().splitlines()[0]
    return f"the database failed: {first_line}"


class DatabaseAwareCommand(click.Command):
    """A command whose database errors end in one line: the cause buried under 80 lines of
    traceback and SQL is what an operator at a broken database needed first."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DBAPIError as error:  # the app context is still pushed here
            raise click.ClickException(database_problem(error)) from error


class CommandGroup(AppGroup):
    """The service's command groups: their commands (and nested groups') are database-aware."""

    command_class = DatabaseAwareCommand
    group_class = type  # nested groups are CommandGroups too
