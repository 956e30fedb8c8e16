"""The ``flask classifier`` command group and helpers its commands share."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

import classifier

classifier_cli = AppGroup("classifier", help="Train, run and evaluate the moderation classifier.")


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
    """The model a command works on: an artifact directory, or (``None``) the one serving now."""
    if spec is None:
        configured = current_app.config.get("MODEL_PATH")
        return load_model(Path(configured) if configured else None)
    path = Path(spec)
    if not path.is_dir():
        raise click.BadParameter(f"{spec!r} is not an artifact directory", param_hint="--model")
    return load_model(path)
