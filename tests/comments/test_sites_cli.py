"""`flask sites ...`: site owners configure origins, thresholds and word lists."""

from __future__ import annotations

import json

from flask.testing import FlaskCliRunner


def test_create_list_and_update(runner: FlaskCliRunner) -> None:
    created = runner.invoke(
        args=["sites", "create", "myblog", "--origin", "https://blog.example/", "--max-links", "1"]
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.output)["allowed_origins"] == ["https://blog.example"]
    updated = runner.invoke(
        args=["sites", "update", "myblog", "--toxicity-hold", "0.4", "--blocked-word", "spamword"]
    )
    assert updated.exit_code == 0, updated.output
    listed = [
        json.loads(line) for line in runner.invoke(args=["sites", "list"]).output.splitlines()
    ]
    assert [site["name"] for site in listed] == ["default", "myblog"]
    myblog = listed[1]
    assert myblog["toxicity_hold"] == 0.4 and myblog["max_links"] == 1
    assert myblog["blocked_words"] == ["spamword"]


def test_bad_settings_are_refused_and_nothing_changes(runner: FlaskCliRunner) -> None:
    duplicate = runner.invoke(args=["sites", "create", "default"])
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output
    bad_origin = runner.invoke(args=["sites", "update", "default", "--origin", "blog.example"])
    assert bad_origin.exit_code != 0 and "origins" in bad_origin.output
    inverted = runner.invoke(
        args=["sites", "update", "default", "--spam-hold", "0.9", "--spam-file", "0.5"]
    )
    assert inverted.exit_code != 0 and "spam_hold" in inverted.output
    out_of_range = runner.invoke(args=["sites", "update", "default", "--toxicity-hold", "1.5"])
    assert out_of_range.exit_code != 0
    runner.invoke(args=["sites", "update", "default", "--toxicity-hold", "0.7"])
    for nan in ("nan", "NaN"):  # would clear the hold on SQLite, hold nothing on PostgreSQL
        refused = runner.invoke(args=["sites", "update", "default", "--toxicity-hold", nan])
        assert refused.exit_code == 2 and "between 0 and 1" in refused.output
    default = json.loads(runner.invoke(args=["sites", "list"]).output.splitlines()[0])
    assert default["allowed_origins"] == [] and default["spam_hold"] is None
    assert default["toxicity_hold"] == 0.7


def test_unknown_site(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["sites", "update", "nope", "--max-links", "2"])
    assert result.exit_code != 0 and "Unknown site" in result.output
