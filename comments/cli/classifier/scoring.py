"""``flask classifier score``: add score columns to a CSV."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path

import click

import classifier
from comments.cli.classifier.group import classifier_cli, resolve_model
from comments.cli.files import no_rows, replaced_on_success, undecodable_line, writable_file

_BATCH = 1000


def _batches(rows: Iterator[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    while batch := list(islice(rows, _BATCH)):
        yield batch


def _data_rows(path: Path) -> int:
    """Rows below the header, for the progress bar (a quoted text may span lines); a file the
    scoring pass will refuse counts what could be read, and that pass names the problem."""
    count = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        try:
            for row in csv.reader(handle):
                count += bool(row)
        except (csv.Error, UnicodeDecodeError):
            pass
    return max(count - 1, 0)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A bar on stderr when scoring takes more than one batch, else nothing to show."""
    if total <= _BATCH:
        yield lambda _done: None
        return
    with click.progressbar(length=total, label=f"scoring {total} rows", file=sys.stderr) as bar:
        yield bar.update


@classifier_cli.command("score")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV file with a 'text' column.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_file,
    help="CSV file to write: the input's columns plus toxicity and spam.",
)
@click.option(
    "--model",
    "model_spec",
    default=None,
    help="Artifact directory or registered version [default: the version deciding now].",
)
def score_command(input_path: Path, output_path: Path, model_spec: str | None) -> None:
    """Add toxicity and spam columns to a CSV with a 'text' column (streamed in batches)."""
    model = resolve_model(model_spec)
    # "-sig": a leading byte-order mark (Excel's "CSV UTF-8") is not part of the data.
    with input_path.open(newline="", encoding="utf-8-sig") as source:
        reader = csv.DictReader(source)
        try:
            with _progress(_data_rows(input_path)) as advance:
                count = _score_rows(model, reader, input_path, output_path, advance)
        except UnicodeDecodeError:
            line = undecodable_line(input_path)
            raise click.ClickException(
                f"{input_path}:{line}: not UTF-8 text; {output_path} was left as it was"
            ) from None
        except csv.Error as error:
            raise click.ClickException(
                f"{input_path}:{reader.line_num}: {error}; {output_path} was left as it was"
            ) from error
    click.echo(f"scored {count} rows with model {model.version} -> {output_path}", err=True)


def _score_column(head: str, fields: list[str]) -> str:
    """The head's name, or ``<head>_score`` (then ``_2``...) when the input has that column:
    a labelled file's ``spam`` labels, or an earlier model's scores, are kept, not overwritten."""
    name, suffix = head, 1
    while name in fields:
        name = f"{head}_score" + (f"_{suffix}" if suffix > 1 else "")
        suffix += 1
    if name != head:
        click.echo(f"note: the input has a {head!r} column: its score is in {name!r}", err=True)
    return name


def _score_rows(
    model: classifier.Model,
    reader: csv.DictReader[str],
    input_path: Path,
    output_path: Path,
    advance: Callable[[int], None],
) -> int:
    """Score every row into ``output_path``, which changes only once every row is scored."""
    fields = list(reader.fieldnames or [])
    if fields and "text" not in fields:
        raise click.ClickException(f"{input_path} has no 'text' column (columns: {fields})")
    rows = iter(reader)
    first = next(rows, None)
    if first is None:
        raise click.ClickException(
            f"{no_rows(input_path, fields)}; {output_path} was left as it was"
        )
    toxicity, spam = (_score_column(head, fields) for head in ("toxicity", "spam"))
    count = 0
    with replaced_on_success(output_path) as target:
        writer = csv.DictWriter(target, fieldnames=[*fields, toxicity, spam])
        writer.writeheader()
        for batch in _batches(chain([first], rows)):
            for row, scores in zip(
                batch, model.score_many([r["text"] or "" for r in batch]), strict=True
            ):
                row[toxicity] = f"{scores.toxicity:.6f}"
                row[spam] = f"{scores.spam:.6f}"
                writer.writerow(row)
            count += len(batch)
            advance(len(batch))
    return count
