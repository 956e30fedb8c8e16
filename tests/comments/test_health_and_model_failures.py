"""Without a usable model the service still takes comments, holds them, and says why.

Every way the model fails: its file missing, corrupted (sha256), a registered version whose
signature does not match, a model that loads but cannot score (NaN), and an exception while
scoring. Comments are then stored as pending and never published unscored, /healthz names the
cause, and scoring resumes once a good model is back (file restored or version promoted):
in-process, then through gunicorn.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import classifier
from comments import create_app
from comments.extensions import db
from comments.models import Comment, CommentScore, CommentSignal
from tests.comments.conftest import NICE
from tests.conftest import base_config
from tests.servers import GunicornServer, fetch, serve

SHIPPED = classifier.read_card(classifier.default_model_path())["version"]
SIGNING_KEY = (
    b"test-signing-key-of-the-test-suite-only"  # what base_config and the gunicorn helper use
)
#: A broken built-in model, and what /healthz and the held comment say about it.
WHY = {
    "missing": "no model card",
    "corrupted": "sha256",
    "unscoring": "cannot score: ValueError: the model gave nan",
}

Arrays = dict[str, npt.NDArray[Any]]


def derive(target: Path, change: Callable[[Arrays], None]) -> str:
    """The shipped artifact with changed arrays, consistent (sha256, version) like a trained one."""
    shutil.copytree(classifier.default_model_path(), target)
    with np.load(target / "model.npz", allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    change(arrays)
    blob = classifier.artifact.encode_npz(arrays)
    (target / "model.npz").write_bytes(blob)
    card = json.loads((target / "model-card.json").read_text())
    digest = classifier.artifact.sha256_bytes(blob)
    card.update(sha256=digest, version=f"{card['version'][:10]}-{digest[:8]}")
    (target / "model-card.json").write_text(json.dumps(card))
    return str(card["version"])


def _nan_intercepts(arrays: Arrays) -> None:
    """Weights gone bad in training: the model loads, and every score is NaN."""
    arrays["intercepts"] = np.full_like(arrays["intercepts"], np.nan)


def _shifted_intercepts(arrays: Arrays) -> None:
    """Another usable model (another version): every score moves a little."""
    arrays["intercepts"] = arrays["intercepts"] - 0.01


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Artifact directories to install as a model: good, broken in each way, and a new version."""
    root = tmp_path_factory.mktemp("artifacts")
    shutil.copytree(classifier.default_model_path(), root / "good")
    shutil.copytree(classifier.default_model_path(), root / "corrupted")
    blob = bytearray((root / "corrupted" / "model.npz").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (root / "corrupted" / "model.npz").write_bytes(bytes(blob))
    derive(root / "unscoring", _nan_intercepts)
    derive(root / "candidate", _shifted_intercepts)
    return {path.name: path for path in root.iterdir()}


def install(target: Path, artifact: Path | None) -> None:
    """Replace the model directory at ``target`` (None: take it away)."""
    shutil.rmtree(target, ignore_errors=True)
    if artifact is not None:
        shutil.copytree(artifact, target)


@pytest.fixture
def instances(db_url: str, tmp_path: Path) -> Iterator[Callable[[], Flask]]:
    """Fresh app instances (each like a new gunicorn worker) whose built-in model lives in
    tmp_path/model; every request looks at the disk and the database again."""
    apps: list[Flask] = []

    def new_instance() -> Flask:
        config = base_config(
            db_url,
            MODEL_PATH=str(tmp_path / "model"),
            MODEL_STORE=str(tmp_path / "models"),
            MODEL_RETRY_SECONDS=0,
            MODEL_REFRESH_SECONDS=0,
        )
        apps.append(create_app(config))
        return apps[-1]

    yield new_instance
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def post(client: FlaskClient, n: int) -> int:
    response = client.post("/api/v1/comments", json={"thread": "/t", "body": f"{NICE} (#{n})"})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def outcome(app: Flask, comment_id: int) -> tuple[str, str | None, str]:
    """(status, version of the deciding score, why the model was unavailable)."""
    with app.app_context():
        status = db.session.get_one(Comment, comment_id).status
        version = db.session.scalar(
            select(CommentScore.model_version).where(
                CommentScore.comment_id == comment_id, CommentScore.role == "decision"
            )
        )
        detail = db.session.scalar(
            select(CommentSignal.detail).where(
                CommentSignal.comment_id == comment_id, CommentSignal.name == "model_unavailable"
            )
        )
    return status, version, (detail or {}).get("error", "")


def published_unscored(app: Flask) -> int:
    with app.app_context():
        scored = select(CommentScore.comment_id).where(CommentScore.role == "decision")
        query = select(func.count()).where(Comment.status == "published", Comment.id.not_in(scored))
        return db.session.scalar(query) or 0


def health(client: FlaskClient) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz")
    return response.status_code, response.get_json()


def cli(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["classifier", *args, "--actor", "ml-staff"])
    assert result.exit_code == 0, result.output
    return result.output


def test_healthz_reports_database_and_model(client: FlaskClient, app: Flask) -> None:
    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["model"]["scoring"] is True and body["model"]["error"] is None
    assert body["model"]["version"] == app.extensions["model_provider"].get().version


def test_healthz_logs_why_the_database_is_unavailable(caplog: pytest.LogCaptureFixture) -> None:
    """The public body names only the error's type; the operator whose load balancer took the
    instance out needs the driver's reason (host, port, refusal) in the log, even when no
    other request came to log it."""
    app = create_app(base_config("postgresql+psycopg://reader:hunter2@127.0.0.1:1/comments"))
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json()["status"] == "unavailable"  # was "degraded", as a 200 with a warning
    assert answer.get_json()["database"]["error"] == "OperationalError"
    logged = [r.getMessage() for r in caplog.records if r.name == app.logger.name]
    assert any(
        line.startswith("database unavailable: connection failed:") and "port 1" in line
        for line in logged
    ), logged
    assert "hunter2" not in caplog.text
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("broken", WHY)
def test_a_broken_model_file_holds_comments_until_the_file_is_restored(
    instances: Callable[[], Flask], artifacts: dict[str, Path], tmp_path: Path, broken: str
) -> None:
    install(tmp_path / "model", artifacts.get(broken))
    app = instances()
    client = app.test_client()
    held = post(client, 1)
    assert outcome(app, held)[:2] == ("pending", None)
    assert WHY[broken] in outcome(app, held)[2]
    status, body = health(client)
    assert status == 503 and body["model"]["scoring"] is False
    assert WHY[broken] in body["model"]["error"]

    install(tmp_path / "model", artifacts["good"])
    status, body = health(client)
    assert (status, body["status"]) == (200, "ok")
    assert outcome(app, post(client, 2))[1:] == (SHIPPED, "")
    assert published_unscored(app) == 0


def test_an_exception_while_scoring_holds_the_comment_until_scoring_works_again(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = app.extensions["model_provider"].get()

    def broken(text: str) -> Any:
        raise RuntimeError("feature extraction failed")

    monkeypatch.setattr(model, "score", broken)
    held = post(client, 1)
    assert outcome(app, held) == ("pending", None, "RuntimeError: feature extraction failed")
    status, body = health(client)
    assert status == 503 and body["model"]["loaded"] is True and body["model"]["scoring"] is False
    assert "cannot score: RuntimeError: feature extraction failed" in body["model"]["error"]

    monkeypatch.undo()
    assert health(client)[0] == 200
    assert outcome(app, post(client, 2))[1] == model.version
    assert published_unscored(app) == 0


def test_promoting_a_good_version_recovers_from_a_broken_builtin_model(
    instances: Callable[[], Flask], artifacts: dict[str, Path], tmp_path: Path
) -> None:
    install(tmp_path / "model", artifacts["corrupted"])
    app = instances()
    client = app.test_client()
    assert outcome(app, post(client, 1))[:2] == ("pending", None)

    candidate = classifier.read_card(artifacts["candidate"])["version"]
    cli(app, "register", str(artifacts["candidate"]))
    promoted = cli(app, "promote", candidate)  # needs no working built-in model to replace
    assert promoted.splitlines()[0] == (
        f"{candidate} is active (nothing decided before: the built-in model could not be loaded)"
    )
    assert health(client)[0] == 200
    assert outcome(app, post(client, 2))[1:] == (candidate, "")
    assert published_unscored(app) == 0
    # The versions can still be listed, with a word about the built-in model.
    listed = app.test_cli_runner().invoke(args=["classifier", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert "the built-in model cannot be loaded" in listed.stderr
    assert [e["version"] for e in json.loads(listed.stdout) if e["active"]] == [candidate]


@pytest.mark.parametrize("builtin", ["good", "missing"])
def test_a_promoted_version_whose_signature_fails_is_refused_by_new_workers(
    instances: Callable[[], Flask], artifacts: dict[str, Path], tmp_path: Path, builtin: str
) -> None:
    install(tmp_path / "model", artifacts.get(builtin))
    admin = instances()
    candidate = classifier.read_card(artifacts["candidate"])["version"]
    cli(admin, "register", str(artifacts["candidate"]))
    cli(admin, "promote", candidate)
    classifier.sign(tmp_path / "models" / candidate, b"someone else's key")

    worker = instances()  # a worker started after the artifact was tampered with
    client = worker.test_client()
    status, body = health(client)
    assert "signature does not match" in body["model"]["error"]
    if builtin == "good":  # the built-in model keeps scoring meanwhile; nothing is unscored
        assert (status, body["status"]) == (200, "degraded")
        assert outcome(worker, post(client, 1))[1] == SHIPPED
    else:
        assert status == 503
        assert outcome(worker, post(client, 1))[:2] == ("pending", None)

    classifier.sign(tmp_path / "models" / candidate, SIGNING_KEY)
    assert health(client)[1]["status"] == "ok"
    assert outcome(worker, post(client, 2))[1:] == (candidate, "")
    assert published_unscored(worker) == 0


# --- through gunicorn ---------------------------------------------------------------------

#: Requests per check: with one gunicorn worker or two, each answers from the disk and the
#: database as they are now (MODEL_RETRY_SECONDS and MODEL_REFRESH_SECONDS are 0).
REQUESTS = 4


def follow_every_change(tmp_path: Path) -> dict[str, str]:
    return {
        "MODEL_PATH": str(tmp_path / "model"),
        "MODEL_RETRY_SECONDS": "0",
        "MODEL_REFRESH_SECONDS": "0",
    }


def post_comments(server: GunicornServer, first: int) -> list[int]:
    ids = []
    for n in range(first, first + REQUESTS):
        reply = fetch(f"{server.url}/api/v1/comments", {"thread": "/t", "body": f"{NICE} (#{n})"})
        assert reply.status == 201, (reply, server.log())
        ids.append(reply.body["id"])
    return ids


def assert_health(server: GunicornServer, status: int, *, error: str = "") -> None:
    for _ in range(REQUESTS):
        reply = fetch(f"{server.url}/healthz")
        assert reply.status == status, (reply, server.log())
        assert error in (reply.body["model"]["error"] or ""), reply


def assert_held(app: Flask, ids: list[int], why: str) -> None:
    for comment_id in ids:
        status, version, reason = outcome(app, comment_id)
        assert (status, version) == ("pending", None) and why in reason


def assert_scored_by(app: Flask, ids: list[int], version: str) -> None:
    assert [outcome(app, comment_id)[1:] for comment_id in ids] == [(version, "")] * len(ids)


@pytest.mark.slow
def test_workers_hold_comments_through_each_broken_model_file_until_it_is_restored(
    instances: Callable[[], Flask], artifacts: dict[str, Path], db_url: str, tmp_path: Path
) -> None:
    app = instances()  # reads the database; the server's workers are the ones under test
    log = tmp_path / "gunicorn.log"
    env = follow_every_change(tmp_path)
    with serve(db_url, log, require_healthy=False, env=env) as server:
        for number, broken in enumerate(WHY):  # missing first: the workers boot without a model
            install(tmp_path / "model", artifacts.get(broken))
            assert_health(server, 503, error=WHY[broken])
            assert_held(app, post_comments(server, REQUESTS * number), WHY[broken])
        install(tmp_path / "model", artifacts["good"])
        assert_health(server, 200)
        assert_scored_by(app, post_comments(server, 100), SHIPPED)
    assert published_unscored(app) == 0


@pytest.mark.slow
def test_workers_recover_by_promotion_and_refuse_the_version_once_tampered_with(
    instances: Callable[[], Flask], artifacts: dict[str, Path], db_url: str, tmp_path: Path
) -> None:
    install(tmp_path / "model", artifacts["corrupted"])
    app = instances()  # ML staff's CLI, configured like the workers
    candidate = classifier.read_card(artifacts["candidate"])["version"]
    cli(app, "register", str(artifacts["candidate"]))
    stored = tmp_path / "models" / candidate  # the server's store: beside its log
    env = follow_every_change(tmp_path)
    with serve(db_url, tmp_path / "gunicorn.log", require_healthy=False, env=env) as server:
        assert_health(server, 503, error=WHY["corrupted"])
        assert_held(app, post_comments(server, 0), WHY["corrupted"])

        cli(app, "promote", candidate)
        assert_health(server, 200)
        assert_scored_by(app, post_comments(server, 10), candidate)

        # Running workers keep the version they loaded; workers started from now on cannot.
        classifier.sign(stored, b"someone else's key")
        server.wait_for_workers(replacing=server.kill_workers())
        assert_health(server, 503, error="signature does not match")
        assert_held(app, post_comments(server, 20), "signature does not match")

        classifier.sign(stored, SIGNING_KEY)
        assert_health(server, 200)
        assert_scored_by(app, post_comments(server, 30), candidate)
    assert published_unscored(app) == 0


@pytest.mark.parametrize("broken", WHY)
def test_a_builtin_version_rolled_back_to_says_why_it_cannot_load(
    instances: Callable[[], Flask], artifacts: dict[str, Path], tmp_path: Path, broken: str
) -> None:
    """Rolled back to, the built-in version is the one the database names as deciding; a
    worker that cannot load its files names the cause, not merely that it is not loaded."""
    install(tmp_path / "model", artifacts["good"])
    admin = instances()
    cli(admin, "register", str(artifacts["candidate"]))
    cli(admin, "promote", classifier.read_card(artifacts["candidate"])["version"])
    cli(admin, "rollback")
    assert outcome(admin, post(admin.test_client(), 1))[1] == SHIPPED

    install(tmp_path / "model", artifacts.get(broken))
    worker = instances()  # a worker started after the files broke
    client = worker.test_client()
    status, body = health(client)
    assert status == 503 and body["model"]["scoring"] is False
    assert SHIPPED in body["model"]["error"] and WHY[broken] in body["model"]["error"]
    held = post(client, 2)
    assert outcome(worker, held)[:2] == ("pending", None)
    assert WHY[broken] in outcome(worker, held)[2]

    install(tmp_path / "model", artifacts["good"])
    assert health(client)[1]["status"] == "ok"
    assert outcome(worker, post(client, 3))[1:] == (SHIPPED, "")
    assert published_unscored(worker) == 0
