"""``flask classifier score|evaluate|train`` through a throwaway app."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from comments.cli.classifier import classifier_cli


@pytest.fixture
def runner() -> FlaskCliRunner:
    app = Flask(__name__)
    app.cli.add_command(classifier_cli)
    return app.test_cli_runner()


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_score_round_trip(runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path) -> None:
    rows = [
        {"id": "1", "text": "you are a complete idiot, shut up"},
        {"id": "2", "text": "thanks for the thoughtful article,\nreally"},
        {"id": "3", "text": "check out my channel http://winbig.com and subscribe!!!"},
        {"id": "4", "text": ""},
    ]
    source = _write(tmp_path / "in.csv", rows)
    target = tmp_path / "out.csv"
    result = runner.invoke(
        args=[
            "classifier",
            "score",
            "--input",
            str(source),
            "--output",
            str(target),
            "--model",
            str(tiny_dir),
        ]
    )
    assert result.exit_code == 0, result.output
    with target.open(newline="", encoding="utf-8") as handle:
        scored = list(csv.DictReader(handle))
    assert [r["id"] for r in scored] == ["1", "2", "3", "4"]
    assert [r["text"] for r in scored] == [r["text"] for r in rows]
    assert all(0.0 <= float(r[c]) <= 1.0 for r in scored for c in ("toxicity", "spam"))
    assert float(scored[0]["toxicity"]) > float(scored[1]["toxicity"])
    assert float(scored[2]["spam"]) > float(scored[1]["spam"])


def test_score_needs_a_text_column(runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", [{"body": "hello"}])
    result = runner.invoke(
        args=[
            "classifier",
            "score",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o.csv"),
            "--model",
            str(tiny_dir),
        ]
    )
    assert result.exit_code != 0
    assert "no 'text' column" in result.output


def test_bad_model_is_a_clean_error(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", [{"text": "hello"}])
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        args=[
            "classifier",
            "score",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o.csv"),
            "--model",
            str(tmp_path / "empty"),
        ]
    )
    assert result.exit_code != 0 and "model card" in result.output


def test_evaluate_writes_a_report(
    runner: FlaskCliRunner, tiny_dir: Path, tiny_data: Path, tmp_path: Path
) -> None:
    report_path = tmp_path / "report.json"
    result = runner.invoke(
        args=[
            "classifier",
            "evaluate",
            "--data",
            str(tiny_data / "tox.csv"),
            "--model",
            str(tiny_dir),
            "--output",
            str(report_path),
        ]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    assert set(report["toxicity"]) == {"forum-a", "forum-b/train", "forum-b/test"}
    assert report["spam"] == {}
    entry = report["toxicity"]["forum-a"]
    assert {"roc_auc", "pr_auc", "at_hold"} <= set(entry)
    assert {"precision", "recall", "f1"} <= set(entry["at_hold"])
    assert "forum-a" in result.output


def test_train(runner: FlaskCliRunner, tiny_data: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        args=[
            "classifier",
            "train",
            "--data-dir",
            str(tiny_data),
            "--output",
            str(tmp_path / "m"),
            "--seed",
            "1",
            "--no-baseline",
        ]
    )
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "m" / "model-card.json").read_text())
    assert card["seed"] == 1 and "--seed 1" in card["training_command"]
    assert "written to" in result.output
