"""``flask classifier score``: add score columns to a CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import click

from comments.cli.classifier.group import classifier_cli, load_model
from comments.cli.files import writable_file

_BATCH = 1000


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
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_file,
)
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def score_command(input_path: Path, output_path: Path, model_dir: Path | None) -> None:
    """Add toxicity and spam columns to a CSV with a 'text' column (streamed in batches)."""
    model = load_model(model_dir)
    # "-sig": a leading byte-order mark (Excel's "CSV UTF-8") is not part of the data.
    with input_path.open(newline="", encoding="utf-8-sig") as source:
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
