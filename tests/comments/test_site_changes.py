"""Who changed which site setting is recorded by every path and read back, newest first."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, func, select

from comments.extensions import db
from comments.models import SiteSettingChange, Staff
from tests.comments.conftest import StaffToken

SITE = "/api/v1/sites/default"
CHANGES = "/api/v1/sites/default/changes"


def history(runner: FlaskCliRunner, *args: str, site: str = "default") -> list[dict[str, Any]]:
    result = runner.invoke(args=["sites", "history", site, *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def what(changes: list[dict[str, Any]]) -> list[tuple[str, str, Any, Any]]:
    return [(c["actor"], c["setting"], c["before"], c["after"]) for c in changes]


def recorded(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SiteSettingChange)) or 0


def test_the_cli_and_the_api_record_each_changed_setting_with_who_changed_it(
    client: FlaskClient, runner: FlaskCliRunner, staff_headers: StaffToken
) -> None:
    cli = ["sites", "update", "default", "--max-links", "1", "--add-blocked-word", "casino"]
    assert runner.invoke(args=cli).exit_code == 0
    admin = staff_headers("admin", "maria")
    body = {"spam_hold": 0.6, "blocked_words": ["casino", "poker"], "title": "Blog"}
    assert client.patch(SITE, json=body, headers=admin).status_code == 200
    changes = history(runner)
    assert what(changes) == [
        ("maria", "blocked_words", ["casino"], ["casino", "poker"]),
        ("maria", "spam_hold", None, 0.6),
        ("maria", "title", "Demo site", "Blog"),
        ("cli", "max_links", 3, 1),
        ("cli", "blocked_words", [], ["casino"]),
    ]
    assert changes[0]["staff_id"] is not None and changes[-1]["staff_id"] is None
    assert what(history(runner, "--limit", "1")) == what(changes[:1])


def test_a_refused_or_empty_change_records_nothing(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, staff_headers: StaffToken
) -> None:
    admin = staff_headers("admin")
    refused = client.patch(
        SITE, json={"max_links": 1, "spam_hold": 0.9, "spam_file": 0.5}, headers=admin
    )
    assert refused.status_code == 422
    missing = runner.invoke(args=["sites", "update", "default", "--remove-blocked-word", "nope"])
    assert missing.exit_code != 0
    assert client.patch(SITE, json={"max_links": 3}, headers=admin).get_json()["changed"] == []
    assert runner.invoke(args=["sites", "update", "default", "--max-links", "3"]).exit_code == 0
    assert recorded(app) == 0
    assert history(runner) == []


def test_a_deleted_accounts_changes_still_name_it(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, staff_headers: StaffToken
) -> None:
    gone = staff_headers("admin", "gone")
    assert client.patch(SITE, json={"max_links": 5}, headers=gone).status_code == 200
    with app.app_context():
        db.session.execute(delete(Staff).where(Staff.name == "gone"))
        db.session.commit()
    [change] = history(runner)
    assert (change["actor"], change["staff_id"], change["after"]) == ("gone", None, 5)


def test_the_api_pages_through_the_changes_newest_first_for_every_role(
    client: FlaskClient, runner: FlaskCliRunner, staff_headers: StaffToken
) -> None:
    for links in range(4, 9):
        assert runner.invoke(args=["sites", "update", "default", "--max-links", str(links)])
    for role in ("admin", "moderator", "analyst"):
        headers = staff_headers(role, role)
        seen: list[int] = []
        cursor: str | None = None
        while True:
            query: dict[str, Any] = {"per_page": 2} | ({"cursor": cursor} if cursor else {})
            page = client.get(CHANGES, query_string=query, headers=headers)
            assert page.status_code == 200, page.get_json()
            seen += [item["after"] for item in page.get_json()["items"]]
            cursor = page.get_json()["next"]
            if cursor is None:
                break
        assert seen == [8, 7, 6, 5, 4], role
    reader = staff_headers("analyst")
    for query in ({"per_page": 0}, {"per_page": 201}, {"cursor": "forged"}, {"sort": "id"}):
        refused = client.get(CHANGES, query_string=query, headers=reader)
        assert refused.status_code == 422, query
    assert runner.invoke(args=["sites", "create", "other"]).exit_code == 0
    local = staff_headers("moderator", "local", sites=("other",))
    assert client.get(CHANGES, headers=local).status_code == 404
    [created] = client.get("/api/v1/sites/other/changes", headers=local).get_json()["items"]
    assert created["setting"] == "created"
    assert client.get(CHANGES).status_code == 401


def test_a_created_site_starts_its_history_with_every_setting_it_was_given_or_defaulted(
    runner: FlaskCliRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="comments.services.sites")
    create = ["sites", "create", "other", "--max-links", "2", "--origin", "https://a.example"]
    created = runner.invoke(args=create)
    assert created.exit_code == 0, created.output
    settings = json.loads(created.output)
    del settings["name"]
    assert runner.invoke(args=["sites", "update", "other", "--max-links", "5"]).exit_code == 0

    changes = history(runner, site="other")
    assert what(changes) == [("cli", "max_links", 2, 5), ("cli", "created", None, settings)]
    assert settings["allowed_origins"] == ["https://a.example"] and settings["moderation"] == "auto"
    assert changes[1]["staff_id"] is None
    assert caplog.messages[0].startswith("site other: cli created it with title '', ")
    assert caplog.messages[1] == "site other: cli changed max_links from 2 to 5"


def test_a_refused_creation_records_nothing(app: Flask, runner: FlaskCliRunner) -> None:
    refused = runner.invoke(
        args=["sites", "create", "other", "--spam-hold", "0.9", "--spam-file", "0.5"]
    )
    assert refused.exit_code == 2
    assert runner.invoke(args=["sites", "create", "default"]).exit_code == 2
    assert recorded(app) == 0
