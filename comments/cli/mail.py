"""`flask mail ...`: the sending worker, digests, and a test mail."""

from __future__ import annotations

import threading

import click
from flask import current_app

from comments.cli.errors import CommandGroup
from comments.extensions import db
from comments.services.mail import digests, outbox, settings, worker
from comments.services.mail.addresses import is_address
from comments.services.mail.outbox import queue_mail

mail_cli = CommandGroup("mail", help="E-mail: the outbox sender, moderators' digests.")


def _require_smtp() -> None:
    if not settings.current().enabled:
        raise click.UsageError("SMTP_HOST is not set: e-mail is off.")


@mail_cli.command("send")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
def send(once: bool) -> None:
    """Send due mails forever (or --once), with digests and purges on schedule; safe to run
    beside other senders (claims are atomic)."""
    _require_smtp()
    stop = threading.Event()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        attempted = worker.run(app, stop, once=once)
    except KeyboardInterrupt:
        return
    click.echo(f"Attempted {attempted} mails.", err=True)


@mail_cli.command("digest")
def digest() -> None:
    """Queue the digests that are due (hourly and daily); run from cron, e.g. every 5 minutes.

    Mails are sent by the sender (in-process, or `flask mail send`)."""
    if not settings.links_available():
        raise click.UsageError("PUBLIC_URL is not set: digests link to the queue, under it.")
    queued = digests.send_due(db.session())
    click.echo(f"Queued {queued} digest(s).")


@mail_cli.command("purge")
def purge() -> None:
    """Delete mails older than MAIL_KEEP_DAYS, sent or not (the sender does this hourly)."""
    deleted = outbox.purge_old(db.session(), settings.current().keep_days)
    db.session.commit()
    click.echo(f"Deleted {deleted} mail(s).")


@mail_cli.command("test")
@click.argument("address")
def test_mail(address: str) -> None:
    """Queue a test mail to ADDRESS (sent like any other: check the sender's log)."""
    _require_smtp()  # with e-mail off nothing is stored, a test mail neither
    if not is_address(address):
        # One line and exit 1, before anything is queued: no server could deliver it.
        raise click.ClickException(f"{address!r} is not an e-mail address.")
    queue_mail(
        db.session(),
        to=address,
        subject="Test mail from the comment service",
        text="If you can read this, the comment service can send e-mail.\n",
        kind="test",
    )
    db.session.commit()
    click.echo(f"Queued a test mail to {address}.")
