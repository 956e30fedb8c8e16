"""The ``flask classifier`` command group and helpers its commands share."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

import classifier
from comments.cli.errors import CommandGroup
from comments.extensions import db
from comments.services import registry as models
from comments.services.registry import Registry

classifier_cli = CommandGroup(
    "classifier", help="Train, run and evaluate the moderation classifier."
)


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def default_data_dir() -> Path:
    configured = os.environ.get("TRAINING_DATA_DIR")
    return Path(configured) if configured else (repo_root() / ".." / "shared" / "data").resolve()


def load_model(model_dir: Path | None) -> classifier.Model:
    try:
        return classifier.load(model_dir)
    except classifier.ModelLoadError as exc:
        raise click.ClickException(str(exc)) from exc


def resolve_model(spec: str | None) -> classifier.Model:
    """The model a command works on: an artifact directory, a registered version, or (``None``)
    the version deciding now, loaded and verified exactly as a worker would."""
    registry: Registry | None = current_app.extensions.get("model_registry")
    if spec is not None and Path(spec).is_dir():
        return load_model(Path(spec))
    if registry is None:  # outside the service (a bare app): only directories make sense
        if spec is None:
            return load_model(None)
        raise click.BadParameter(f"{spec!r} is not an artifact directory", param_hint="--model")

    session = db.session()
    try:
        row = models.active_version(session) if spec is None else models.get(session, spec)
        return registry.builtin() if row is None else registry.load(row)
    except models.RegistryError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot read the model registry ({type(exc).__name__}); is the database migrated? "
            "Run `flask --app wsgi db upgrade`, or pass --model DIR"
        ) from exc


def actor_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--actor``: who made a registry change, for the history (default: the login name)."""
    return click.option(
        "--actor",
        default=_login_name,
        show_default="your login name",
        help="Who is making this change.",
    )(command)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
