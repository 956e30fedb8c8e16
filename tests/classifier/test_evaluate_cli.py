"""``flask classifier evaluate`` through a throwaway app."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result
from flask.testing import FlaskCliRunner

import classifier


def _evaluate(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=["classifier", "evaluate", "--bootstrap", "100", *args])


def test_evaluate_writes_a_report(
    runner: FlaskCliRunner, tiny_dir: Path, tiny_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    data = str(tiny_data / "tox.csv")
    result = _evaluate(runner, "--data", data, "--model", str(tiny_dir), "--output-dir", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    sources = report["heads"]["toxicity"]["sources"]
    assert set(sources) == {"forum-a", "forum-b/train", "forum-b/test", "all"}
    assert report["heads"]["spam"]["sources"] == {}
    # The tiny model, the active (here: shipped) model and the off-the-shelf anchor.
    scorers = {s["name"]: s for s in report["scorers"]}
    assert list(scorers) == ["evaluated", "active", "alt-profanity-check"]
    assert scorers["active"]["version"] == classifier.load().version != report["model_version"]
    hold = sources["forum-a"]["scorers"]["active"]["thresholds"]["hold"]
    assert {"precision", "recall", "f1", "confusion"} <= set(hold)
    html = (out / "report.html").read_text()
    assert html.count("<img ") == 2 * len(sources)
    assert "forum-b/test" in result.output and "alt-profanity-check" in result.output
    assert f"{out / 'report.html'}" in result.output


def test_evaluate_defaults_to_the_active_model_and_a_reports_dir(
    runner: FlaskCliRunner, tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _evaluate(runner, "--data", str(tiny_data / "tox.csv"), "--no-anchor")
    assert result.exit_code == 0, result.output
    version = classifier.load().version
    report = json.loads((tmp_path / "reports" / f"{version}-tox" / "report.json").read_text())
    assert report["model_version"] == version
    assert [s["name"] for s in report["scorers"]] == ["evaluated"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("body,toxic\nhello,1\n", "missing column(s) ['text']"),
        (
            "text;toxic;spam\nhello;1;\n",
            "missing column(s) ['text'] (columns: ['text;toxic;spam'])",
        ),
        ("text,toxic,spam,source\nhello,,,x\n", "no row has a toxic or spam label"),
        # Labels under another name: say which columns were looked for and found.
        ("text,label\nhello,1\n", "no 'toxic' or 'spam' column (columns: ['text', 'label'])"),
        ("text,toxic,spam,source\nhello,maybe,,x\n", "label must be 1, 0, true, false or empty"),
        ("text,toxic,spam,source\n", "bad.csv: no rows (only a header)"),
        ("", "bad.csv: no rows (the file is empty)"),
    ],
)
def test_evaluate_rejects_bad_input_cleanly(
    runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = _evaluate(
        runner, "--data", str(path), "--model", str(tiny_dir), "--output-dir", str(out)
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_evaluate_needs_an_existing_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = _evaluate(runner, "--data", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_evaluate_says_what_it_is_doing_at_each_stage_without_a_terminal(
    runner: FlaskCliRunner, tiny_dir: Path, tiny_data: Path, tmp_path: Path
) -> None:
    """Bootstrapping Davidson's 24,783 rows takes seconds, and a bar off a terminal only
    prints its label: a timed line per stage instead, as `train` prints, each before the
    stage's work, none on stdout."""
    out = tmp_path / "out"
    data = str(tiny_data / "tox.csv")
    result = _evaluate(runner, "--data", data, "--model", str(tiny_dir), "--output-dir", str(out))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert all(re.fullmatch(r"\[ *\d+\.\ds\] .+", line) for line in lines), lines
    rows = json.loads((out / "report.json").read_text())["data"]["rows"]
    assert [line.split("] ", 1)[1] for line in lines] == [
        f"scoring {rows} texts with evaluated",
        f"scoring {rows} texts with active",
        f"scoring {rows} texts with alt-profanity-check",
        "toxicity figures: 3 sources + pool, 100 resamples",  # no spam labels: no spam stage
        "writing the report",
    ]
    assert "scoring" not in result.stdout
