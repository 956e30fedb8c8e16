"""``flask classifier retrain``: moderators' decisions make the next model better, end to end."""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import CommentScore, ModelEvent, ModelVersion
from comments.services import sites
from comments.services.retraining import RetrainSettings
from comments.services.retraining import retrain as run_retrain
from tests.comments.test_learning_from_moderators import WORD, decide, neutral, post


def retrain(app: Flask, base: Path, *args: str) -> Any:
    return app.test_cli_runner().invoke(
        args=["classifier", "retrain", "--data-dir", str(base), "--actor", "ml-staff", *args]
    )


def test_a_word_moderators_keep_rejecting_becomes_toxic_after_retraining(
    app: Flask, client: FlaskClient, base_data: Path, held: None, moderator: str, tmp_path: Path
) -> None:
    # Interleaved, so the newest decisions (held back for judging) contain both kinds.
    for i in range(30):
        rejected, approved = post(client, neutral(i, WORD), neutral(100 + i))
        decide(app, rejected, "reject", "insult")
        decide(app, approved, "approve")
    with app.app_context():
        sites.update_site(db.session(), "default", {"moderation": "auto"})
        db.session.commit()
    before = client.post("/api/v1/comments", json={"thread": "/t", "body": f"you {WORD}"})
    assert before.get_json()["status"] == "published"  # the shipped model has never seen it

    report = tmp_path / "judged.json"
    result = retrain(
        app,
        base_data,
        "--decision-weight",
        "5",
        "--holdout",
        "0.3",
        "--promote",
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    # Training wrote into a scratch folder that is gone now: the store is where the model is.
    assert re.search(r"registered \S+ in the model store \(the folder above", result.output)
    assert "recommended: the candidate ranks recent decisions better on toxicity" in result.output
    # Approvals say "not spam", rejections nothing about spam: that head cannot be ranked.
    assert "  spam      not judged: 0 of 9 labelled positive, so no ROC-AUC" in result.output
    assert "promoted" in result.output
    judged = json.loads(report.read_text())
    assert judged["data"]["rows"] == 18  # 30% of 60 decisions, the newest

    after = client.post("/api/v1/comments", json={"thread": "/t", "body": f"you {WORD}"})
    assert after.get_json()["status"] == "pending"
    with app.app_context():
        active = db.session.scalar(select(ModelVersion).where(ModelVersion.active))
        assert active is not None and active.card["trained_by"] == "ml-staff"
        assert active.card["data"]["extra"]["rows"] == 42
        score = db.session.scalar(
            select(CommentScore).where(CommentScore.comment_id == after.get_json()["id"])
        )
        assert score is not None and score.model_version == active.version


def test_the_service_can_store_comments_while_a_candidate_trains(
    app: Flask, client: FlaskClient, base_data: Path, held: None, moderator: str
) -> None:
    """Training takes minutes: the decisions are read, then the database is left free."""
    for i in range(20):
        (comment,) = post(client, neutral(i))
        decide(app, comment, "approve" if i % 2 else "reject")
    answers: list[int] = []

    def post_while_training(line: str) -> None:
        if "read " in line and not answers:  # classifier.train has started
            # From another thread, as another worker would: a request in this thread would
            # share the retraining's app context, session and transaction.
            def reader() -> None:
                reply = app.test_client().post(
                    "/api/v1/comments", json={"thread": "/t", "body": "Posted during training."}
                )
                answers.append(reply.status_code)

            worker = threading.Thread(target=reader)
            worker.start()
            worker.join()

    with app.app_context():
        settings = RetrainSettings(data_dir=base_data, min_holdout=4)
        result = run_retrain(
            db.session(),
            app.extensions["model_registry"],
            settings,
            actor="ml-staff",
            progress=post_while_training,
        )
        (event,) = db.session.scalars(select(ModelEvent).where(ModelEvent.action == "register"))
    assert answers == [201]
    assert result.candidate
    # Not the scratch folder the candidate was trained in, which no longer exists.
    assert event.note == "flask classifier retrain, trained with 16 decisions"


def test_too_few_decisions_is_a_clear_error_and_registers_nothing(
    app: Flask, client: FlaskClient, base_data: Path, held: None, moderator: str
) -> None:
    for i in range(5):
        (comment,) = post(client, neutral(i))
        decide(app, comment, "approve")
    result = retrain(app, base_data)
    assert result.exit_code != 0
    assert "too few" in result.output
    with app.app_context():
        assert (
            db.session.scalar(select(ModelVersion).where(ModelVersion.source == "registry")) is None
        )


def test_baseline_takes_the_flags_train_takes(
    app: Flask, client: FlaskClient, base_data: Path
) -> None:
    """`train --no-baseline` is the README's trial recipe: the same words work for `retrain`."""
    for flag in ("--baseline", "--no-baseline"):
        result = retrain(app, base_data, flag)
        assert result.exit_code == 1, result.output
        assert "0 labelled decisions are too few" in result.output


def test_unreadable_training_data_is_a_one_line_error_and_registers_nothing(
    app: Flask, client: FlaskClient, tmp_path: Path, held: None, moderator: str
) -> None:
    for i in range(4):
        (comment,) = post(client, neutral(i))
        decide(app, comment, "approve" if i % 2 else "reject")
    (tmp_path / "corpus.csv").write_text("body,toxic\nhello,1\n", encoding="utf-8")
    result = retrain(app, tmp_path, "--min-holdout", "2")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "corpus.csv: missing column(s)" in result.output and "Traceback" not in result.output
    with app.app_context():
        assert (
            db.session.scalar(select(ModelVersion).where(ModelVersion.source == "registry")) is None
        )


def test_a_report_folder_that_does_not_exist_is_refused_before_training(
    app: Flask, base_data: Path, tmp_path: Path
) -> None:
    result = retrain(app, base_data, "--report", str(tmp_path / "missing" / "report.json"))
    assert result.exit_code == 2, result.output
    assert "--report" in result.output and "missing' does not exist" in result.output
    assert "read " not in result.output  # training never started


def test_held_back_decisions_of_one_class_are_refused_before_training(
    app: Flask, client: FlaskClient, base_data: Path, held: None, moderator: str
) -> None:
    """Only rejections: no head can be ranked, so minutes of training would judge nothing."""
    for i in range(24):
        (comment,) = post(client, neutral(i, WORD))
        decide(app, comment, "reject", "insult")
    result = retrain(app, base_data)
    assert result.exit_code == 1, result.output
    assert "cannot judge a candidate" in result.output
    assert "toxicity 10 of 10 labelled positive; spam 0 of 0" in result.output
    assert "read " not in result.output  # training never started
    with app.app_context():
        assert (
            db.session.scalar(select(ModelVersion).where(ModelVersion.source == "registry")) is None
        )


def test_promote_exits_3_when_the_candidate_is_not_recommended_so_a_script_can_tell(
    app: Flask, client: FlaskClient, base_data: Path, held: None, moderator: str
) -> None:
    """A nightly loop with nothing new since the last promotion: the same decisions train the
    same candidate, no better than itself deciding, so nothing is promoted, and the exit
    status says so (0 would read as promoted)."""
    for i in range(30):
        rejected, approved = post(client, neutral(i, WORD), neutral(100 + i))
        decide(app, rejected, "reject", "insult")
        decide(app, approved, "approve")
    options = ("--decision-weight", "5", "--holdout", "0.3")
    first = retrain(app, base_data, *options, "--promote")
    assert first.exit_code == 0 and "promoted" in first.output, first.output
    with app.app_context():
        promoted = db.session.scalar(select(ModelVersion.version).where(ModelVersion.active))

    judged_only = retrain(app, base_data, *options)
    assert judged_only.exit_code == 0, judged_only.output
    assert "not recommended: the candidate is no better" in judged_only.output
    again = retrain(app, base_data, *options, "--promote")
    assert again.exit_code == 3, again.output
    assert f"not promoted: {promoted} still decides" in again.output
    with app.app_context():
        active = db.session.scalar(select(ModelVersion.version).where(ModelVersion.active))
        promotions = db.session.scalars(
            select(ModelEvent.version).where(ModelEvent.action == "promote")
        )
        assert active == promoted and list(promotions) == [promoted]


def test_the_exit_statuses_are_in_the_help(app: Flask) -> None:
    shown = app.test_cli_runner().invoke(args=["classifier", "retrain", "--help"])
    assert shown.exit_code == 0
    assert (
        "3  --promote was given; the candidate was not recommended, so not promoted" in shown.output
    )


def test_promoting_warns_about_sites_calibrated_for_the_model_it_replaces(
    app: Flask, client: FlaskClient, base_data: Path, held: None, moderator: str, tmp_path: Path
) -> None:
    """As `promote` does: a nightly `retrain --promote` must not leave stale thresholds unsaid."""
    for i in range(12):
        rejected, approved = post(client, neutral(i, WORD), neutral(100 + i))
        decide(app, rejected, "reject", "insult")
        decide(app, approved, "approve")
    validation = tmp_path / "validation.csv"
    validation.write_text("text,toxic\nyou idiot,1\nshut up,1\nthanks,0\nnice post,0\n", "utf-8")
    calibrate = ["classifier", "calibrate", "--site", "default", "--data", str(validation)]
    calibrated = app.test_cli_runner().invoke(
        args=[*calibrate, "--toxic-published", "at most 50%", "--apply"]
    )
    assert calibrated.exit_code == 0, calibrated.output

    result = retrain(app, base_data, "--holdout", "0.5", "--promote")
    assert result.exit_code == 0, result.output
    with app.app_context():
        shipped = db.session.scalar(select(ModelVersion).where(ModelVersion.source == "builtin"))
    assert shipped is not None
    assert f"warning: site 'default' has thresholds calibrated for {shipped.version}" in (
        result.output
    )


def test_a_candidate_with_the_bytes_of_another_version_is_named_as_such(
    app: Flask, client: FlaskClient, base_data: Path, held: None, moderator: str, tmp_path: Path
) -> None:
    """As `register` says: the same decisions retrained on another day give the same model
    under a new version name, and ML staff should not judge it as new."""
    for i in range(12):
        rejected, approved = post(client, neutral(i, WORD), neutral(100 + i))
        decide(app, rejected, "reject", "insult")
        decide(app, approved, "approve")
    first = retrain(app, base_data, "--holdout", "0.5")
    assert first.exit_code == 0, first.output
    assert "note: the same model as" not in first.output
    with app.app_context():
        candidate = db.session.scalar(
            select(ModelVersion.version).where(ModelVersion.source == "registry")
        )
    assert candidate is not None
    # The same artifact as if trained on another day: the bytes, under another day's name.
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(Path(app.config["MODEL_STORE"]) / candidate, rebuilt)
    (rebuilt / "SIGNATURE").unlink()
    card = json.loads((rebuilt / "model-card.json").read_text())
    card["version"] = other = "2031.01.02-" + card["sha256"][:8]
    (rebuilt / "model-card.json").write_text(json.dumps(card))
    registered = app.test_cli_runner().invoke(args=["classifier", "register", str(rebuilt)])
    assert registered.exit_code == 0, registered.output

    again = retrain(app, base_data, "--holdout", "0.5")
    assert again.exit_code == 0, again.output
    (note,) = [line for line in again.output.splitlines() if line.startswith("note: ")]
    twins, why = note.removeprefix("note: the same model as ").split(" (", 1)
    assert other in twins.split(", ") and why == "the same sha256, trained on another day)"
