"""``flask classifier ...``: thin command-line wrappers around the ``classifier`` library."""

from __future__ import annotations

import csv
import json
import os
import shlex
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

import classifier

classifier_cli = AppGroup("classifier", help="Train, run and evaluate the moderation classifier.")

_BATCH = 1000


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _default_data_dir() -> Path:
    configured = os.environ.get("TRAINING_DATA_DIR")
    return Path(configured) if configured else (_repo_root() / ".." / "shared" / "data").resolve()


def _load(model_dir: Path | None) -> classifier.Model:
    try:
        return classifier.load(model_dir)
    except classifier.ModelLoadError as exc:
        raise click.ClickException(str(exc)) from exc


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
    data_dir = data_dir or _default_data_dir()
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


def _batches(rows: Iterator[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    while batch := list(islice(rows, _BATCH)):
        yield batch


@classifier_cli.command("score")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def score_command(input_path: Path, output_path: Path, model_dir: Path | None) -> None:
    """Add toxicity and spam columns to a CSV with a 'text' column (streamed in batches)."""
    model = _load(model_dir)
    with input_path.open(newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        fields = list(reader.fieldnames or [])
        if "text" not in fields:
            raise click.ClickException(f"{input_path} has no 'text' column (columns: {fields})")
        added = [name for name in ("toxicity", "spam") if name not in fields]
        count = 0
        with output_path.open("w", newline="", encoding="utf-8") as target:
            writer = csv.DictWriter(target, fieldnames=fields + added)
            writer.writeheader()
            for batch in _batches(iter(reader)):
                for row, scores in zip(
                    batch, model.score_many([r["text"] or "" for r in batch]), strict=True
                ):
                    row["toxicity"] = f"{scores.toxicity:.6f}"
                    row["spam"] = f"{scores.spam:.6f}"
                    writer.writerow(row)
                count += len(batch)
    click.echo(f"scored {count} rows with model {model.version} -> {output_path}", err=True)


def _print_report(report: dict[str, Any]) -> None:
    data = report["data"]
    click.echo(f"model {report['model_version']} on {data['file']} ({data['rows']} rows)")
    for head in ("toxicity", "spam"):
        for source, m in report.get(head, {}).items():
            line = (
                f"{head:>9} {source:<45} n={m['n']:<6} ROC-AUC {m['roc_auc']} PR-AUC {m['pr_auc']}"
            )
            for key, value in m.items():
                if key.startswith("at_"):
                    line += (
                        f" | {key[3:]}: P {value['precision']} R {value['recall']} F1 {value['f1']}"
                    )
            click.echo(line)


@classifier_cli.command("evaluate")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path))
def evaluate_command(data_path: Path, model_dir: Path | None, output_path: Path | None) -> None:
    """Per-source ROC-AUC, PR-AUC and precision/recall/F1 at the model card's thresholds."""
    model = _load(model_dir)
    try:
        report = classifier.evaluate(model, data_path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_report(report)
    if output_path:
        output_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        click.echo(f"report written to {output_path}", err=True)
