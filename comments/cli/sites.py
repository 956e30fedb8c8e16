"""`flask sites ...`: create and configure the sites that embed the widget."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import click

from comments.cli.errors import CommandGroup, refused_as_usage_error
from comments.extensions import db
from comments.models import ERASURE_MODES, MODERATION_MODES
from comments.services import site_changes, site_keys
from comments.services import sites as site_service
from comments.services.site_changes import CLI_ACTOR
from comments.services.sites import (
    LISTS,
    MAX_CLOSE_AFTER_DAYS,
    MAX_EDIT_WINDOW_SECONDS,
    MAX_LINKS,
    MAX_MIN_FORM_SECONDS,
)
from comments.services.threads import get_site

sites_cli = CommandGroup("sites", help="Create, list and configure sites.")

#: What a threshold option takes to forget the site's value: the model card's applies again.
MODEL_DEFAULT = "default"


class Threshold(click.ParamType[float | str]):
    """A score from 0 to 1, or ``default`` to go back to the deciding model's threshold."""

    name = "0..1|default"
    _unit = click.FloatRange(0.0, 1.0)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return self.name

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float | str:
        if value == MODEL_DEFAULT:
            return MODEL_DEFAULT
        number: float = self._unit.convert(value, param, ctx)
        # FloatRange lets "nan" through (every comparison with it is false): a threshold of NaN
        # would clear the setting on SQLite and hold nothing on PostgreSQL.
        if math.isnan(number):
            self.fail("must be a number between 0 and 1", param, ctx)
        return number


#: What --close-after-days takes for "threads never close by age", as 0 does.
NEVER = "never"


class Days(click.ParamType[int]):
    """A whole number of days, 0 or more, or ``never`` (stored as 0, which means the same)."""

    name = "DAYS|never"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return self.name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.lower() == NEVER:
            return 0
        if not text.isascii() or not text.isdigit() or int(text) > MAX_CLOSE_AFTER_DAYS:
            self.fail(
                f"must be a whole number of days from 0 to {MAX_CLOSE_AFTER_DAYS}, or "
                f"'{NEVER}', got {text!r}",
                param,
                ctx,
            )
        return int(text)


ERASURE_HELP = "What erasing an author does: keep the text anonymised, or remove the comments."

#: List settings: the option for one entry, its plural (for --clear-...), the setting, its help.
LIST_OPTIONS = (
    ("origin", "origins", "origins", "allowed origin, like https://blog.example"),
    ("blocked-word", "blocked-words", "blocked_words", "blocked word or phrase"),
    ("blocked-domain", "blocked-domains", "blocked_domains", "blocked link domain"),
)


def _settings_options(command: Any) -> Any:
    options = [
        click.option("--title", help="Human-readable name."),
        click.option(
            "--moderation",
            type=click.Choice(MODERATION_MODES),
            help="auto: the model and rules decide; all: every comment waits for a moderator "
            "(auto for a new site).",
        ),
        click.option(
            "--toxicity-hold",
            type=Threshold(),
            help="Hold at or above this toxicity ('default': the model's).",
        ),
        click.option(
            "--spam-hold",
            type=Threshold(),
            help="Hold at or above this spam score ('default': the model's).",
        ),
        click.option(
            "--spam-file",
            type=Threshold(),
            help="File as spam at or above this score ('default': the model's).",
        ),
        click.option(
            "--max-links",
            type=click.IntRange(0, MAX_LINKS),
            help="Hold comments with more links than this (3 for a new site), counted as rendered: "
            "a bare domain like cheap-pills.com is a link.",
        ),
        click.option(
            "--hold-commercial-terms/--no-hold-commercial-terms",
            default=None,
            help="Hold a comment that links somewhere and uses commercial spam's words "
            "(viagra, payday loans, casino bonus...; on for a new site).",
        ),
        click.option(
            "--require-form-token/--no-require-form-token",
            default=None,
            help="Hold a comment sent without the widget's form token (off for a new site: its "
            "absence is only recorded).",
        ),
        click.option(
            "--min-form-seconds",
            type=click.IntRange(0, MAX_MIN_FORM_SECONDS),
            help="Hold a comment sent sooner than this after its form was loaded (3 for a new "
            "site).",
        ),
        click.option(
            "--edit-window-seconds",
            type=click.IntRange(0, MAX_EDIT_WINDOW_SECONDS),
            help="How long readers may edit or delete their comments (0: never).",
        ),
        click.option(
            "--close-after-days",
            type=Days(),
            help="Take no new comments on a thread whose first comment is older than this "
            "many days (0 or 'never': keep threads open; `flask threads update` overrides it "
            "per thread).",
        ),
        click.option("--erasure", type=click.Choice(ERASURE_MODES), help=ERASURE_HELP),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _list_options(*, editing: bool) -> Callable[[Any], Any]:
    """--origin etc. set a whole list; on update, --add-/--remove-/--clear- edit it instead."""

    def decorate(command: Any) -> Any:
        options = []
        for one, many, setting, what in LIST_OPTIONS:
            replace_help = f"{what.capitalize()} (repeatable)."
            if editing:
                replace_help = (
                    f"Replace the whole list with these (repeatable). Deprecated here: use "
                    f"--clear-{many} with --add-{one}."
                )
            options.append(click.option(f"--{one}", setting, multiple=True, help=replace_help))
            if editing:
                options += [
                    click.option(
                        f"--add-{one}",
                        f"add_{setting}",
                        multiple=True,
                        help=f"Add one {what} (repeatable).",
                    ),
                    click.option(
                        f"--remove-{one}",
                        f"remove_{setting}",
                        multiple=True,
                        help=f"Remove one {what} (repeatable); refused if not in the list.",
                    ),
                    click.option(
                        f"--clear-{many}",
                        f"clear_{setting}",
                        is_flag=True,
                        help=f"Empty the list first (then --add-{one} builds a new one).",
                    ),
                ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The options given, as settings: a threshold set to ``default`` is stored as unset."""
    return {
        name: None if value == MODEL_DEFAULT else list(value) if isinstance(value, tuple) else value
        for name, value in values.items()
        if value is not None and value != ()
    }


def _list_changes(values: dict[str, Any]) -> dict[str, site_service.ListChange]:
    """Pops the --add-/--remove-/--clear- options out of ``values``: one change per list."""
    changes: dict[str, site_service.ListChange] = {}
    for one, many, setting, _what in LIST_OPTIONS:
        change = site_service.ListChange(
            clear=values.pop(f"clear_{setting}"),
            remove=values.pop(f"remove_{setting}"),
            add=values.pop(f"add_{setting}"),
        )
        if change == site_service.ListChange():
            continue
        if values[setting]:
            raise click.UsageError(
                f"--{one} replaces the whole list; use it or --add-{one}, --remove-{one} and "
                f"--clear-{many}, not both."
            )
        changes[setting] = change
    return changes


def _lists(site: Any) -> dict[str, list[str]]:
    return {setting: list(getattr(site, attribute)) for setting, (attribute, _) in LISTS.items()}


@sites_cli.command("list")
def list_sites() -> None:
    """Print every site and its settings as JSON lines."""
    for site in site_service.list_sites(db.session()):
        click.echo(json.dumps(site_service.describe(site)))


@sites_cli.command("create")
@click.argument("name")
@_list_options(editing=False)
@_settings_options
def create_site(name: str, **settings: Any) -> None:
    """Create a site called NAME; `sites history NAME` starts with it, and every setting."""
    with refused_as_usage_error():
        site = site_service.create_site(db.session(), name, _given(settings), by=CLI_ACTOR)
    db.session.commit()
    site_service.log_creation(name, site_service.settings_of(site), CLI_ACTOR)
    click.echo(json.dumps(site_service.describe(site)))


@sites_cli.command("update")
@click.argument("name")
@_list_options(editing=True)
@_settings_options
def update_site(name: str, **settings: Any) -> None:
    """Change settings of site NAME. Lists are edited with --add-..., --remove-... and
    --clear-...; each list touched is printed (to stderr) as it now stands."""
    changes = _list_changes(settings)
    given = _given(settings)
    with refused_as_usage_error():
        before = _lists(get_site(db.session(), name))
        site, changed = site_service.change_settings(
            db.session(), name, given, changes, by=CLI_ACTOR
        )
    db.session.commit()
    site_service.log_changes(name, changed, CLI_ACTOR)
    after = _lists(site)
    for one, many, setting, _what in LIST_OPTIONS:
        attribute = LISTS[setting][0]
        if setting in given:
            dropped = [entry for entry in before[setting] if entry not in after[setting]]
            click.echo(
                f"Warning: --{one} replaced the whole list"
                + (f" (dropped: {', '.join(dropped)})" if dropped else "")
                + f". To add an entry use --add-{one}; --remove-{one} and --clear-{many} "
                "also exist.",
                err=True,
            )
        if setting in given or setting in changes:
            click.echo(f"{attribute}: {', '.join(after[setting]) or '(none)'}", err=True)
    click.echo(json.dumps(site_service.describe(site)))


@sites_cli.command("key")
@click.argument("name")
@click.option("--label", default="", help="What the key is for, shown in listings.")
def create_key(name: str, label: str) -> None:
    """Create an API key for site NAME; the key is printed once, alone on the last line."""
    with refused_as_usage_error():
        issued = site_keys.create_key(db.session(), name, label, created_by="cli")
    db.session.commit()
    click.echo(
        f"Key {issued.record.id} for site {name!r} ({issued.record.prefix}...). "
        "It is shown only now; store it where the calling server keeps its secrets.",
        err=True,
    )
    click.echo(issued.key)


@sites_cli.command("keys")
@click.argument("name")
def list_keys(name: str) -> None:
    """List the API keys of site NAME (never the keys themselves) as JSON lines."""
    with refused_as_usage_error():
        records = site_keys.list_keys(db.session(), name)
    for record in records:
        click.echo(json.dumps(site_keys.describe_key(record)))


@sites_cli.command("revoke-key")
@click.argument("name")
@click.argument("key_id", type=int)
def revoke_key(name: str, key_id: int) -> None:
    """Revoke key KEY_ID of site NAME; calls with it are refused from now on."""
    with refused_as_usage_error():
        record = site_keys.revoke_key(db.session(), name, key_id)
    db.session.commit()
    click.echo(json.dumps(site_keys.describe_key(record)))


@sites_cli.command("history")
@click.argument("name")
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="How many."
)
def history(name: str, limit: int) -> None:
    """Print who changed which setting of site NAME, the newest first, as JSON lines."""
    with refused_as_usage_error():
        site = get_site(db.session(), name)
    for change in site_changes.list_changes(db.session(), site, limit=limit).changes:
        click.echo(json.dumps(site_changes.describe_change(change)))
