"""`flask privacy ...`: export or erase what is stored about an address; retention purges."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app

from comments.cli.errors import CommandGroup, refused_as_usage_error
from comments.cli.files import output_file, private_output
from comments.extensions import db
from comments.models import ERASURE_MODES
from comments.network import ip_hash_keys
from comments.schemas.privacy import AddressSchema
from comments.services.privacy import requests, retention
from comments.services.threads import get_site

privacy_cli = CommandGroup("privacy", help="Export or erase an address's data; purge old data.")
_address = AddressSchema()


def _address_argument(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """The address as the HTTP API checks it: a typo must not look like a finished erasure."""
    errors = _address.validate({"email": value.strip()})
    if errors:
        raise click.BadParameter(" ".join(errors["email"]))
    return value


@privacy_cli.command("export")
@click.argument("email", callback=_address_argument)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default="-",
    callback=output_file,
    help="File to write (default: -), readable by its owner only; created first, so a bad "
    "path logs nothing.",
)
def export(email: str, output: Path) -> None:
    """Write everything stored about EMAIL, on every site, as JSON; the request is logged."""
    with private_output(output) as handle:
        document = requests.export_logged(
            db.session(),
            email,
            keys=ip_hash_keys(current_app.config),
            requested_by="cli",
            now=datetime.now(UTC),
        )
        db.session.commit()
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


@privacy_cli.command("erase")
@click.argument("email", callback=_address_argument)
@click.option("--site", help="Only this site (default: every site).")
@click.option(
    "--mode",
    type=click.Choice(ERASURE_MODES),
    help="Override each site's setting (flask sites update SITE --erasure ...).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(email: str, site: str | None, mode: str | None, yes: bool) -> None:
    """Erase EMAIL: anonymise or remove its comments, drop it from every other record."""
    with refused_as_usage_error():
        if site is not None:
            get_site(db.session(), site)  # a typo is refused before the question, not after
        if not yes:
            scope = f"on site {site!r}" if site else "on every site"
            click.confirm(
                f"Erase what is stored about {email} {scope}? This cannot be undone", abort=True
            )
        counts = requests.erase_logged(
            db.session(),
            email,
            keys=ip_hash_keys(current_app.config),
            requested_by="cli",
            now=datetime.now(UTC),
            site=site,
            mode=mode,
        )
    db.session.commit()
    click.echo(json.dumps(counts))


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
def purge(dry_run: bool) -> None:
    """Purge spam and rejected comments past RETENTION_SPAM_DAYS / RETENTION_REJECTED_DAYS,
    and reader links that expired unused (for cron: prints the counts as JSON)."""
    counts = retention.purge(
        db.session(),
        spam_days=current_app.config["RETENTION_SPAM_DAYS"],
        rejected_days=current_app.config["RETENTION_REJECTED_DAYS"],
        now=datetime.now(UTC),
        dry_run=dry_run,
    )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(json.dumps({"dry_run": dry_run, **counts}))
