"""Concurrent writers through gunicorn: no 5xx, and every acknowledged comment is stored."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment
from tests.servers import gunicorn

WRITERS = 8
POSTS_PER_WRITER = 15


def post(url: str, writer: int, n: int) -> tuple[int, int | None]:
    body = json.dumps(
        {
            "thread": f"/concurrent/{n % 3}",
            "author_name": f"Writer {writer}",
            "body": f"Writer {writer} makes remark number {n} about the article.",
        }
    ).encode()
    request = urllib.request.Request(
        f"{url}/api/v1/comments", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())["id"]
    except urllib.error.HTTPError as error:
        return error.code, None


def test_concurrent_posts_through_two_workers(app: Flask, db_url: str, tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    with gunicorn(db_url, log, workers=2, threads=2) as url, ThreadPoolExecutor(WRITERS) as pool:
        futures = [
            pool.submit(post, url, writer, n)
            for writer in range(WRITERS)
            for n in range(POSTS_PER_WRITER)
        ]
        results = [future.result() for future in futures]
    statuses = sorted({status for status, _ in results})
    assert statuses == [201], (statuses, log.read_text())
    acknowledged = {comment_id for _, comment_id in results}
    with app.app_context():
        stored = set(db.session.scalars(select(Comment.id)))
    assert acknowledged == stored
    assert len(stored) == WRITERS * POSTS_PER_WRITER


def test_same_idempotency_key_posted_concurrently_stores_one_comment(
    app: Flask, db_url: str, tmp_path: Path
) -> None:
    body = json.dumps(
        {"thread": "/retry", "body": "Posted once, retried often.", "idempotency_key": "k" * 32}
    ).encode()

    def send(_: int) -> tuple[int, int]:
        request = urllib.request.Request(
            f"{url}/api/v1/comments", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())["id"]

    log = tmp_path / "gunicorn.log"
    with gunicorn(db_url, log, workers=2, threads=4) as url, ThreadPoolExecutor(16) as pool:
        results = list(pool.map(send, range(50)))
    assert sorted(status for status, _ in results).count(201) == 1
    assert {status for status, _ in results} <= {200, 201}
    ids = {comment_id for _, comment_id in results}
    assert len(ids) == 1
    with app.app_context():
        assert list(db.session.scalars(select(Comment.id))) == list(ids)
