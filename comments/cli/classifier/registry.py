"""``flask classifier list|register|promote|rollback|shadow|shadow-report|history``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app

from comments.cli.classifier.group import actor_option, classifier_cli
from comments.extensions import db
from comments.services import registry as models
from comments.services.calibration import calibrated_for_other_models
from comments.services.registry import Registry, RegistryError
from comments.services.shadow import (
    ShadowPeriod,
    latest_decider,
    shadow_periods,
    shadow_report,
)


def _registry() -> Registry:
    registry: Registry = current_app.extensions["model_registry"]
    return registry


@contextmanager
def _one_transaction() -> Iterator[None]:
    """Commit once at the end; a refused change leaves the database as it was."""
    try:
        yield
        db.session.commit()
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error


def _mean_roc_auc(card: dict[str, object], head: str) -> float | None:
    """The card's held-out ROC-AUC for ``head``, averaged over sources; None when it has none."""
    metrics = card.get("metrics")
    try:
        value = metrics["mean_over_sources"][head]["ours"]["roc_auc"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def _auc_cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def warn_about_calibrations(version: str) -> None:
    """Calibrated thresholds belong to the model they were chosen for: say which no longer do."""
    for site, calibrated_for in calibrated_for_other_models(db.session(), version):
        click.echo(
            f"warning: site {site!r} has thresholds calibrated for {calibrated_for}; "
            f"run `flask classifier calibrate --site {site} ...` again for {version}",
            err=True,
        )


def note_same_model(twins: list[str]) -> None:
    """Name the versions with the same bytes (from ``same_artifact``): a rebuild on another
    day is a new version of the same model, not a new model."""
    if twins:
        click.echo(
            f"note: the same model as {', '.join(twins)} (the same sha256, trained on another day)"
        )


@classifier_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """Every known model version, which one decides and which one shadows."""
    registry = _registry()
    try:
        builtin = registry.builtin()
    except RegistryError as error:  # a promoted version may still decide: list what is known
        click.echo(f"warning: {error}", err=True)
        builtin = None
    with _one_transaction():
        listed = models.listing(db.session(), builtin)
    entries: list[dict[str, Any]] = [
        {
            "version": v.version,
            "state": "active" if v.active else "shadow" if v.shadow else "",
            "active": v.active,
            "shadow": v.shadow,
            "source": v.source,
            "trained_at": v.card.get("trained_at"),
            "trained_by": v.card.get("trained_by"),
            "toxicity_roc_auc": _mean_roc_auc(v.card, "toxicity"),
            "spam_roc_auc": _mean_roc_auc(v.card, "spam"),
            "thresholds": v.card.get("thresholds"),
            "sha256": v.sha256,
        }
        for v in listed
    ]
    if as_json:
        click.echo(json.dumps(entries, indent=2))
        return
    click.echo(
        f"{'version':<22} {'state':<7} {'source':<9} {'tox AUC':>7} {'spam AUC':>8}  trained"
    )
    for e in entries:
        trained = f"{(e['trained_at'] or '')[:16]} {e['trained_by'] or ''}".strip()
        click.echo(
            f"{e['version']:<22} {e['state']:<7} {e['source']:<9} "
            f"{_auc_cell(e['toxicity_roc_auc']):>7} {_auc_cell(e['spam_roc_auc']):>8}  {trained}"
        )


@classifier_cli.command("register")
@click.argument("artifact", type=click.Path(exists=True, file_okay=False, path_type=Path))
@actor_option
def register_command(artifact: Path, actor: str) -> None:
    """Verify a trained artifact, copy it into the model store and sign it."""
    with _one_transaction():
        row, already = models.register(db.session(), _registry(), artifact, actor)
        serving = models.serving_version(db.session(), _registry())
        twins = models.same_artifact(db.session(), row)
    done = f"registered {row.version}"
    if already:
        # The store refuses another artifact under a registered version's name: this is it.
        done = f"already registered {row.version}, the same artifact"
    if serving is not None and serving.version == row.version:
        click.echo(f"{done}; it is the version deciding now")
    else:
        click.echo(f"{done}; promote it with `flask classifier promote {row.version}`")
    note_same_model(twins)


@classifier_cli.command("promote")
@click.argument("version")
@click.option("--note", default="", help="Why, for the history.")
@actor_option
def promote_command(version: str, note: str, actor: str) -> None:
    """Make VERSION decide; every worker switches within MODEL_REFRESH_SECONDS."""
    with _one_transaction():
        event = models.promote(db.session(), _registry(), version, actor, note)
    if event.previous_version is None:
        before = "nothing decided before: the built-in model could not be loaded"
    else:
        before = f"was {event.previous_version}"
    click.echo(f"{event.version} is active ({before})")
    warn_about_calibrations(event.version)


@classifier_cli.command("rollback")
@actor_option
def rollback_command(actor: str) -> None:
    """Go back to the version the last promotion replaced."""
    with _one_transaction():
        event = models.rollback(db.session(), _registry(), actor)
    click.echo(f"{event.version} is active again (rolled back from {event.previous_version})")
    warn_about_calibrations(event.version)


@classifier_cli.command("shadow")
@click.argument("version", required=False)
@click.option("--stop", is_flag=True, help="Stop shadow scoring.")
@actor_option
def shadow_command(version: str | None, stop: bool, actor: str) -> None:
    """Let VERSION score live comments beside the active model, without deciding."""
    if bool(version) == stop:
        raise click.UsageError("give a VERSION to shadow, or --stop")
    with _one_transaction():
        event = models.set_shadow(db.session(), _registry(), None if stop else version, actor)
    if event is None:
        click.echo("no version was in shadow")
    elif stop:
        click.echo(f"{event.version} no longer scores in shadow")
    else:
        click.echo(f"{event.version} now scores every new comment in shadow")


def _minute(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "now"


def _report_period(candidate: str | None) -> tuple[str, list[ShadowPeriod]]:
    """The candidate (named, else the version in shadow now, else the one shadowed last) and
    its shadow periods, oldest first."""
    session = db.session()
    if candidate is not None:
        with _one_transaction():
            models.get(session, candidate)  # an unknown name is an error, not "no data"
        periods = shadow_periods(session, candidate)
        if not periods:
            raise click.ClickException(
                f"{candidate} has never been in shadow; see `flask classifier shadow`"
            )
        return candidate, periods
    every = shadow_periods(session)
    if not every:
        raise click.ClickException("no version has been in shadow; see `flask classifier shadow`")
    candidate = every[-1].version  # the only open period, if any, is the last to have begun
    return candidate, [p for p in every if p.version == candidate]


@classifier_cli.command("shadow-report")
@click.option(
    "--version",
    "candidate",
    help="Candidate version [default: the version in shadow now, else the last one shadowed].",
)
@click.option(
    "--all-periods",
    is_flag=True,
    help="Pool every shadow period of the version, whichever version decided [default: its "
    "current or most recent period, against the version that decided in it].",
)
@click.option("--days", type=click.IntRange(min=1), help="Only comments of the last N days.")
@click.option(
    "--examples",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="How many of the comments decided differently to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def shadow_report_command(
    candidate: str | None, all_periods: bool, days: int | None, examples: int, as_json: bool
) -> None:
    """Agreement between the candidate and the active model, and what it would have decided."""
    named = candidate is not None
    candidate, periods = _report_period(candidate)
    period = periods[-1]
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    session = db.session()
    against: str | None = None
    if all_periods:
        report = shadow_report(session, candidate, since=since, examples=examples)
    else:
        start = max(period.start, since) if since else period.start
        against = latest_decider(session, candidate, start, period.end)
        report = shadow_report(
            session, candidate, since=start, until=period.end, decided_by=against, examples=examples
        )
    data = report.as_dict()
    data.update(
        {
            "period": None if all_periods else period.as_dict(),
            "periods": len(periods),
            "against": against,
            "in_shadow_now": period.end is None,
        }
    )
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if period.end is not None and not named:
        click.echo(f"no version is in shadow now; the last one shadowed was {candidate}")
    if all_periods:
        click.echo(f"{candidate}: all {len(periods)} shadow period(s) pooled")
    else:
        ended = f" ({period.ended_by})" if period.ended_by else ""
        click.echo(
            f"{candidate} in shadow from {_minute(period.start)} to {_minute(period.end)}{ended}"
            + (f", against {against}, the version that decided then" if against else "")
        )
    if not report.comments:
        when = "yet" if all_periods else "in this period"
        click.echo(f"{candidate} has not scored any comment in shadow {when}")
        return
    deciding = against or "the deciding model"
    click.echo(
        f"{candidate} scored {report.comments} comments in shadow; "
        f"same outcome as {deciding} for {report.agreement:.1%}"
    )
    click.echo(
        f"  decided by: {', '.join(f'{v} ({n})' for v, n in report.active_versions.items())}"
    )
    if report.left_out:
        others = ", ".join(f"{v} ({n})" for v, n in report.left_out.items())
        click.echo(f"  left out, decided by another version: {others}; --all-periods pools them")
    if not all_periods and len(periods) > 1:
        click.echo(
            f"  {len(periods) - 1} earlier shadow period(s) left out; --all-periods pools them"
        )
    click.echo(f"  {'outcome':<10} {'active':>7} {'candidate':>9}")
    for status in ("published", "pending", "spam"):
        click.echo(
            f"  {status:<10} {data['active_outcomes'][status]:>7} "
            f"{data['candidate_outcomes'][status]:>9}"
        )
    click.echo(
        "  would have decided differently: "
        + (
            ", ".join(
                f"{pair} x{count}"
                for pair, count in data["would_have_decided"].items()
                if pair.split("->")[0] != pair.split("->")[1]
            )
            or "never"
        )
    )
    diff = report.mean_abs_difference
    click.echo(f"  mean |score difference|: toxicity {diff['toxicity']}, spam {diff['spam']}")
    if report.moderated:
        click.echo(
            f"  against {report.moderated} later moderator decisions: active matched "
            f"{report.active_matches_moderators}, candidate matched "
            f"{report.candidate_matches_moderators} (approve = publish, reject = hold, spam = spam)"
        )
    for example in report.disagreements:
        click.echo(
            f"  #{example['comment_id']}: {example['active']['status']} -> "
            f"{example['candidate']['status']}  {example['text']!r}"
        )


@classifier_cli.command("history")
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many."
)
def history_command(limit: int) -> None:
    """Registrations, promotions, rollbacks and shadowing, newest first."""
    events = models.history(db.session(), limit)
    if not events:
        click.echo("no model changes yet: the built-in model decides")
    for event in events:
        previous = f" (was {event.previous_version})" if event.previous_version else ""
        note = f"  {event.note}" if event.note else ""
        click.echo(
            f"{event.created_at:%Y-%m-%d %H:%M:%S} {event.action:<9} {event.version}{previous} "
            f"by {event.actor or '?'}{note}"
        )
