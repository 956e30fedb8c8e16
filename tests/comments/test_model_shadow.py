"""Shadowing a model version: it scores live traffic without deciding, then reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import classifier
from comments.extensions import db
from comments.models import CommentScore, ModelVersion
from tests.comments.conftest import ABUSIVE, NICE, PostComment
from tests.comments.model_versions import flask, register, serving


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
    assert result.exit_code != 0 and "deciding now" in result.output


def test_the_built_in_model_deciding_cannot_be_its_own_shadow(app: Flask) -> None:
    """Before any promotion the built-in model decides: shadowing it would compare it with
    itself, and `list` would hide that it shadows."""
    shipped = classifier.read_card(classifier.default_model_path())["version"]
    for _ in range(2):  # before and after `list` has shown it
        result = flask(app, "shadow", shipped)
        assert result.exit_code != 0 and "deciding now" in result.output
        flask(app, "list")
    with app.app_context():
        assert db.session.scalars(select(ModelVersion).where(ModelVersion.shadow)).all() == []


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
