"""Idempotency keys: however often, and however concurrently, a comment is sent, it is stored once.

The widget sends a fresh key with each new comment and the same key when it retries one (see
``idempotencyKey`` in widget/submit.js); other clients may send it in an ``Idempotency-Key``
header instead. The answer to a retry is the comment stored the first time.
Sustained load and crashes are in test_reliability_load.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment
from tests.comments.conftest import NICE
from tests.servers import fetch, gunicorn

RETRIES = 50
KEY = "0b5d3e0c-6a0e-4c1e-9d52-2a4f2f7c9e11"  # what crypto.randomUUID() gives the widget


def post(url: str, writer: int, n: int) -> tuple[int, int | None]:
    """One comment by ``writer`` through the real stack: (status, id)."""
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


def stored(app: Flask) -> list[tuple[int, str, str | None]]:
    with app.app_context():
        rows = db.session.execute(select(Comment.id, Comment.body_raw, Comment.idempotency_key))
        return [tuple(row) for row in rows]


def test_the_same_key_posted_again_answers_with_the_first_comment(
    app: Flask, client: FlaskClient
) -> None:
    first = {"thread": "/retry", "author_name": "Ann", "body": NICE, "idempotency_key": KEY}
    created = client.post("/api/v1/comments", json=first)
    again = client.post("/api/v1/comments", json=first)
    # A key names one comment: a changed body under it is refused, and nothing changes.
    changed = client.post("/api/v1/comments", json={**first, "body": "Edited before retrying."})
    assert [created.status_code, again.status_code, changed.status_code] == [201, 200, 422]
    assert again.get_json() == created.get_json()
    assert stored(app) == [(created.get_json()["id"], NICE, KEY)]


def test_the_idempotency_key_header_works_like_the_field(app: Flask, client: FlaskClient) -> None:
    """The convention of the IETF draft "The Idempotency-Key HTTP Header Field"; its quoted
    (structured-field string) form is the same key."""
    payload = {"thread": "/retry", "body": NICE}
    created = client.post("/api/v1/comments", json=payload, headers={"Idempotency-Key": KEY})
    again = client.post("/api/v1/comments", json=payload, headers={"Idempotency-Key": f'"{KEY}"'})
    in_both = client.post(
        "/api/v1/comments",
        json={**payload, "idempotency_key": KEY},
        headers={"Idempotency-Key": KEY},
    )
    in_field = client.post("/api/v1/comments", json={**payload, "idempotency_key": KEY})
    statuses = [r.status_code for r in (created, again, in_both, in_field)]
    assert statuses == [201, 200, 200, 200]
    assert again.get_json() == in_both.get_json() == in_field.get_json() == created.get_json()
    assert stored(app) == [(created.get_json()["id"], NICE, KEY)]


def test_a_bad_or_contradicting_idempotency_key_header_stores_nothing(
    app: Flask, client: FlaskClient
) -> None:
    payload = {"thread": "/retry", "body": NICE}
    differing = client.post(
        "/api/v1/comments",
        json={**payload, "idempotency_key": KEY},
        headers={"Idempotency-Key": KEY.replace("0", "1")},
    )
    assert differing.status_code == 400
    assert list(differing.get_json()["errors"]) == ["idempotency_key"]
    assert "Idempotency-Key" in differing.get_json()["errors"]["idempotency_key"][0]
    for bad in ("short", "../../etc/passwd", "x" * 65, f"{KEY}, {KEY}"):
        refused = client.post("/api/v1/comments", json=payload, headers={"Idempotency-Key": bad})
        assert refused.status_code == 422, bad
        assert list(refused.get_json()["errors"]) == ["Idempotency-Key"], bad
    assert stored(app) == []


def test_the_same_key_posted_fifty_times_concurrently_stores_one_comment(
    app: Flask, db_url: str, tmp_path: Path
) -> None:
    payload = {"thread": "/retry", "body": "Posted once, retried often.", "idempotency_key": KEY}
    log = tmp_path / "gunicorn.log"
    with gunicorn(db_url, log, workers=2, threads=4) as url, ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(lambda _: fetch(f"{url}/api/v1/comments", payload), range(RETRIES)))
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200] * (RETRIES - 1) + [201], log.read_text()
    # Every answer is the same comment: same id, same rendered body, same everything.
    assert [reply.body for reply in replies] == [replies[0].body] * RETRIES
    assert stored(app) == [(replies[0].body["id"], payload["body"], KEY)]
