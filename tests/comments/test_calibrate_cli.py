"""``flask classifier calibrate``: targets in words -> a site's thresholds, with the real model."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

import classifier
from comments.extensions import db
from comments.services import training_data
from comments.services.threads import get_site
from tests.classifier.synthetic import write_corpus
from tests.comments.conftest import ABUSIVE, NICE, PostComment

#: Mildly toxic: the shipped model scores it well below its default hold threshold.
MILD = "I disagree, this argument is silly."
TOXIC = [MILD, ABUSIVE, "what a stupid article", "shut up", "You are wrong and ignorant"]
ORDINARY = [NICE, "Great post, thanks", "I like the second point", "Thanks, very helpful."]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    rows = [{"text": t, "toxic": "1", "spam": ""} for t in TOXIC]
    rows += [{"text": t, "toxic": "0", "spam": ""} for t in ORDINARY]
    return write_csv(tmp_path / "validation.csv", rows)


def site_settings(runner: FlaskCliRunner, name: str = "default") -> dict[str, Any]:
    for line in runner.invoke(args=["sites", "list"]).output.splitlines():
        site = json.loads(line)
        if site["name"] == name:
            return site
    raise AssertionError(f"no site {name}")


def history(runner: FlaskCliRunner) -> list[dict[str, Any]]:
    """`flask sites history default`: the site's recorded setting changes, newest first."""
    result = runner.invoke(args=["sites", "history", "default"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def calibrate(runner: FlaskCliRunner, *args: str) -> Any:
    return runner.invoke(args=["classifier", "calibrate", "--site", "default", *args])


def test_dry_run_prints_targets_thresholds_and_cost_and_changes_nothing(
    runner: FlaskCliRunner, labelled_csv: Path, shipped_model: classifier.Model
) -> None:
    before = site_settings(runner)
    result = calibrate(runner, "--data", str(labelled_csv), "--toxic-published", "at most 0%")
    assert result.exit_code == 0, result.output
    assert (
        "at most 0% of toxic comments published without review: 0% (0 of 5 toxic comments)"
        in result.output
    )
    assert f"model {shipped_model.version}" in result.output
    assert "toxicity_hold" in result.output and "the model's default" in result.output
    assert "at 5% toxic and 5% spam" in result.output
    assert "no spam comments in the data" in result.output
    assert "dry run" in result.output
    assert site_settings(runner) == before
    assert history(runner) == []


def test_apply_stores_thresholds_that_change_the_policy(
    runner: FlaskCliRunner,
    labelled_csv: Path,
    post_comment: PostComment,
    shipped_model: classifier.Model,
) -> None:
    mild = shipped_model.score(MILD).toxicity
    assert mild < shipped_model.card["thresholds"]["toxicity"]["hold"]
    first = post_comment(body=MILD, author_email="ann@example.org")
    assert first.status_code == 201 and first.json["status"] == "published"

    result = calibrate(
        runner, "--data", str(labelled_csv), "--toxic-published", "at most 0%", "--apply"
    )
    assert result.exit_code == 0, result.output
    assert f"calibrated for model {shipped_model.version}" in result.output
    stored = site_settings(runner)
    assert stored["toxicity_hold"] <= mild  # the mildest toxic comment is now held
    assert stored["spam_hold"] is None and stored["spam_file"] is None  # still the model's
    [change] = history(runner)
    assert (change["actor"], change["setting"]) == ("calibrate", "toxicity_hold")
    assert (change["before"], change["after"]) == (None, stored["toxicity_hold"])

    second = post_comment(body=MILD, author_email="bob@example.org")
    assert second.status_code == 201 and second.json["status"] == "pending"


def test_from_decisions_uses_the_sites_moderator_labels(
    app: Flask, runner: FlaskCliRunner, shipped_model: classifier.Model
) -> None:
    examples = [training_data.Example(t, True, None, "import") for t in TOXIC]
    examples += [training_data.Example(t, False, False, "import") for t in ORDINARY]
    with app.app_context():
        training_data.import_examples(db.session(), get_site(db.session(), "default"), examples)
        db.session.commit()
    result = calibrate(runner, "--from-decisions", "--toxic-published", "0%", "--apply")
    assert result.exit_code == 0, result.output
    assert "on 9 moderator decisions" in result.output
    assert "optimistic" in result.output
    assert site_settings(runner)["toxicity_hold"] <= shipped_model.score(MILD).toxicity


def test_from_decisions_warns_when_the_model_learnt_from_those_decisions(
    app: Flask, runner: FlaskCliRunner, base_data: Path, tmp_path: Path
) -> None:
    """After `retrain`, the site's decisions are the candidate's training data: in-sample."""
    examples = [training_data.Example(t, True, None, "import") for t in TOXIC]
    examples += [training_data.Example(t, False, False, "import") for t in ORDINARY]
    with app.app_context():
        site = get_site(db.session(), "default")
        training_data.import_examples(db.session(), site, examples)
        db.session.commit()
        learnt = training_data.as_corpus(training_data.labelled_examples(db.session(), site.id))
    retrained = tmp_path / "retrained"
    classifier.train(base_data, retrained, baseline=False, n_jobs=1, extra=learnt)

    result = calibrate(
        runner, "--from-decisions", "--toxic-published", "10%", "--model", str(retrained)
    )
    assert result.exit_code == 0, result.output
    assert (
        "note: the model was trained on 9 examples from import/default: rates measured "
        "there are optimistic" in result.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--toxic-published", "about 1%"], "not a target"),
        (["--toxic-published", "at least 1%"], "points the wrong way"),
        (["--spam-folder-precision", "at most 99%"], "write 'at least 99%'"),
        ([], "Give at least one target"),
        (
            ["--toxic-published", "1%", "--prevalence-toxic", "0.6", "--prevalence-spam", "0.5"],
            "add up to less than 1",
        ),
    ],
)
def test_bad_targets_are_refused(
    runner: FlaskCliRunner, labelled_csv: Path, args: list[str], message: str
) -> None:
    result = calibrate(runner, "--data", str(labelled_csv), *args, "--apply")
    assert result.exit_code == 2 and message in result.output
    assert site_settings(runner)["toxicity_hold"] is None


def test_prevalence_is_written_like_the_targets(runner: FlaskCliRunner, labelled_csv: Path) -> None:
    """The README gives the default as "5%"; a prevalence in percent must not be refused."""
    args = ["--data", str(labelled_csv), "--toxic-published", "at most 0%"]
    result = calibrate(runner, *args, "--prevalence-toxic", "10%", "--prevalence-spam", "0.02")
    assert result.exit_code == 0, result.output
    assert "at 10% toxic and 2% spam" in result.output
    for bad, message in (("5", "write a percentage (5%)"), ("100%", "below 100%")):
        refused = calibrate(runner, *args, "--prevalence-toxic", bad)
        assert refused.exit_code == 2 and message in refused.output


def test_unknown_site_unlabelled_csv_and_infeasible_targets_change_nothing(
    runner: FlaskCliRunner, labelled_csv: Path, tmp_path: Path
) -> None:
    args = ["classifier", "calibrate", "--site", "nope", "--data", str(labelled_csv)]
    unknown = runner.invoke(args=[*args, "--toxic-published", "1%", "--apply"])
    assert unknown.exit_code != 0 and "Unknown site 'nope'" in unknown.output

    texts = write_csv(tmp_path / "texts.csv", [{"text": t} for t in TOXIC])
    unlabelled = calibrate(runner, "--data", str(texts), "--toxic-published", "1%", "--apply")
    assert unlabelled.exit_code == 1 and "no 'toxic' or 'spam' column" in unlabelled.output

    header_only = tmp_path / "header.csv"
    header_only.write_text("text,toxic,spam\n", encoding="utf-8")
    no_rows = calibrate(runner, "--data", str(header_only), "--toxic-published", "1%")
    assert no_rows.exit_code == 1
    assert no_rows.output == f"Error: {header_only}: no rows (only a header)\n"

    nothing = calibrate(runner, "--toxic-published", "1%")
    assert nothing.exit_code == 2 and "--from-decisions" in nothing.output
    none_decided = calibrate(runner, "--from-decisions", "--toxic-published", "1%")
    assert none_decided.exit_code == 1 and "no labelled moderator decisions" in none_decided.output

    spam = write_csv(
        tmp_path / "spam.csv",
        [{"text": "subscribe to my channel please", "spam": "1"}, {"text": NICE, "spam": "0"}],
    )
    infeasible = calibrate(
        runner, "--data", str(spam), "--spam-folder-precision", "at least 99%", "--apply"
    )
    assert infeasible.exit_code == 1
    assert "only 2 comments are labelled for spam" in infeasible.output
    settings = site_settings(runner)
    assert settings["toxicity_hold"] is settings["spam_hold"] is settings["spam_file"] is None


def test_applied_calibration_is_recorded_and_a_promotion_warns_about_it(
    app: Flask,
    runner: FlaskCliRunner,
    labelled_csv: Path,
    shipped_model: classifier.Model,
    tmp_path: Path,
) -> None:
    applied = calibrate(
        runner,
        "--data",
        str(labelled_csv),
        "--toxic-published",
        "at most 0%",
        "--apply",
        "--actor",
        "olga",
    )
    assert applied.exit_code == 0, applied.output
    with app.app_context():
        record = get_site(db.session(), "default").calibration
    assert record is not None
    assert record["model_version"] == shipped_model.version
    assert record["calibrated_by"] == "olga" and record["data"] == [
        "9 comments from validation.csv"
    ]
    assert record["targets"] == [
        "at most 0% of toxic comments published without review: 0% (0 of 5 toxic comments)"
    ]

    candidate = tmp_path / "candidate"
    classifier.train(write_corpus(tmp_path / "data"), candidate, baseline=False, n_jobs=1)
    version = classifier.read_card(candidate)["version"]
    assert runner.invoke(args=["classifier", "register", str(candidate)]).exit_code == 0
    promoted = runner.invoke(args=["classifier", "promote", version])
    assert promoted.exit_code == 0, promoted.output
    assert (
        f"site 'default' has thresholds calibrated for {shipped_model.version}" in promoted.output
    )
