"""``flask classifier retrain``: the learning loop, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

import classifier
from comments.cli.classifier.group import actor_option, classifier_cli, default_data_dir
from comments.cli.classifier.registry import note_same_model, warn_about_calibrations
from comments.cli.errors import refused_as_usage_error
from comments.cli.files import writable_file
from comments.extensions import db
from comments.services import registry as models
from comments.services.registry import RegistryError
from comments.services.retraining import RetrainError, RetrainResult, RetrainSettings, retrain
from comments.services.threads import get_site

#: The exit status of `retrain --promote` when the candidate was not recommended, so not
#: promoted: a nightly script tells it from a promotion (0) and from a failure (1, 2 usage).
NOT_PROMOTED = 3


def _write_report(path: Path, result: RetrainResult) -> None:
    """Keep the evaluation; if that fails (the folder was checked, but may have gone since),
    stop before promoting, after the verdict is printed, with the candidate still registered."""
    try:
        path.write_text(json.dumps(result.report, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise click.ClickException(
            f"cannot write the report to {path} ({error.strerror or error}); candidate "
            f"{result.candidate} stays registered and was not promoted"
        ) from error


@classifier_cli.command("retrain")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Base corpora [default: $TRAINING_DATA_DIR or ../shared/data].",
)
@click.option(
    "--decision-weight",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Weight of a decision relative to a corpus row.",
)
@click.option("--site", help="Only this site's decisions [default: every site].")
@click.option(
    "--holdout",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.2,
    show_default=True,
    help="Share of the newest decisions held back to judge the candidate.",
)
@click.option(
    "--min-holdout",
    type=click.IntRange(min=2),
    default=10,
    show_default=True,
    help="Hold back at least this many decisions, and refuse with fewer than twice as many.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=0.005,
    show_default=True,
    help="How much ROC-AUC the candidate may lose on a head and still be recommended.",
)
@click.option("--promote", is_flag=True, help="Promote the candidate if it is recommended.")
@click.option(
    "--baseline/--no-baseline",
    default=False,
    help="Also validate the TF-IDF anchor (slower) [default: no, unlike train].",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_file,
    help="Write the evaluation on the held-back decisions as JSON.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the bootstrap resamples behind the intervals of the evaluation on the "
    "held-back decisions; the candidate itself is the same for every seed.",
)
@actor_option
def retrain_command(
    data_dir: Path | None,
    decision_weight: float,
    site: str | None,
    holdout: float,
    min_holdout: int,
    tolerance: float,
    promote: bool,
    baseline: bool,
    report_path: Path | None,
    seed: int,
    actor: str,
) -> None:
    """Train a candidate on the corpora plus moderators' decisions, judge it against the active
    model on the newest decisions it did not see, and recommend (or --promote) it.

    \b
    Exit status:
      0  the candidate was promoted, or --promote was not given (whatever the verdict)
      3  --promote was given; the candidate was not recommended, so not promoted
      1  an error: nothing promoted
      2  a usage error: nothing done
    Once trained, the candidate stays registered whatever the status.
    """
    session = db.session()
    with refused_as_usage_error():
        site_id = get_site(session, site).id if site else None
    settings = RetrainSettings(
        data_dir=data_dir or default_data_dir(),
        decision_weight=decision_weight,
        site_id=site_id,
        holdout_fraction=holdout,
        min_holdout=min_holdout,
        tolerance=tolerance,
        seed=seed,
        baseline=baseline,
    )
    if not settings.data_dir.is_dir():
        raise click.ClickException(f"training data directory {settings.data_dir} does not exist")
    registry = current_app.extensions["model_registry"]
    try:
        result = retrain(
            session, registry, settings, actor=actor, progress=lambda m: click.echo(m, err=True)
        )
        session.commit()  # the candidate stays registered whatever the verdict
    except (RetrainError, RegistryError, classifier.DataError) as error:
        session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(
        f"candidate {result.candidate} (trained with {result.trained_on} decisions) against "
        f"active {result.active} on the newest {result.held_back} decisions:"
    )
    for head, c in result.comparison.items():
        click.echo(
            f"  {head:<9} ROC-AUC candidate {c['candidate']:.3f}  active {c['active']:.3f}  "
            f"({c['difference']:+.3f}; {c['positives']} of {c['n']} positive)"
        )
    for head, why in result.unjudged.items():
        click.echo(f"  {head:<9} not judged: {why}")
    verdict = "recommended" if result.recommend else "not recommended"
    click.echo(f"{verdict}: {result.reason}")
    note_same_model(result.same_model_as)
    if report_path:
        _write_report(report_path, result)
    if promote and result.recommend:
        try:
            event = models.promote(session, registry, result.candidate, actor, "retrain")
            session.commit()
        except RegistryError as error:
            session.rollback()
            raise click.ClickException(str(error)) from error
        click.echo(f"promoted {event.version} (was {event.previous_version})")
        warn_about_calibrations(event.version)
    elif result.recommend:
        click.echo(f"promote it with: flask classifier promote {result.candidate}")
    elif promote:
        click.echo(f"not promoted: {result.active} still decides")
        click.get_current_context().exit(NOT_PROMOTED)
