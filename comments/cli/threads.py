"""`flask threads ...`: list a site's threads, correct the title or address a first comment gave,
close a thread to new comments or open it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

import click
from marshmallow import ValidationError

from comments.cli.errors import CommandGroup, refused_as_usage_error
from comments.errors import FieldErrors
from comments.extensions import db
from comments.schemas.public import NewThreadSchema, ThreadSettingsSchema
from comments.services import threads as thread_service
from comments.services.thread_listing import ThreadSummary
from comments.services.thread_listing import list_threads as thread_page
from comments.services.threads import CLOSING_CHOICES, closed_setting, get_site, is_closed

threads_cli = CommandGroup(
    "threads", help="List threads; correct a thread's title or address; close or open one."
)


def _described(summary: ThreadSummary) -> dict[str, Any]:
    return {
        "key": summary.key,
        "title": summary.title,
        "url": summary.url,
        "published": summary.published,
        "last_comment_at": summary.last_comment_at.isoformat(),
        "closed": summary.closed,
        "closed_setting": closed_setting(summary.closed_setting),
    }


@threads_cli.command("list")
@click.argument("site")
@click.option(
    "--limit", type=click.IntRange(1), default=100, show_default=True, help="At most this many."
)
def list_threads(site: str, limit: int) -> None:
    """Print SITE's threads as JSON lines, the most recently commented first, each saying
    whether it is closed to new comments now."""
    with refused_as_usage_error():
        found = get_site(db.session(), site)
    now = datetime.now(UTC)
    for summary in thread_page(db.session(), found, limit=limit, now=now).threads:
        click.echo(json.dumps(_described(summary)))


def _no_thread_yet(key: str) -> FieldErrors:
    """Staff may mean a page nobody has commented on yet: say how to make its thread."""
    return FieldErrors(
        {
            "thread": [
                f"No thread {key!r} on this site: a page has one from its first comment on;"
                " add --create to make it now."
            ]
        }
    )


@threads_cli.command("update")
@click.argument("site")
@click.argument("key")
@click.option("--title", help="The name shown in moderation, mails and exports.")
@click.option("--url", help='The page\'s address (http or https); "" removes it.')
@click.option("--close", is_flag=True, help="Take no new comments or replies on this thread.")
@click.option(
    "--open",
    "open_",
    is_flag=True,
    help="Take new comments, even past the site's --close-after-days.",
)
@click.option(
    "--follow-site",
    is_flag=True,
    help="Closed or open as the site's --close-after-days says (a thread's first state).",
)
@click.option(
    "--create",
    is_flag=True,
    help="Make the thread if its page has no comments yet, e.g. to close it before anyone posts.",
)
def update_thread(
    site: str,
    key: str,
    title: str | None,
    url: str | None,
    close: bool,
    open_: bool,
    follow_site: bool,
    create: bool,
) -> None:
    """Correct the title or page address of thread KEY on SITE (the first comment on a page
    names them, and any reader can post first), or close it to new comments or open it.
    A page has no thread until its first comment: --create makes it (untitled unless --title
    is given)."""
    given: dict[str, Any] = {
        name: value for name, value in (("title", title), ("url", url)) if value is not None
    }
    closing = [
        name
        for name, chosen in zip(CLOSING_CHOICES, (close, open_, follow_site), strict=True)
        if chosen
    ]
    if len(closing) > 1:
        raise click.UsageError("Give one of --close, --open and --follow-site.")
    if closing:
        given["closed"] = CLOSING_CHOICES[closing[0]]
    if not given:
        raise click.UsageError("Give --title, --url, --close, --open or --follow-site.")
    with refused_as_usage_error():
        try:
            if create:
                changes = NewThreadSchema().load({"key": key, **given})
            else:
                changes = ThreadSettingsSchema().load(given)
        except ValidationError as error:
            raise FieldErrors(dict(cast(Mapping[str, list[str]], error.messages))) from error
        found = get_site(db.session(), site)
        now = datetime.now(UTC)
        if create:
            thread = thread_service.create_thread(
                db.session(), found, changes.pop("key"), changes, now=now
            )
        elif thread_service.find_thread(db.session(), found, key) is None:
            raise _no_thread_yet(key)
        else:
            thread = thread_service.update_thread(
                db.session(), found, key, changes, staff=None, now=now
            )
    db.session.commit()
    closed = is_closed(thread.closed, thread.created_at, found.close_after_days, now)
    click.echo(
        json.dumps(
            {
                "key": thread.key,
                "title": thread.title,
                "url": thread.url,
                "closed": closed,
                "closed_setting": closed_setting(thread.closed),
            }
        )
    )
