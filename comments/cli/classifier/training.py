"""``flask classifier train``."""

from __future__ import annotations

import json
import math
import shlex
from pathlib import Path

import click

import classifier
from comments.cli.classifier.group import classifier_cli, default_data_dir
from comments.cli.errors import refused_as_usage_error
from comments.extensions import db
from comments.services import training_data
from comments.services.threads import get_site

DEFAULT_DECISION_WEIGHT = 1.0


def _positive(_ctx: click.Context, _param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter("must be a number greater than 0")
    return value


def _decisions(site: str | None) -> classifier.Corpus:
    """The moderators' effective labels (all sites, or one) as extra training data."""
    session = db.session()
    with refused_as_usage_error():
        site_id = get_site(session, site).id if site else None
    examples = training_data.labelled_examples(session, site_id)
    # Outside a request SQLite transactions hold the write lock: release it before training.
    session.commit()
    if not examples:
        raise click.ClickException("no labelled examples to train with (no moderator decisions)")
    return training_data.as_corpus(examples)


@classifier_cli.command("train")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Directory of labelled *.csv files [default: $TRAINING_DATA_DIR or ../shared/data].",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Artifact directory to write [default: the shipped classifier/artifacts/default].",
)
@click.option(
    "--seed",
    type=int,
    help="Changes nothing, kept for existing scripts: training draws no random numbers "
    "(leave-one-source-out folds, a deterministic solver), so every seed gives the same model.",
)
@click.option(
    "--no-baseline",
    is_flag=True,
    help="Skip validating the plain TF-IDF anchor (faster; the card then lacks the comparison).",
)
@click.option(
    "--with-decisions/--without-decisions",
    default=False,
    help="Also learn from moderators' decisions in the database [default: without, so the "
    "shipped model can be rebuilt from the public corpora alone].",
)
@click.option(
    "--decision-weight",
    type=float,
    callback=_positive,
    help=f"Weight of a decision relative to a corpus row [default: {DEFAULT_DECISION_WEIGHT}].",
)
@click.option("--site", help="Only this site's decisions [default: every site].")
@click.option("--trained-by", help="Who trains, for the model card [default: the login name].")
def train_command(
    data_dir: Path | None,
    output: Path | None,
    seed: int | None,
    no_baseline: bool,
    with_decisions: bool,
    decision_weight: float | None,
    site: str | None,
    trained_by: str | None,
) -> None:
    """Validate, train and write the model artifact and model card."""
    if not with_decisions and (decision_weight is not None or site):
        raise click.UsageError("--decision-weight and --site need --with-decisions")
    if with_decisions and output is None:
        # Readers' words would land in the repository's artifact, which serves until a promotion.
        raise click.UsageError(
            "--with-decisions needs --output: the default, the shipped artifact, is trained on "
            "the public corpora alone"
        )
    command = ["flask", "classifier", "train"]  # as given, so the card shows how to reproduce
    command += ["--data-dir", str(data_dir)] if data_dir else []
    command += ["--output", str(output)] if output else []
    command += ["--no-baseline"] if no_baseline else []  # not --seed: it changes nothing
    command += ["--with-decisions"] if with_decisions else []
    command += ["--decision-weight", str(decision_weight)] if decision_weight else []
    command += ["--site", site] if site else []
    command += ["--trained-by", trained_by] if trained_by else []
    data_dir = data_dir or default_data_dir()
    if not data_dir.is_dir():
        raise click.ClickException(f"training data directory {data_dir} does not exist")
    output = output or classifier.default_model_path()
    if seed is not None:
        click.echo(
            "note: --seed changes nothing; training draws no random numbers, so every seed "
            "gives the same model (the same sha256)",
            err=True,
        )
    try:
        card = classifier.train(
            data_dir,
            output,
            progress=lambda line: click.echo(line, err=True),
            baseline=not no_baseline,
            command=shlex.join(command),
            extra=_decisions(site) if with_decisions else None,
            extra_weight=decision_weight or DEFAULT_DECISION_WEIGHT,
            trained_by=trained_by,
        )
    except classifier.DataError as error:  # raised while reading, before anything is written
        raise click.ClickException(str(error)) from error
    click.echo(f"model {card['version']} written to {output}")
    click.echo(f"thresholds: {json.dumps(card['thresholds'])}")
    for head, means in card["metrics"]["mean_over_sources"].items():
        for name, values in means.items():
            click.echo(
                f"{head:>9} {name:<13} held-out mean ROC-AUC {values.get('roc_auc')}"
                f" PR-AUC {values.get('pr_auc')}"
            )
