"""Registering, promoting and rolling back model versions, as ML staff do it."""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import classifier
from comments import create_app
from comments.extensions import db
from comments.models import CommentScore, ModelEvent, ModelVersion
from tests.comments.conftest import NICE, PostComment, StaffToken
from tests.comments.model_versions import flask, register, serving, stored_versions
from tests.comments.test_concurrency import post
from tests.conftest import base_config
from tests.servers import gunicorn


def test_register_promote_rollback_switches_what_scores_new_comments(
    app: Flask, client: FlaskClient, post_comment: PostComment, candidates: list[Path]
) -> None:
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    first, second = (register(app, path) for path in candidates)
    store = Path(app.config["MODEL_STORE"])
    assert (store / first / "SIGNATURE").is_file()

    listing = json.loads(flask(app, "list", "--json").output)
    assert {e["version"]: e["state"] for e in listing} == {
        shipped: "active",
        first: "",
        second: "",
    }

    post_comment(body="before any promotion")
    assert flask(app, "promote", first, "--note", "better on our data").exit_code == 0
    assert serving(client)["version"] == first
    post_comment(body="after the first promotion")
    assert flask(app, "promote", second).exit_code == 0
    post_comment(body="after the second promotion")
    assert flask(app, "rollback").exit_code == 0
    post_comment(body="after one rollback")
    assert flask(app, "rollback").exit_code == 0
    post_comment(body="after two rollbacks")
    assert stored_versions(app) == [shipped, first, second, first, shipped]

    refused = flask(app, "rollback")
    assert refused.exit_code != 0
    assert "no earlier version" in refused.output
    history = flask(app, "history").output.splitlines()
    assert [line.split()[2] for line in history] == [
        "rollback",
        "rollback",
        "promote",
        "promote",
        "register",
        "register",
    ]
    assert "by ml-staff" in history[0]


def test_rollbacks_walk_back_through_promotions_like_a_stack(
    app: Flask, client: FlaskClient, candidates: list[Path]
) -> None:
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    first, second = (register(app, path) for path in candidates)
    same = flask(app, "promote", shipped)  # the built-in model decides already
    assert same.exit_code != 0 and "already active" in same.output
    for version in (first, second, first):
        assert flask(app, "promote", version).exit_code == 0
    walked = []
    for _ in range(3):
        result = flask(app, "rollback")
        assert result.exit_code == 0, result.output
        walked.append(serving(client)["version"])
    assert walked == [second, first, shipped]  # not second, first, second, ...
    refused = flask(app, "rollback")
    assert refused.exit_code != 0 and "no earlier version" in refused.output
    assert serving(client)["version"] == shipped


def test_score_uses_the_promoted_version_or_the_one_named(
    app: Flask, candidates: list[Path], tmp_path: Path
) -> None:
    first, second = (register(app, path) for path in candidates)
    assert flask(app, "promote", first).exit_code == 0
    source = tmp_path / "in.csv"
    source.write_text("text\nthanks for the article\n", encoding="utf-8")
    out = str(tmp_path / "out.csv")
    by_default = flask(app, "score", "--input", str(source), "--output", out)
    assert by_default.exit_code == 0 and f"with model {first}" in by_default.output
    named = flask(app, "score", "--input", str(source), "--output", out, "--model", second)
    assert named.exit_code == 0 and f"with model {second}" in named.output
    unknown = flask(app, "score", "--input", str(source), "--output", out, "--model", "nope")
    assert unknown.exit_code != 0 and "unknown model version" in unknown.output


def test_registering_the_shipped_model_keeps_it_listed_as_active(app: Flask) -> None:
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    flask(app, "list")
    assert register(app, classifier.default_model_path()) == shipped
    again = flask(app, "register", str(classifier.default_model_path()))
    # Not "promote it with ...": promoting the deciding version is refused.
    assert again.exit_code == 0
    assert again.output.strip() == (
        f"already registered {shipped}, the same artifact; it is the version deciding now"
    )
    listing = json.loads(flask(app, "list", "--json").output)
    assert [e["version"] for e in listing if e["state"] == "active"] == [shipped]


def test_registering_a_version_again_says_it_was_registered_already(
    app: Flask, candidates: list[Path]
) -> None:
    version = classifier.read_card(candidates[0])["version"]
    promote = f"promote it with `flask classifier promote {version}`"
    first = flask(app, "register", str(candidates[0]))
    assert first.exit_code == 0 and first.output.strip() == f"registered {version}; {promote}"
    again = flask(app, "register", str(candidates[0]))
    assert again.exit_code == 0
    assert again.output.strip() == f"already registered {version}, the same artifact; {promote}"
    history = flask(app, "history").output.splitlines()
    assert [line.split()[2] for line in history] == ["register"]


def test_the_same_model_trained_on_another_day_is_named_as_such(
    app: Flask, candidates: list[Path], tmp_path: Path
) -> None:
    """Training is deterministic but a version carries its training day: say it is a rebuild."""
    first = register(app, candidates[0])
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(candidates[0], rebuilt)
    card = json.loads((rebuilt / "model-card.json").read_text())
    card["version"] = "2031.01.02-" + card["sha256"][:8]
    (rebuilt / "model-card.json").write_text(json.dumps(card))
    result = flask(app, "register", str(rebuilt))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"registered {card['version']}; " + (
        f"promote it with `flask classifier promote {card['version']}`"
    )
    assert result.output.splitlines()[1] == (
        f"note: the same model as {first} (the same sha256, trained on another day)"
    )


def test_a_model_store_that_cannot_be_written_is_named_in_one_line(
    db_url: str, tmp_path: Path
) -> None:
    """A MODEL_STORE under a path that is a file (or not the service's to write) used to end
    `register` in a traceback from mkdir; nothing is recorded."""
    (tmp_path / "volume").write_text("not a directory")
    store = str(tmp_path / "volume" / "models")
    app = create_app(base_config(db_url, MODEL_STORE=store))
    result = flask(app, "register", str(classifier.default_model_path()))
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: cannot write to the model store {store}: ")
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalars(select(ModelVersion)).all() == []
        db.engine.dispose()


def test_list_json_gives_numbers_and_flags_a_script_can_use(
    app: Flask, candidates: list[Path]
) -> None:
    """ROC-AUCs as numbers (null when a card has none), and which version decides and which
    shadows as booleans, so `jq` and pandas need no string parsing."""
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    candidate = register(app, candidates[0])
    assert flask(app, "shadow", candidate).exit_code == 0
    listing = {e["version"]: e for e in json.loads(flask(app, "list", "--json").output)}
    assert (listing[shipped]["active"], listing[shipped]["shadow"]) == (True, False)
    assert (listing[candidate]["active"], listing[candidate]["shadow"]) == (False, True)
    card = classifier.read_card(classifier.default_model_path())
    ours = card["metrics"]["mean_over_sources"]["toxicity"]["ours"]["roc_auc"]
    assert listing[shipped]["toxicity_roc_auc"] == ours
    assert listing[shipped]["thresholds"] == card["thresholds"]
    (row,) = [line for line in flask(app, "list").output.splitlines() if shipped in line]
    assert row.split()[1] == "active" and f"{ours:.3f}" in row


def test_the_models_api_names_the_version_deciding_before_any_promotion(
    app: Flask, client: FlaskClient, staff_headers: StaffToken, candidates: list[Path]
) -> None:
    """Until a promotion the built-in model decides; the API says so, as `list` does."""
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    candidate = register(app, candidates[0])
    headers = staff_headers("analyst")

    def deciding() -> list[str]:
        response = client.get("/api/v1/classifier/models", headers=headers)
        assert response.status_code == 200
        return [m["version"] for m in response.get_json()["models"] if m["active"]]

    assert deciding() == [shipped]
    assert flask(app, "promote", candidate).exit_code == 0
    assert deciding() == [candidate]


def test_an_empty_history_says_so(app: Flask) -> None:
    result = flask(app, "history")
    assert result.exit_code == 0
    assert result.output == "no model changes yet: the built-in model decides\n"


def test_a_shadow_report_for_an_unknown_version_is_an_error(app: Flask) -> None:
    result = flask(app, "shadow-report", "--version", "does-not-exist")
    assert result.exit_code != 0 and "unknown model version" in result.output


def test_unknown_version_is_refused_and_nothing_changes(app: Flask, client: FlaskClient) -> None:
    before = serving(client)["version"]
    result = flask(app, "promote", "2026.01.01-deadbeef")
    assert result.exit_code != 0 and "unknown model version" in result.output
    assert serving(client)["version"] == before
    with app.app_context():
        assert db.session.scalar(select(ModelEvent)) is None


def test_a_modified_stored_artifact_is_refused_before_loading(
    app: Flask, client: FlaskClient, candidates: list[Path]
) -> None:
    version = register(app, candidates[0])
    stored = Path(app.config["MODEL_STORE"]) / version
    # An attacker with write access to the store rewrites the weights *and* the card's sha256,
    # so only the signature can tell.
    blob = bytearray((stored / "model.npz").read_bytes())
    blob[-40] ^= 0xFF
    (stored / "model.npz").write_bytes(bytes(blob))
    card = json.loads((stored / "model-card.json").read_text())
    card["sha256"] = classifier.artifact.sha256_bytes(bytes(blob))
    (stored / "model-card.json").write_text(json.dumps(card))

    result = flask(app, "promote", version)
    assert result.exit_code != 0
    assert "signature does not match" in result.output
    assert serving(client)["version"] != version


def test_an_artifact_signed_with_another_key_is_refused(
    app: Flask, candidates: list[Path], tmp_path: Path
) -> None:
    version = register(app, candidates[0])
    stored = Path(app.config["MODEL_STORE"]) / version
    classifier.sign(stored, b"someone else's key")
    result = flask(app, "promote", version)
    assert result.exit_code != 0 and "signature does not match" in result.output


def test_registering_again_recovers_a_version_that_no_longer_verifies(
    app: Flask, candidates: list[Path]
) -> None:
    """After a key rotation (or a damaged copy) the verified artifact is signed afresh."""
    version = register(app, candidates[0])
    stored = Path(app.config["MODEL_STORE"]) / version
    classifier.sign(stored, b"the key before the rotation")
    again = flask(app, "register", str(candidates[0]))
    assert again.exit_code == 0 and f"already registered {version}" in again.output
    result = flask(app, "promote", version)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in stored.parent.iterdir()) == [version]  # nothing left aside


def test_other_scikit_learn_is_refused_while_the_current_model_keeps_serving(
    app: Flask, client: FlaskClient, post_comment: PostComment, candidates: list[Path]
) -> None:
    version = register(app, candidates[0])
    stored = Path(app.config["MODEL_STORE"]) / version
    card = json.loads((stored / "model-card.json").read_text())
    card["library_versions"]["scikit-learn"] = "0.24.2"
    (stored / "model-card.json").write_text(json.dumps(card))
    classifier.sign(stored, app.config["MODEL_SIGNING_KEY"].encode())  # genuinely signed

    result = flask(app, "promote", version)
    assert result.exit_code != 0 and "scikit-learn 0.24.2" in result.output

    # Another instance (with that scikit-learn) promoted it: this one keeps its model and says so.
    before = serving(client)["version"]
    with app.app_context():
        db.session.get(ModelVersion, version).active = True
        db.session.commit()
    assert post_comment(body=NICE).status_code == 201
    health = serving(client)
    assert health["version"] == before
    assert "scikit-learn 0.24.2" in health["error"]
    assert stored_versions(app) == [before]


def test_every_instance_follows_a_promotion_within_the_refresh_interval(
    app: Flask, db_url: str, tmp_path: Path, candidates: list[Path], shipped_model: Any
) -> None:
    version = register(app, candidates[0])
    # A second instance: its own process state and store copy, the same database and key.
    other_store = tmp_path / "other-store"
    shutil.copytree(app.config["MODEL_STORE"], other_store)
    other = create_app(base_config(db_url, MODEL_STORE=str(other_store), MODEL_REFRESH_SECONDS=0.2))
    client = other.test_client()
    assert serving(client)["version"] == shipped_model.version

    assert flask(app, "promote", version).exit_code == 0
    time.sleep(0.25)
    assert serving(client)["version"] == version
    with other.app_context():
        db.engine.dispose()


def test_every_gunicorn_worker_follows_a_promotion_without_a_restart(
    app: Flask, db_url: str, tmp_path: Path, candidates: list[Path]
) -> None:
    assert Path(app.config["MODEL_STORE"]) == tmp_path / "models"  # the server's store too
    version = register(app, candidates[0])
    log = tmp_path / "gunicorn.log"
    # Concurrent posts, so both workers take requests.
    with (
        gunicorn(db_url, log, workers=2, MODEL_REFRESH_SECONDS="0.5") as url,
        ThreadPoolExecutor(4) as pool,
    ):
        before = list(pool.map(lambda n: post(url, 0, n), range(8)))
        assert flask(app, "promote", version).exit_code == 0
        time.sleep(1.0)
        after = list(pool.map(lambda n: post(url, 1, n), range(16)))
    assert {status for status, _ in before + after} == {201}
    with app.app_context():
        scored = dict(
            db.session.execute(
                select(CommentScore.comment_id, CommentScore.model_version).where(
                    CommentScore.role == "decision"
                )
            ).all()
        )
    assert {scored[i] for _, i in before} == {
        classifier.read_card(classifier.default_model_path())["version"]
    }
    assert {scored[i] for _, i in after} == {version}
