"""`flask sites ...`: site owners configure origins, thresholds and word lists."""

from __future__ import annotations

import json
from typing import Any

from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner

from comments.extensions import db
from comments.services.threads import get_site
from tests.comments.conftest import PostComment


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
    # A regex's $ matches before a final newline too: such a name would break the export's
    # Content-Disposition header, such an origin would never match a browser's.
    newline_name = runner.invoke(args=["sites", "create", "blog\n"])
    assert newline_name.exit_code != 0 and "lower-case letters" in newline_name.output
    newline_origin = runner.invoke(
        args=["sites", "update", "default", "--origin", "https://blog.example\n"]
    )
    assert newline_origin.exit_code != 0 and "origins" in newline_origin.output
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


def test_a_threshold_set_to_default_follows_the_model_again(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """Once set, a threshold could not be unset: the site kept it through every promotion."""
    both = _site(_update(runner, "--toxicity-hold", "0.6", "--spam-hold", "0.8"))
    assert (both["toxicity_hold"], both["spam_hold"]) == (0.6, 0.8)
    record = {"model_version": "v1", "thresholds": {"toxicity_hold": 0.6, "spam_hold": 0.8}}
    with app.app_context():  # as `classifier calibrate --apply` leaves it
        get_site(db.session(), "default").calibration = record
        db.session.commit()
    reset = _site(_update(runner, "--toxicity-hold", "default"))
    assert (reset["toxicity_hold"], reset["spam_hold"]) == (None, 0.8)
    with app.app_context():  # a promotion no longer warns about what is not calibrated
        calibration = get_site(db.session(), "default").calibration
        assert calibration == {**record, "thresholds": {"spam_hold": 0.8}}
    assert _site(_update(runner, "--spam-hold", "default"))["spam_hold"] is None
    with app.app_context():
        assert get_site(db.session(), "default").calibration is None
    typo = _update(runner, "--spam-file", "defualt")
    assert typo.exit_code == 2 and "'defualt' is not a valid float range" in typo.output


def test_unknown_site(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["sites", "update", "nope", "--max-links", "2"])
    assert result.exit_code != 0 and "Unknown site" in result.output


# --- list settings: add, remove, clear ------------------------------------------------------


def _update(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=["sites", "update", "default", *args])


def _site(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_adding_a_blocked_word_keeps_the_others(
    runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    assert _site(_update(runner, "--add-blocked-word", "casino"))["blocked_words"] == ["casino"]
    added = _update(runner, "--add-blocked-word", "pills", "--add-blocked-word", "CASINO")
    assert _site(added)["blocked_words"] == ["casino", "pills"]  # no second "casino"
    assert "blocked_words: casino, pills" in added.stderr
    # The word added first still holds a comment.
    assert post_comment(body="Visit my casino tonight").get_json()["status"] == "pending"


def test_removing_and_clearing_blocked_words(runner: FlaskCliRunner) -> None:
    _update(runner, "--add-blocked-word", "casino", "--add-blocked-word", "pills")
    removed = _update(runner, "--remove-blocked-word", "Casino")
    assert _site(removed)["blocked_words"] == ["pills"]
    typo = _update(runner, "--remove-blocked-word", "pils", "--add-blocked-word", "loans")
    assert typo.exit_code == 2
    assert "blocked_words" in typo.output and "'pils' is not in the list" in typo.output
    cleared = _update(runner, "--clear-blocked-words")
    assert _site(cleared)["blocked_words"] == []
    assert "blocked_words: (none)" in cleared.stderr
    replaced = _update(runner, "--clear-blocked-words", "--add-blocked-word", "loans")
    assert _site(replaced)["blocked_words"] == ["loans"]


def test_origins_and_domains_are_added_and_removed_the_same_way(runner: FlaskCliRunner) -> None:
    _update(runner, "--add-origin", "https://blog.example/", "--add-blocked-domain", "a.example")
    site = _site(
        _update(
            runner, "--add-origin", "https://www.blog.example", "--add-blocked-domain", "b.test"
        )
    )
    assert site["allowed_origins"] == ["https://blog.example", "https://www.blog.example"]
    assert site["blocked_domains"] == ["a.example", "b.test"]
    site = _site(
        _update(
            runner,
            "--remove-origin",
            "https://BLOG.example/",
            "--remove-blocked-domain",
            "a.example",
        )
    )
    assert site["allowed_origins"] == ["https://www.blog.example"]
    assert site["blocked_domains"] == ["b.test"]
    bad = _update(runner, "--add-origin", "blog.example")
    assert bad.exit_code == 2 and "origins" in bad.output
    site = _site(_update(runner, "--clear-origins", "--clear-blocked-domains"))
    assert site["allowed_origins"] == [] and site["blocked_domains"] == []


def test_the_old_replacing_options_still_replace_and_say_what_was_dropped(
    runner: FlaskCliRunner,
) -> None:
    _update(runner, "--add-blocked-word", "casino", "--add-blocked-word", "pills")
    replaced = _update(runner, "--blocked-word", "loans")
    assert _site(replaced)["blocked_words"] == ["loans"]
    assert "--blocked-word replaced the whole list" in replaced.stderr
    assert "--add-blocked-word" in replaced.stderr
    assert "(dropped: casino, pills)" in replaced.stderr
    mixed = _update(runner, "--blocked-word", "x", "--add-blocked-word", "y")
    assert mixed.exit_code == 2 and "--blocked-word" in mixed.output
    assert _site(_update(runner))["blocked_words"] == ["loans"]
