"""`flask threads ...`: list a site's threads, correct the title or address a first comment gave."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import click
from marshmallow import ValidationError

from comments.cli.errors import CommandGroup, refused_as_usage_error
from comments.errors import FieldErrors
from comments.extensions import db
from comments.schemas.public import ThreadSettingsSchema
from comments.services import threads as thread_service
from comments.services.threads import get_site

threads_cli = CommandGroup("threads", help="List threads; correct a thread's title or address.")


def _described(summary: thread_service.ThreadSummary) -> dict[str, Any]:
    last = summary.last_comment_at
    return {
        "key": summary.key,
        "title": summary.title,
        "url": summary.url,
        "published": summary.published,
        "last_comment_at": last.isoformat() if last else None,
    }


@threads_cli.command("list")
@click.argument("site")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
def list_threads(site: str, limit: int) -> None:
    """Print SITE's threads as JSON lines, the most recently commented first."""
    with refused_as_usage_error():
        found = get_site(db.session(), site)
    for summary in thread_service.list_threads(db.session(), found, limit=limit):
        click.echo(json.dumps(_described(summary)))


@threads_cli.command("update")
@click.argument("site")
@click.argument("key")
@click.option("--title", help="The name shown in moderation, mails and exports.")
@click.option("--url", help='The page\'s address (http or https); "" removes it.')
def update_thread(site: str, key: str, title: str | None, url: str | None) -> None:
    """Correct the title or page address of thread KEY on SITE: the first comment on a page
    names them, and any reader can post first."""
    given = {name: value for name, value in (("title", title), ("url", url)) if value is not None}
    if not given:
        raise click.UsageError("Give --title, --url or both.")
    with refused_as_usage_error():
        try:
            changes = ThreadSettingsSchema().load(given)
        except ValidationError as error:
            raise FieldErrors(dict(cast(Mapping[str, list[str]], error.messages))) from error
        thread = thread_service.update_thread(
            db.session(), get_site(db.session(), site), key, changes
        )
    db.session.commit()
    click.echo(json.dumps({"key": thread.key, "title": thread.title, "url": thread.url}))
