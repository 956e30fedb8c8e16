"""Service errors as command-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from comments.errors import FieldErrors


@contextmanager
def refused_as_usage_error() -> Iterator[None]:
    """Field errors from a service become a usage error naming each field."""
    try:
        yield
    except FieldErrors as error:
        problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
        raise click.UsageError(problems) from error
