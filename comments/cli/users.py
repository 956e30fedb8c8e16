"""`flask users ...`: staff accounts and API tokens."""

from __future__ import annotations

import sys

import click

from comments.cli.errors import CommandGroup, refused_as_usage_error
from comments.extensions import db
from comments.models import NOTIFY_CHOICES, ROLES
from comments.services import accounts
from comments.services.mail.preferences import update_preferences

users_cli = CommandGroup("users", help="Staff accounts and API tokens.")


@users_cli.command("create")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    required=True,
    help="admin: everything; moderator: decides on comments; analyst: reads queues and "
    "statistics, manages models, never moderates.",
)
@click.option("--site", "sites", multiple=True, help="Limit a moderator to a site (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(name: str, role: str, sites: tuple[str, ...], password_stdin: bool) -> None:
    """Create the staff member NAME; the password is asked for twice, unless --password-stdin."""
    with refused_as_usage_error():
        accounts.check_new_staff(db.session(), name, role, list(sites))
    db.session.rollback()  # no transaction left open while someone types
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with refused_as_usage_error():
        staff = accounts.create_staff(db.session(), name, role, password, list(sites))
    db.session.commit()
    where = ", ".join(site.name for site in staff.sites) or "all sites"
    click.echo(f"Created {staff.role} {staff.name} ({where}).")


@users_cli.command("list")
def list_users() -> None:
    """Print every staff member with role and sites."""
    for staff in accounts.list_staff(db.session()):
        where = ",".join(site.name for site in staff.sites) or "*"
        state = "active" if staff.active else "disabled"
        click.echo(f"{staff.name}\t{staff.role}\t{where}\t{state}")


@users_cli.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for.")
def create_token(name: str, label: str) -> None:
    """Create an API token for NAME; it is printed once, alone on the last line."""
    with refused_as_usage_error():
        staff = accounts.find_staff(db.session(), name)
    issued = accounts.issue_token(db.session(), staff, label)
    db.session.commit()
    click.echo(f"Token {issued.record.id} for {staff.name}; store it now, it is not kept:")
    click.echo(issued.token)


@users_cli.command("tokens")
@click.argument("name")
def list_tokens(name: str) -> None:
    """Print NAME's API tokens: id, label, created, last used (to the minute), revoked."""
    with refused_as_usage_error():
        staff = accounts.find_staff(db.session(), name)
    for token in accounts.list_tokens(db.session(), staff):
        used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "unused"
        revoked = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
        created = f"{token.created_at:%Y-%m-%d %H:%M}"
        click.echo(f"{token.id}\t{token.label or '-'}\tcreated {created}\t{used}\t{revoked}")


@users_cli.command("revoke-token")
@click.argument("name")
@click.option("--id", "token_id", type=int, help="Revoke only this token (default: all).")
def revoke_token(name: str, token_id: int | None) -> None:
    """Revoke NAME's API tokens."""
    with refused_as_usage_error():
        staff = accounts.find_staff(db.session(), name)
        count = accounts.revoke_tokens(db.session(), staff, token_id)
    db.session.commit()
    if token_id is not None and not count:
        click.echo(f"Token {token_id} of {staff.name} was revoked already.")
    else:
        click.echo(f"Revoked {count} token(s) of {staff.name}.")


@users_cli.command("update")
@click.argument("name")
@click.option("--email", help="Where notifications go ('' removes the address).")
@click.option(
    "--notify",
    type=click.Choice(NOTIFY_CHOICES),
    help="Mail about waiting comments: immediate, an hourly or daily digest, or off.",
)
@click.option("--role", type=click.Choice(ROLES), help="A new role, effective at once.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read a new password from standard input; it signs NAME out everywhere.",
)
@click.option(
    "--disable/--enable",
    "disable",
    default=None,
    help="Disable the account (sessions end, password and tokens stop working) or enable it.",
)
@click.option("--sign-out", is_flag=True, help="End every session of NAME (tokens stay).")
@click.option("--add-site", "add_sites", multiple=True, help="Add a site to NAME's (repeatable).")
@click.option(
    "--remove-site", "remove_sites", multiple=True, help="Remove one of NAME's sites (repeatable)."
)
@click.option("--all-sites", is_flag=True, help="Lift the limit (then --add-site sets a new one).")
def update_user(
    name: str,
    email: str | None,
    notify: str | None,
    role: str | None,
    password_stdin: bool,
    disable: bool | None,
    sign_out: bool,
    add_sites: tuple[str, ...],
    remove_sites: tuple[str, ...],
    all_sites: bool,
) -> None:
    """Change NAME's account: e-mail and notifications, role, sites, password, enabled or not."""
    with refused_as_usage_error():
        staff = accounts.find_staff(db.session(), name)
        update_preferences(db.session(), staff, email=email, notify=notify)
        if role is not None:
            accounts.set_role(staff, role)
        if add_sites or remove_sites or all_sites:
            accounts.change_sites(
                db.session(),
                staff,
                add=list(add_sites),
                remove=list(remove_sites),
                all_sites=all_sites,
            )
        if password_stdin:
            accounts.set_password(staff, sys.stdin.readline().rstrip("\r\n"))
    if disable is not None:
        accounts.set_active(staff, not disable)
    if sign_out:
        accounts.end_sessions(staff)
    db.session.commit()
    state = "active" if staff.active else "disabled"
    address = staff.email or "no address"
    where = ", ".join(site.name for site in staff.sites) or "all"
    click.echo(
        f"{staff.name}: {staff.role}, {state}, {address}, notify {staff.notify}; sites: {where}."
    )
