"""``flask classifier train``."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

import classifier
from comments.cli.classifier.group import classifier_cli, default_data_dir


@classifier_cli.command("train")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Directory of labelled *.csv files [default: $TRAINING_DATA_DIR or ../shared/data].",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Artifact directory to write [default: the shipped classifier/artifacts/default].",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--no-baseline",
    is_flag=True,
    help="Skip validating the plain TF-IDF anchor (faster; the card then lacks the comparison).",
)
def train_command(data_dir: Path | None, output: Path | None, seed: int, no_baseline: bool) -> None:
    """Validate, train and write the model artifact and model card."""
    command = ["flask", "classifier", "train"]  # as given, so the card shows how to reproduce
    command += ["--data-dir", str(data_dir)] if data_dir else []
    command += ["--output", str(output)] if output else []
    command += ["--seed", str(seed)] + (["--no-baseline"] if no_baseline else [])
    data_dir = data_dir or default_data_dir()
    if not data_dir.is_dir():
        raise click.ClickException(f"training data directory {data_dir} does not exist")
    output = output or classifier.default_model_path()
    card = classifier.train(
        data_dir,
        output,
        seed=seed,
        progress=lambda line: click.echo(line, err=True),
        baseline=not no_baseline,
        command=shlex.join(command),
    )
    click.echo(f"model {card['version']} written to {output}")
    click.echo(f"thresholds: {json.dumps(card['thresholds'])}")
    for head, means in card["metrics"]["mean_over_sources"].items():
        for name, values in means.items():
            click.echo(
                f"{head:>9} {name:<13} held-out mean ROC-AUC {values.get('roc_auc')}"
                f" PR-AUC {values.get('pr_auc')}"
            )
