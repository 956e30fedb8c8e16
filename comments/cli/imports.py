"""`flask import wxr|disqus|isso SOURCE --site SITE` and `flask export SITE`: moving a site's
comments in from WordPress, Disqus or Isso, and out again."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from comments.cli.errors import CommandGroup, DatabaseAwareCommand, refused_as_usage_error
from comments.cli.files import output_file, private_output
from comments.extensions import db
from comments.network import ip_hash_keys
from comments.services import exports
from comments.services.imports import (
    READERS,
    ImportOptions,
    SourceError,
    parse_status_map,
    run_import,
)
from comments.services.scoring import ModelProvider

import_cli = CommandGroup("import", help="Import comments from WordPress, Disqus or Isso.")

_SOURCES = {
    "wxr": "a WordPress export (WXR: Tools > Export in WordPress)",
    "disqus": "a Disqus XML export",
    "isso": "an Isso SQLite database (opened read-only)",
}


def _import_command(fmt: str, what: str) -> None:
    @import_cli.command(fmt, help=f"Import SOURCE, {what}, into --site.")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--site", required=True, help="The site to import into.")
    @click.option("--dry-run", is_flag=True, help="Read and check everything; write nothing.")
    @click.option(
        "--rescore", is_flag=True, help="Score every comment with the active model (kept status)."
    )
    @click.option(
        "--status-map",
        "status_map",
        multiple=True,
        metavar="SOURCE=TARGET",
        help="Map a source status (approved, pending, spam, trash, deleted) to published, "
        "pending, spam, rejected, deleted or skip (repeatable).",
    )
    def command(**arguments: Any) -> None:
        _import(fmt, **arguments)


for _fmt, _what in _SOURCES.items():
    _import_command(_fmt, _what)


def _import(
    fmt: str, source: Path, site: str, dry_run: bool, rescore: bool, status_map: tuple[str, ...]
) -> None:
    """Prints the summary as JSON; one transaction, so a failed import leaves nothing behind."""
    with refused_as_usage_error():
        mapping = parse_status_map(status_map)
    model = None
    if rescore:
        provider: ModelProvider = current_app.extensions["model_provider"]
        model = provider.serving(db.session()).active
        if model is None:
            raise click.ClickException("--rescore: no model can be loaded to score with.")
    options = ImportOptions(
        fmt, mapping, ip_hash_keys(current_app.config)[0], dry_run=dry_run, model=model
    )
    try:
        bar = click.progressbar(
            length=READERS[fmt].size(source),
            label=f"{'Checking' if dry_run else 'Importing'} {source.name}",
            file=sys.stderr,
        )
        with bar, refused_as_usage_error():
            summary = run_import(
                db.session(), site, source, options, now=datetime.now(UTC), progress=bar.update
            )
    except SourceError as error:
        db.session.rollback()
        raise click.ClickException(f"{source}: {error}") from error
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))


@click.command("export", cls=DatabaseAwareCommand)
@with_appcontext
@click.argument("site")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(exports.FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl: one comment a line, with its scores; wxr: a WordPress export.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default="-",
    callback=output_file,
    help="Default: stdout. A file is readable by its owner only (authors' addresses).",
)
def export_cli(site: str, fmt: str, output: Path) -> None:
    """Write every comment of SITE as JSON Lines or as WXR (for WordPress and others)."""
    with refused_as_usage_error():
        chunks = exports.site_export(db.session(), site, fmt)
    with private_output(output) as handle:
        for chunk in chunks:
            handle.write(chunk)
    db.session.rollback()
