"""Registering, promoting, rolling back and shadowing model versions, as ML staff do it."""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import classifier
from comments import create_app
from comments.extensions import db
from comments.models import CommentScore, ModelEvent, ModelVersion
from tests.classifier.synthetic import write_corpus
from tests.comments.conftest import ABUSIVE, NICE, PostComment
from tests.comments.test_concurrency import post
from tests.conftest import base_config
from tests.servers import gunicorn


@pytest.fixture(scope="module")
def candidates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two small real models, trained on different synthetic corpora (so different versions)."""
    out = []
    for seed in (1, 2):
        data = write_corpus(tmp_path_factory.mktemp(f"data{seed}"), seed=seed, per_source=40)
        output = tmp_path_factory.mktemp(f"candidate{seed}")
        classifier.train(data, output, seed=0, baseline=False, n_jobs=1)
        out.append(output)
    return out


_CHANGES = {"register", "promote", "rollback", "shadow"}


def flask(app: Flask, *args: str) -> Any:
    """Run ``flask classifier ...``; changes are made as "ml-staff"."""
    actor = ["--actor", "ml-staff"] if args[0] in _CHANGES else []
    return app.test_cli_runner().invoke(args=["classifier", *args, *actor])


def register(app: Flask, artifact: Path) -> str:
    result = flask(app, "register", str(artifact))
    assert result.exit_code == 0, result.output
    return classifier.read_card(artifact)["version"]


def stored_versions(app: Flask) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(select(CommentScore).order_by(CommentScore.id)).all()
        return [row.model_version for row in rows if row.role == "decision"]


def serving(client: FlaskClient) -> dict[str, Any]:
    model: dict[str, Any] = client.get("/healthz").get_json()["model"]
    return model


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
    assert again.output.strip() == f"registered {shipped}; it is the version deciding now"
    listing = json.loads(flask(app, "list", "--json").output)
    assert [e["version"] for e in listing if e["state"] == "active"] == [shipped]


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
    assert register(app, candidates[0]) == version
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


def test_shadow_scores_every_comment_without_deciding(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    candidates: list[Path],
    staff_headers: Any,
) -> None:
    active = serving(client)["version"]
    candidate = register(app, candidates[0])
    assert flask(app, "shadow", candidate).exit_code == 0
    assert serving(client)["shadow"] == candidate

    ids = [post_comment(body=text).get_json()["id"] for text in (NICE, ABUSIVE, "Nice photo!")]
    with app.app_context():
        scores = db.session.scalars(select(CommentScore).order_by(CommentScore.id)).all()
        by_role = {(s.comment_id, s.role): s for s in scores}
    for comment_id in ids:
        decided, shadowed = by_role[(comment_id, "decision")], by_role[(comment_id, "shadow")]
        assert (decided.model_version, shadowed.model_version) == (active, candidate)
        assert shadowed.status in {"published", "pending", "spam"}
    assert by_role[(ids[1], "decision")].status == "pending"  # the active model decided

    moderator = staff_headers("moderator", name="maria")
    client.post(
        f"/api/v1/moderation/comments/{ids[1]}/decision",
        json={"action": "reject", "reason": "abusive"},
        headers=moderator,
    )
    report = json.loads(flask(app, "shadow-report", "--json").output)
    assert report["candidate"] == candidate and report["comments"] == 3
    statuses = [(by_role[(i, "decision")].status, by_role[(i, "shadow")].status) for i in ids]
    assert report["agreement"] == pytest.approx(sum(a == b for a, b in statuses) / 3)
    assert report["moderated"] == 1
    assert report["active_matches_moderators"] == 1  # it held the comment the moderator rejected
    text = flask(app, "shadow-report").output
    assert f"{candidate} scored 3 comments in shadow" in text

    assert flask(app, "shadow", "--stop").exit_code == 0
    post_comment(body="after shadowing stopped")
    with app.app_context():
        assert db.session.query(CommentScore).filter_by(role="shadow").count() == 3


def test_the_active_version_cannot_be_its_own_shadow(app: Flask, candidates: list[Path]) -> None:
    version = register(app, candidates[0])
    assert flask(app, "promote", version).exit_code == 0
    result = flask(app, "shadow", version)
    assert result.exit_code != 0 and "active version" in result.output


def test_promoting_the_shadowed_version_records_the_end_of_its_shadow(
    app: Flask, candidates: list[Path]
) -> None:
    version = register(app, candidates[0])
    assert flask(app, "shadow", version).exit_code == 0
    assert flask(app, "promote", version).exit_code == 0
    lines = flask(app, "history").output.splitlines()
    assert [line.split()[2:4] for line in lines[:3]] == [
        ["promote", version],
        ["unshadow", version],
        ["shadow", version],
    ]
    assert lines[1].endswith("by ml-staff  now active")


def test_shadow_report_covers_the_current_period_against_the_version_deciding_in_it(
    app: Flask, post_comment: PostComment, candidates: list[Path]
) -> None:
    """One shadow period, one deciding version: comments decided by an earlier active version
    or scored in an earlier period are left out (and counted) unless --all-periods pools them."""
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    first, second = (register(app, path) for path in candidates)

    assert flask(app, "shadow", second).exit_code == 0
    for n in range(2):
        post_comment(body=f"Decided by the shipped model, number {n}.")
    assert flask(app, "promote", first).exit_code == 0  # second stays in shadow
    for n in range(3):
        post_comment(body=f"Decided by the first candidate, number {n}.")

    report = json.loads(flask(app, "shadow-report", "--json").output)
    assert report["comments"] == 3 and report["active_versions"] == {first: 3}
    assert (report["candidate"], report["against"]) == (second, first)
    assert report["left_out"] == {shipped: 2}
    assert report["in_shadow_now"] and report["period"]["end"] is None
    text = flask(app, "shadow-report").output
    assert f"against {first}, the version that decided then" in text
    assert f"{second} scored 3 comments in shadow; same outcome as {first} for" in text
    assert f"left out, decided by another version: {shipped} (2)" in text

    pooled = json.loads(flask(app, "shadow-report", "--json", "--all-periods").output)
    assert pooled["comments"] == 5 and pooled["active_versions"] == {shipped: 2, first: 3}
    assert pooled["period"] is None and pooled["left_out"] == {}

    # A second period of the same version starts from nothing.
    assert flask(app, "shadow", "--stop").exit_code == 0
    assert flask(app, "shadow", second).exit_code == 0
    post_comment(body="The only comment of the second period.")
    again = json.loads(flask(app, "shadow-report", "--json").output)
    assert again["comments"] == 1 and again["periods"] == 2 and again["left_out"] == {}
    assert "1 earlier shadow period(s) left out" in flask(app, "shadow-report").output
    assert (
        json.loads(flask(app, "shadow-report", "--json", "--all-periods").output)["comments"] == 6
    )


def test_shadow_report_says_when_no_version_is_in_shadow_any_more(
    app: Flask, post_comment: PostComment, candidates: list[Path]
) -> None:
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    version = register(app, candidates[0])
    assert flask(app, "shadow", version).exit_code == 0
    post_comment(body="Scored in shadow before the promotion.")
    assert flask(app, "promote", version).exit_code == 0
    post_comment(body="Decided by the promoted version, not in shadow.")

    text = flask(app, "shadow-report").output.splitlines()
    assert text[0] == f"no version is in shadow now; the last one shadowed was {version}"
    assert text[1].startswith(f"{version} in shadow from ")
    assert text[1].endswith(f"(became active), against {shipped}, the version that decided then")
    report = json.loads(flask(app, "shadow-report", "--json").output)
    assert report["comments"] == 1 and report["against"] == shipped
    assert not report["in_shadow_now"] and report["period"]["ended_by"] == "became active"
