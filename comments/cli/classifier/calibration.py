"""``flask classifier calibrate``: per-site thresholds from targets stated in words."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

import classifier
from comments.cli.classifier.group import actor_option, classifier_cli, resolve_model
from comments.cli.errors import refused_as_usage_error
from comments.extensions import db
from comments.models import Site
from comments.services import calibration as calibration_service
from comments.services import sites as site_service
from comments.services.site_changes import CALIBRATE_ACTOR
from comments.services.threads import get_site

#: (option, target kind, help): the targets a site owner can state.
TARGETS = (
    ("--toxic-published", "toxic_published", "'at most 1%' of toxic comments published"),
    ("--ordinary-held", "ordinary_held", "'at most 10%' of non-toxic comments held"),
    ("--spam-published", "spam_published", "'at most 5%' of spam published"),
    ("--spam-folder-precision", "spam_folder_precision", "'at least 99%' of the spam folder spam"),
)


class _Share(click.ParamType[float]):
    """A prevalence written like the targets beside it: "5%" or "0.05"."""

    name = "SHARE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            return classifier.parse_share(str(value))
        except classifier.CalibrationError as exc:
            self.fail(str(exc), param, ctx)


_share = _Share()


def _target_options(command: Callable[..., Any]) -> Callable[..., Any]:
    def option(flag: str, kind: str, text: str) -> Callable[..., Any]:
        def parse(_: click.Context, param: click.Parameter, words: str | None) -> Any:
            if words is None:
                return None
            try:
                return classifier.parse_target(kind, words)
            except classifier.CalibrationError as exc:
                raise click.BadParameter(str(exc), param=param) from exc

        return click.option(flag, kind, callback=parse, metavar="WORDS", help=f"Target: {text}.")

    for flag, kind, text in reversed(TARGETS):
        command = option(flag, kind, text)(command)
    return command


def _validation_data(
    session: Session, site: Site, data_path: Path | None, from_decisions: bool
) -> tuple[list[classifier.Corpus], list[str]]:
    """The labelled comments to calibrate on, and words saying where they came from."""
    parts, names = [], []
    if data_path is not None:
        try:
            parts.append(classifier.read_labelled(data_path))
        except classifier.CalibrationError as exc:
            raise click.ClickException(str(exc)) from exc
        names.append(f"{len(parts[-1])} comments from {data_path.name}")
    if from_decisions:
        decided = calibration_service.moderator_labels(session, site)
        if not len(decided):
            raise click.ClickException(f"site {site.name!r} has no labelled moderator decisions")
        parts.append(decided)
        names.append(f"{len(decided)} moderator decisions")
    return parts, names


def _score(model: classifier.Model, parts: list[classifier.Corpus]) -> classifier.ValidationSet:
    """Scores in batches, with a progress bar on stderr when there is more than one batch."""
    total = sum(len(part) for part in parts)
    if total <= 1000:
        return classifier.score_labelled(model, parts)
    with click.progressbar(length=total, label=f"scoring {total} comments", file=sys.stderr) as bar:
        return classifier.score_labelled(model, parts, bar.update)


def _report(site: Site, result: classifier.Calibration) -> None:
    click.echo("targets:")
    for achieved in result.achieved:
        click.echo(f"  {achieved.sentence()}")
    click.echo("thresholds:")
    for name in ("toxicity_hold", "spam_hold", "spam_file"):
        value, before = getattr(result.thresholds, name), getattr(result.before, name)
        origin = "site's value" if getattr(site, name) is not None else "model's default"
        change = f"now {before}, the {origin}" if name in result.changed else f"{origin}, kept"
        click.echo(f"  {name:<14}{value!s:<10}({change})")
    cost, before = result.cost, result.cost_before
    click.echo("cost: comments waiting for a moderator (from scores; rules such as links add more)")
    click.echo(f"  at {result.prevalence}: {cost.held:.1%} (now {before.held:.1%})")
    click.echo(
        f"  on the validation data as-is: {cost.held_count / cost.total:.1%}, {cost.held_count} "
        f"of {cost.total} (now {before.held_count / before.total:.1%}, {before.held_count})"
    )
    if cost.missing:
        click.echo(f"  no {' or '.join(cost.missing)} comments in the data: left out of the mix")
    for note in result.notes:
        click.echo(f"note: {note}")
    if site.moderation == "all":
        click.echo("note: the site holds every comment (moderation all); figures assume auto")


@classifier_cli.command("calibrate")
@click.option("--site", "site_name", required=True, help="The site to calibrate.")
@_target_options
@click.option(
    "--data",
    "data_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled CSV: text,toxic,spam with 1, 0, true, false or empty.",
)
@click.option("--from-decisions", is_flag=True, help="Validate on the site's moderator labels.")
@click.option("--model", "model_spec", help="Artifact directory or version [default: active].")
@click.option(
    "--prevalence-toxic",
    type=_share,
    default="5%",
    show_default=True,
    help="Expected share of toxic comments on the site, for the cost.",
)
@click.option(
    "--prevalence-spam",
    type=_share,
    default="5%",
    show_default=True,
    help="Expected share of spam, for the cost and the spam folder's precision.",
)
@click.option(
    "--min-support",
    type=click.IntRange(min=1),
    default=classifier.MIN_SUPPORT,
    show_default=True,
    help="Fewest validation comments in the spam folder for its precision to count.",
)
@click.option("--apply", is_flag=True, help="Store the thresholds on the site.")
@actor_option
def calibrate_command(
    site_name: str,
    data_path: Path | None,
    from_decisions: bool,
    model_spec: str | None,
    prevalence_toxic: float,
    prevalence_spam: float,
    min_support: int,
    apply: bool,
    actor: str,
    **stated: classifier.Target | None,
) -> None:
    """Choose SITE's thresholds from targets stated in words, on labelled validation data, and
    print what they achieve and what they cost; --apply stores them."""
    targets = [target for target in stated.values() if target is not None]
    if not targets:
        raise click.UsageError("Give at least one target, e.g. --toxic-published 'at most 1%'.")
    if data_path is None and not from_decisions:
        raise click.UsageError("Give --data CSV, --from-decisions, or both.")
    try:
        prevalence = classifier.Prevalence(prevalence_toxic, prevalence_spam)
    except classifier.CalibrationError as exc:
        hint = "--prevalence-toxic/--prevalence-spam"
        raise click.BadParameter(str(exc), param_hint=hint) from exc
    session = db.session()
    with refused_as_usage_error():
        site = get_site(session, site_name)
    model = resolve_model(model_spec)
    parts, names = _validation_data(session, site, data_path, from_decisions)
    data = _score(model, parts)
    try:
        result = calibration_service.calibrate_site(
            site, model, data, targets, prevalence, min_support
        )
    except classifier.CalibrationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"site {site.name!r}, model {model.version}, on {' and '.join(names)}")
    _report(site, result)
    if from_decisions:
        click.echo(
            "note: moderators mostly decide comments that were held or reported, so rates "
            "measured on their decisions are optimistic about comments published unseen"
        )
    if not apply:
        click.echo(f"dry run: site {site.name!r} unchanged; --apply stores these thresholds")
        return
    if model_spec is not None and resolve_model(None).version != model.version:
        click.echo(f"warning: {model.version} is not the active model", err=True)
    with refused_as_usage_error():
        _, changed = calibration_service.store_calibration(
            session, site, result, model_version=model.version, data=names, actor=actor
        )
    db.session.commit()
    site_service.log_changes(site.name, changed, CALIBRATE_ACTOR)
    click.echo(
        f"stored {', '.join(result.changed)} on site {site.name!r}, calibrated for model "
        f"{model.version} with targets: {'; '.join(str(target) for target in targets)}"
    )
