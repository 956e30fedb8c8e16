from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from werkzeug.test import TestResponse

import classifier
from comments.extensions import db
from comments.models import Comment
from comments.services import accounts, sites
from tests.classifier.synthetic import write_corpus
from tests.comments.smtp_server import SmtpServer
from tests.comments.webhook_receiver import Receiver, receiver

NICE = "Thanks for the clear summary, the point about the alliance's history was new to me."
ABUSIVE = "You are a fucking idiot and a moron, shut up you stupid piece of shit"
#: Readers' privacy links are mailed only under PUBLIC_URL: here the test client's own host.
PUBLIC_LOCALHOST = {"PUBLIC_URL": "http://localhost"}

PostComment = Callable[..., TestResponse]


@pytest.fixture
def post_comment(client: FlaskClient) -> PostComment:
    """POST /api/v1/comments with sensible defaults for every field not given."""

    def post(**fields: Any) -> TestResponse:
        payload: dict[str, Any] = {"thread": "/post/1", "author_name": "Ann", "body": NICE}
        payload.update(fields)
        return client.post("/api/v1/comments", json=payload)

    return post


@pytest.fixture
def count_comments(app: Flask) -> Callable[[], int]:
    def count() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Comment)) or 0

    return count


StaffToken = Callable[..., dict[str, str]]


@pytest.fixture
def staff_headers(app: Flask) -> StaffToken:
    """Create a staff member and return Authorization headers with a fresh API token."""

    def create(
        role: str = "moderator", name: str | None = None, sites: tuple[str, ...] = ()
    ) -> dict[str, str]:
        with app.app_context():
            staff = accounts.create_staff(
                db.session(),
                name or f"{role}-{len(sites)}",
                role,
                "correct horse battery",
                list(sites),
            )
            token = accounts.issue_token(db.session(), staff).token
            db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return create


# --- moderators' decisions as training data -------------------------------------------


@pytest.fixture(scope="session")
def base_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("data"))


# --- model versions ------------------------------------------------------------------


@pytest.fixture(scope="session")
def candidates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two small real models, trained on different synthetic corpora (so different versions)."""
    out = []
    for seed in (1, 2):
        data = write_corpus(tmp_path_factory.mktemp(f"data{seed}"), seed=seed, per_source=40)
        output = tmp_path_factory.mktemp(f"candidate{seed}")
        classifier.train(data, output, seed=0, baseline=False, n_jobs=1)
        out.append(output)
    return out


@pytest.fixture
def held(app: Flask) -> None:
    """Every new comment of the default site waits for a moderator."""
    with app.app_context():
        sites.update_site(db.session(), "default", {"moderation": "all"})
        db.session.commit()


@pytest.fixture
def moderator(app: Flask) -> str:
    with app.app_context():
        accounts.create_staff(db.session(), "maria", "moderator", "correct horse battery", [])
        db.session.commit()
    return "maria"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; read what it received from its inbox."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def new_key(runner: FlaskCliRunner) -> Callable[..., str]:
    """A site API key (Perspective and Akismet clients): ``flask sites key SITE`` prints it
    alone on its last line."""

    def create(site: str = "default") -> str:
        result = runner.invoke(args=["sites", "key", site, "--label", "api client"])
        assert result.exit_code == 0, result.output
        return str(result.output.strip().splitlines()[-1])

    return create


@pytest.fixture
def key(new_key: Callable[..., str]) -> str:
    return new_key()


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    """A webhook receiver on loopback that records every request."""
    with receiver() as running:
        yield running


@pytest.fixture
def admin(staff_headers: StaffToken) -> dict[str, str]:
    """Authorization headers of an admin named ada."""
    return staff_headers("admin", name="ada")
