"""``flask classifier export|import``: moderators' labelled examples as CSV or JSON Lines."""

from __future__ import annotations

from pathlib import Path

import click

from comments.cli.classifier.group import classifier_cli
from comments.cli.errors import refused_as_usage_error
from comments.cli.files import (
    PRIVATE,
    no_rows,
    replaced_on_success,
    undecodable_line,
    writable_file,
)
from comments.extensions import db
from comments.services import training_data
from comments.services.threads import get_site

_FORMAT = click.Choice(sorted(set(training_data.FORMATS.values())))


def _format(path: Path, given: str | None) -> str:
    try:
        return training_data.format_of(path.name, given)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--format") from error


@classifier_cli.command("export")
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_file,
    help="File to write, CSV or JSON Lines.",
)
@click.option("--format", "fmt", type=_FORMAT, help="[default: from the file's extension]")
@click.option("--site", help="Only this site's examples [default: every site].")
def export_command(output_path: Path, fmt: str | None, site: str | None) -> None:
    """Write the effective labelled examples (reversals and duplicates removed)."""
    fmt = _format(output_path, fmt)
    session = db.session()
    with refused_as_usage_error():
        site_id = get_site(session, site).id if site else None
    examples = training_data.labelled_examples(session, site_id)
    # Comments' texts, whoever wrote them: readable by the owner only, written whole or not.
    with replaced_on_success(output_path, PRIVATE) as handle:
        count = training_data.write_examples(examples, handle, fmt)
    click.echo(f"exported {count} labelled examples to {output_path}")


@classifier_cli.command("import")
@click.argument("input_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=_FORMAT, help="[default: from the file's extension]")
@click.option("--site", default="default", show_default=True, help="Site the examples are for.")
def import_command(input_path: Path, fmt: str | None, site: str) -> None:
    """Add labelled examples from a CSV or JSON Lines file; every row is checked first.

    Columns: text, and toxic and/or spam (1, 0, true, false or empty, JSON null; each row at
    least one label), optional reason and decided_at (ISO 8601); others, such as source and
    comment_id, are ignored.
    """
    fmt = _format(input_path, fmt)
    session = db.session()
    with refused_as_usage_error():
        target = get_site(session, site)
    try:
        # "-sig": a leading byte-order mark (Excel's "CSV UTF-8") is not part of the data.
        with input_path.open(newline="", encoding="utf-8-sig") as handle:
            examples = training_data.read_examples(handle, fmt)
    except training_data.InvalidExamples as error:
        raise click.ClickException(f"{input_path}: nothing imported:\n{error}") from error
    except UnicodeDecodeError:
        line = undecodable_line(input_path)
        message = f"{input_path}:{line}: not UTF-8 text; nothing imported"
        raise click.ClickException(message) from None
    if not examples:  # a CSV with lines in it had a header; JSON Lines have none
        with input_path.open(encoding="utf-8-sig") as handle:
            header = fmt == "csv" and any(line.strip() for line in handle)
        raise click.ClickException(f"{no_rows(input_path, header)}; nothing imported")
    added = training_data.import_examples(session, target, examples)
    session.commit()
    skipped = len(examples) - added
    click.echo(f"imported {added} labelled examples into {site} ({skipped} already known)")
