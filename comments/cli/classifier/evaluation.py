"""``flask classifier evaluate``: the evaluation report for ML staff (HTML and JSON)."""

from __future__ import annotations

import csv
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

import classifier
from comments.cli.classifier.group import classifier_cli, resolve_model


class _ProgressBars:
    """The library's progress callback as one click progress bar per stage, on a terminal."""

    def __init__(self) -> None:
        self._stage: str | None = None
        self._bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._stage = stage
            # width=0: the bar shrinks to leave room for the stage's label on one line.
            self._bar = click.progressbar(length=total, label=stage, file=sys.stderr, width=0)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


class _TimedLines:
    """Without a terminal a bar prints only its label, so bootstrapping a large file looked
    stalled: one timed line per stage instead, as ``train`` prints them."""

    def __init__(self) -> None:
        self._start = time.perf_counter()
        self._stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self._stage = stage
            self.say(stage)

    def say(self, message: str) -> None:
        click.echo(f"[{time.perf_counter() - self._start:6.1f}s] {message}", err=True)


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """Bars on a terminal, else timed lines ending with one for the report being written."""
    if not sys.stderr.isatty():
        lines = _TimedLines()
        yield lines
        lines.say("writing the report")
        return
    bars = _ProgressBars()
    try:
        yield bars
    finally:
        bars.close()


def _active_comparator(model: classifier.Model) -> list[classifier.Scorer]:
    """The version deciding now, when it is not the one being evaluated; a report is still
    written (saying why) when it cannot be loaded."""
    try:
        active = resolve_model(None)
    except click.ClickException as exc:
        note = f"the active model could not be loaded: {exc.message}"
        return [classifier.Scorer("active", "unavailable", None, {}, note=note)]
    if active.version == model.version:
        return []
    return [classifier.Scorer.from_model(active, "active")]


def _safe(name: str) -> str:
    """A version or file stem as one path component."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "report"


def _interval(figures: dict[str, Any], metric: str) -> str:
    value, ci = figures[metric], figures.get(f"{metric}_ci")
    if value is None:
        return "-"
    return f"{value:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def _print_summary(report: dict[str, Any]) -> None:
    data = report["data"]
    click.echo(f"model {report['model_version']} on {data['file']} ({data['rows']} rows)")
    for head, result in report["heads"].items():
        if not result["sources"]:
            click.echo(f"{head}: no labelled rows")
            continue
        names = [s["name"] for s in report["scorers"] if head in s["heads"]]
        width = max(len(source) for source in result["sources"])
        click.echo(
            f"{head:<{width}} {'n':>7} {'pos':>6}  {'scorer':<20} "
            f"{'ROC-AUC [95% CI]':<22} PR-AUC [95% CI]"
        )
        for source, entry in result["sources"].items():
            first = f"{source:<{width}} {entry['n']:>7} {entry['positives']:>6}"
            for name in names:
                figures = entry["scorers"][name]
                cells = f"{_interval(figures, 'roc_auc'):<22} {_interval(figures, 'pr_auc')}"
                click.echo(f"{first}  {name:<20} {cells}")
                first = " " * len(first)


@classifier_cli.command("evaluate")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled CSV: text, toxic and spam (1, 0, true, false or empty), source.",
)
@click.option(
    "--model",
    "model_spec",
    default=None,
    help="Artifact directory or registered version to evaluate [default: the active model].",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write report.html and report.json [default: reports/<version>-<csv stem>].",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Bootstrap resamples for the 95% intervals (0: no intervals).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the resamples.")
@click.option("--no-anchor", is_flag=True, help="Leave out the alt-profanity-check comparison.")
def evaluate_command(
    data_path: Path,
    model_spec: str | None,
    output_dir: Path | None,
    bootstrap: int,
    seed: int,
    no_anchor: bool,
) -> None:
    """Report per-source ROC-AUC and PR-AUC with 95% intervals, precision/recall/F1 and
    confusion matrices at the operating thresholds, calibration and score histograms, beside
    the active model and alt-profanity-check."""
    model = resolve_model(model_spec)
    compare = [] if model_spec is None else _active_comparator(model)
    try:
        with _progress() as progress:
            report = classifier.evaluate(
                model,
                data_path,
                compare=compare,
                anchor=not no_anchor,
                bootstrap=bootstrap,
                seed=seed,
                progress=progress,
            )
    except (ValueError, csv.Error) as exc:  # unreadable file, bad labels, nothing labelled
        raise click.ClickException(str(exc)) from exc
    output_dir = output_dir or Path("reports") / f"{_safe(model.version)}-{_safe(data_path.stem)}"
    try:
        json_path, html_path = classifier.write_report(report, output_dir)
    except OSError as exc:
        raise click.ClickException(f"cannot write the report: {exc}") from exc
    _print_summary(report)
    for warning in report["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"report written to {html_path} and {json_path}")
