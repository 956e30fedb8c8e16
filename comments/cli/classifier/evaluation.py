"""``flask classifier evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

import classifier
from comments.cli.classifier.group import classifier_cli, load_model


def _print_report(report: dict[str, Any]) -> None:
    data = report["data"]
    click.echo(f"model {report['model_version']} on {data['file']} ({data['rows']} rows)")
    for head in ("toxicity", "spam"):
        for source, m in report.get(head, {}).items():
            line = (
                f"{head:>9} {source:<45} n={m['n']:<6} ROC-AUC {m['roc_auc']} PR-AUC {m['pr_auc']}"
            )
            for key, value in m.items():
                if key.startswith("at_"):
                    line += (
                        f" | {key[3:]}: P {value['precision']} R {value['recall']} F1 {value['f1']}"
                    )
            click.echo(line)


@classifier_cli.command("evaluate")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path))
def evaluate_command(data_path: Path, model_dir: Path | None, output_path: Path | None) -> None:
    """Per-source ROC-AUC, PR-AUC and precision/recall/F1 at the model card's thresholds."""
    model = load_model(model_dir)
    try:
        report = classifier.evaluate(model, data_path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_report(report)
    if output_path:
        output_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        click.echo(f"report written to {output_path}", err=True)
