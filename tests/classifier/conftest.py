"""Fixtures: one tiny model trained once per session on the synthetic corpus, and a runner
for the classifier commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

import classifier
from comments.cli.classifier import classifier_cli
from tests.classifier.synthetic import write_corpus


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def tiny_card(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("model")
    card = classifier.train(tiny_data, output, seed=0, baseline=False, n_jobs=1)
    card["_dir"] = str(output)
    return card


@pytest.fixture(scope="session")
def tiny_dir(tiny_card: dict[str, Any]) -> Path:
    return Path(tiny_card["_dir"])


@pytest.fixture(scope="session")
def tiny_model(tiny_dir: Path) -> classifier.Model:
    return classifier.load(tiny_dir)


@pytest.fixture
def runner() -> FlaskCliRunner:
    """The classifier commands in a throwaway app, without a database."""
    app = Flask(__name__)
    app.cli.add_command(classifier_cli)
    return app.test_cli_runner()
