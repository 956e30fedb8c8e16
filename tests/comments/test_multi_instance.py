"""Two instances (gunicorn, two workers each) on one database and one Redis act as one service.

The test plays the load balancer: every request reaches an instance from 127.0.0.1, which is
the configured trusted proxy, and names the client in X-Forwarded-For. On SQLite the instances
share one database file (same machine); TEST_DATABASE_URL runs them on one PostgreSQL database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

import classifier
from comments.extensions import db
from comments.models import CommentScore
from tests.classifier.synthetic import write_corpus
from tests.instances import REDIS_URL, Answer, Instance, gunicorn_instance, redis_prefix

LIMIT_PER_IP = 5
LIMIT_PER_EMAIL = 3
REFRESH_SECONDS = 0.5
#: Bounds on waiting, not expectations: the machine is shared and may be slow.
DEADLINE_SECONDS = 60
MAX_ROUNDS = 10
COMMENTS = "/api/v1/comments"


@pytest.fixture
def instance_env(app: Flask) -> Iterator[dict[str, str]]:
    """What every instance of one deployment shares: Redis (with this test's own prefix), the
    proxy list, the limits, and the model store (a shared volume, as in production)."""
    with redis_prefix() as prefix:
        yield {
            "RATELIMIT_ENABLED": "1",
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
            "TRUSTED_PROXIES": "127.0.0.1",
            # Per hour, so the window never closes during the test, however slow the machine.
            "RATELIMIT_COMMENTS_PER_IP": f"{LIMIT_PER_IP} per hour",
            "RATELIMIT_COMMENTS_PER_EMAIL": f"{LIMIT_PER_EMAIL} per hour",
            "MODEL_REFRESH_SECONDS": str(REFRESH_SECONDS),
            "MODEL_STORE": app.config["MODEL_STORE"],
        }


@pytest.fixture
def two_instances(
    db_url: str, tmp_path: Path, instance_env: dict[str, str]
) -> Iterator[tuple[Instance, Instance]]:
    with (
        gunicorn_instance(db_url, tmp_path / "a", instance_env) as first,
        gunicorn_instance(db_url, tmp_path / "b", instance_env) as second,
    ):
        yield first, second


def post(instance: Instance, n: int, client: str, email: str | None = None) -> Answer:
    payload = {"thread": "/multi", "author_name": "Reader", "body": f"Remark {n} on the article."}
    if email:
        payload["author_email"] = email
    return instance.request(COMMENTS, payload, {"X-Forwarded-For": client})


def spread(
    instances: tuple[Instance, ...], count: int, send: Callable[[Instance, int], Answer]
) -> list[Answer]:
    """``count`` requests, four at a time, taking turns over the instances."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda n: send(instances[n % len(instances)], n), range(count)))


def assert_exactly_the_limit(answers: list[Answer], limit: int) -> None:
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [201] * limit + [429] * (len(answers) - limit), statuses
    for refused in (answer for answer in answers if answer.status == 429):
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.body["code"] == 429


def wait_for_every_worker(instance: Instance, workers: int = 2) -> None:
    """Until each worker has answered: a worker still booting would leave the other all posts."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(instance.workers_that_served("GET", "/healthz")) < workers:
        assert time.monotonic() < deadline, f"only one worker of {instance.url} ever answered"
        spread((instance,), 4, lambda target, _n: target.request("/healthz"))


def test_the_posting_limits_count_both_instances_together(
    two_instances: tuple[Instance, Instance],
) -> None:
    first, second = two_instances
    per_ip = spread(two_instances, 4 * LIMIT_PER_IP, lambda at, n: post(at, n, "203.0.113.7"))
    assert_exactly_the_limit(per_ip, LIMIT_PER_IP)
    assert first.workers_that_served("POST", COMMENTS)
    assert second.workers_that_served("POST", COMMENTS)
    # The limit belongs to the client, not to the proxy every request came through.
    assert post(second, 99, "203.0.113.8").status == 201

    per_email = spread(
        two_instances,
        4 * LIMIT_PER_EMAIL,
        # A new address every time, and the address written differently: one author still.
        lambda at, n: post(
            at, 100 + n, f"198.51.100.{n + 1}", ("Ann@Example.org", "ann@example.org")[n % 2]
        ),
    )
    assert_exactly_the_limit(per_email, LIMIT_PER_EMAIL)


def test_the_limit_is_exact_across_the_workers_of_one_instance(
    db_url: str, tmp_path: Path, instance_env: dict[str, str]
) -> None:
    answers: list[Answer] = []
    with gunicorn_instance(db_url, tmp_path / "one", instance_env) as instance:
        wait_for_every_worker(instance)
        # The kernel decides which worker accepts; on a busy machine one may take a whole
        # batch, so keep going (boundedly) until both have answered posts from this client.
        for _round in range(MAX_ROUNDS):
            answers += spread(
                (instance,), 2 * LIMIT_PER_IP, lambda at, n: post(at, n, "203.0.113.9")
            )
            if len(instance.workers_that_served("POST", COMMENTS)) == 2:
                break
        served_by = instance.workers_that_served("POST", COMMENTS)
    assert len(served_by) == 2, "the posts never reached both workers, so this proves nothing"
    assert_exactly_the_limit(answers, LIMIT_PER_IP)


@pytest.fixture(scope="module")
def candidate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real model, so a promotion changes the version that scores."""
    data = write_corpus(tmp_path_factory.mktemp("data"), seed=3, per_source=40)
    output = tmp_path_factory.mktemp("candidate")
    classifier.train(data, output, seed=0, baseline=False, n_jobs=1)
    return output


def flask_classifier(app: Flask, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["classifier", *args, "--actor", "ml-staff"])
    assert result.exit_code == 0, result.output


def serving_version(instance: Instance) -> str:
    version: str = instance.request("/healthz").body["model"]["version"]
    return version


def scored_by(app: Flask, comment_ids: list[int]) -> set[str]:
    with app.app_context():
        return set(
            db.session.scalars(
                select(CommentScore.model_version).where(
                    CommentScore.role == "decision", CommentScore.comment_id.in_(comment_ids)
                )
            )
        )


def test_a_promotion_reaches_both_instances_within_seconds(
    app: Flask, two_instances: tuple[Instance, Instance], candidate: Path
) -> None:
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    version = classifier.read_card(candidate)["version"]

    def comment(at: Instance, n: int) -> Answer:
        return post(at, n, f"192.0.2.{n + 1}")

    before = spread(two_instances, 4, comment)
    flask_classifier(app, "register", str(candidate))
    flask_classifier(app, "promote", version)
    for instance in two_instances:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while serving_version(instance) != version:
            assert time.monotonic() < deadline, f"{instance.url} never followed the promotion"
            time.sleep(0.1)
    # Any worker re-reads the active version on its first request after the refresh interval.
    time.sleep(2 * REFRESH_SECONDS)
    after = spread(two_instances, 8, lambda at, n: comment(at, 100 + n))

    assert {answer.status for answer in before + after} == {201}
    assert scored_by(app, [answer.body["id"] for answer in before]) == {shipped}
    assert scored_by(app, [answer.body["id"] for answer in after]) == {version}
