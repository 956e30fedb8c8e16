"""Staff read sites' settings over the API, admins change them; refusals change nothing."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from tests.comments.conftest import NICE, PostComment, StaffToken
from tests.comments.test_site_changes import history

SITE = "/api/v1/sites/default"
WITH_A_LINK = "A useful follow-up on the topic: https://news.example/analysis"


def settings(client: FlaskClient, headers: dict[str, str], site: str = "default") -> Any:
    response = client.get(f"/api/v1/sites/{site}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_every_role_reads_the_sites_it_can_see(
    client: FlaskClient, runner: FlaskCliRunner, staff_headers: StaffToken
) -> None:
    assert runner.invoke(args=["sites", "create", "other"]).exit_code == 0
    for role in ("admin", "moderator", "analyst"):
        headers = staff_headers(role, role)
        listed = client.get("/api/v1/sites", headers=headers).get_json()["sites"]
        assert [site["name"] for site in listed] == ["default", "other"], role
        assert settings(client, headers, "other")["max_links"] == 3, role
    local = staff_headers("moderator", "local", sites=("other",))
    listed = client.get("/api/v1/sites", headers=local).get_json()["sites"]
    assert [site["name"] for site in listed] == ["other"]
    assert client.get(SITE, headers=local).status_code == 404
    admin = staff_headers("admin")
    # A name no site can have is not looked up (a NUL would fail on PostgreSQL).
    for name in ("nowhere", "%00", "Default", "x" * 65):
        assert client.get(f"/api/v1/sites/{name}", headers=admin).status_code == 404, name
        assert client.patch(f"/api/v1/sites/{name}", json={}, headers=admin).status_code == 404


def test_a_site_reads_as_the_cli_lists_it_with_the_models_thresholds(
    client: FlaskClient, runner: FlaskCliRunner, staff_headers: StaffToken
) -> None:
    updated = runner.invoke(
        args=["sites", "update", "default", "--spam-hold", "0.7", "--add-blocked-word", "casino"]
    )
    assert updated.exit_code == 0, updated.output
    read = settings(client, staff_headers("analyst"))
    assert read["spam_hold"] == 0.7 and read["toxicity_hold"] is None
    assert read["blocked_words"] == ["casino"]
    model = read["model_thresholds"]
    assert 0 < model["spam_hold"] <= model["spam_file"] <= 1 and 0 < model["toxicity_hold"] <= 1


def test_only_admins_change_settings(client: FlaskClient, staff_headers: StaffToken) -> None:
    before = settings(client, staff_headers("admin"))
    for role in ("moderator", "analyst"):
        refused = client.patch(SITE, json={"max_links": 0}, headers=staff_headers(role))
        assert refused.status_code == 403, role
    assert client.patch(SITE, json={"max_links": 0}).status_code == 401
    assert settings(client, staff_headers("admin", "second")) == before


def test_an_admin_change_holds_the_next_comment_and_says_what_changed(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    assert post_comment(body=WITH_A_LINK).get_json()["status"] == "published"
    admin = staff_headers("admin")
    changed = client.patch(SITE, json={"max_links": 0, "moderation": "auto"}, headers=admin)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["changed"] == ["max_links"]
    assert changed.get_json()["max_links"] == 0
    assert post_comment(body=WITH_A_LINK).get_json()["status"] == "pending"
    assert post_comment(body=NICE).get_json()["status"] == "published"


def test_lists_are_sent_whole_and_kept_as_the_rules_match_them(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    admin = staff_headers("admin")
    body = {
        "blocked_words": ["Casino", " casino ", "poker night"],
        "blocked_domains": ["*.Spam.example."],
        "allowed_origins": ["https://blog.example/", "https://BLOG.example"],
    }
    saved = client.patch(SITE, json=body, headers=admin).get_json()
    assert saved["blocked_words"] == ["Casino", "poker night"]
    assert saved["allowed_origins"] == ["https://blog.example"]
    assert saved["changed"] == ["allowed_origins", "blocked_domains", "blocked_words"]
    assert post_comment(body="Fancy a casino evening?").get_json()["status"] == "pending"

    emptied = client.patch(SITE, json={"blocked_words": []}, headers=admin).get_json()
    assert emptied["blocked_words"] == [] and emptied["changed"] == ["blocked_words"]
    answer = post_comment(body="Who fancies a casino evening after the talk?", author_name="Bo")
    assert answer.get_json()["status"] == "published"


def test_a_threshold_set_to_null_follows_the_model_again(
    client: FlaskClient, staff_headers: StaffToken
) -> None:
    admin = staff_headers("admin")
    assert client.patch(SITE, json={"toxicity_hold": 0.5}, headers=admin).status_code == 200
    back = client.patch(SITE, json={"toxicity_hold": None}, headers=admin).get_json()
    assert back["toxicity_hold"] is None and back["changed"] == ["toxicity_hold"]


BAD_INPUT = [
    # (body, the field the answer names)
    ({"max_links": 101}, "max_links"),
    ({"max_links": -1}, "max_links"),
    ({"max_links": 1.5}, "max_links"),
    ({"max_links": "2"}, "max_links"),
    ({"min_form_seconds": 3601}, "min_form_seconds"),
    ({"edit_window_seconds": 7 * 24 * 3600 + 1}, "edit_window_seconds"),
    ({"close_after_days": 36_501}, "close_after_days"),
    ({"toxicity_hold": 1.01}, "toxicity_hold"),
    ({"spam_file": -0.1}, "spam_file"),
    ({"spam_hold": "high"}, "spam_hold"),
    ({"spam_hold": 0.9, "spam_file": 0.5}, "spam_hold"),
    ({"moderation": "some"}, "moderation"),
    ({"erasure": "delete"}, "erasure"),
    ({"require_form_token": "perhaps"}, "require_form_token"),
    ({"hold_commercial_terms": None}, "hold_commercial_terms"),
    ({"blocked_words": "casino"}, "blocked_words"),
    ({"blocked_words": ["casino", "  "]}, "blocked_words"),
    ({"blocked_domains": ["x" * 254]}, "blocked_domains"),
    ({"allowed_origins": ["blog.example"]}, "allowed_origins"),
    ({"allowed_origins": ["https://a.example"] * 1001}, "allowed_origins"),
    ({"title": "t" * 201}, "title"),
    ({"name": "renamed"}, "name"),
    ({"max_links": 0, "erasure": "delete"}, "erasure"),
    ({"blocked_words": ["casino"], "allowed_origins": ["ftp://a.example"]}, "allowed_origins"),
]


@pytest.mark.parametrize(("body", "field"), BAD_INPUT)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    client: FlaskClient, staff_headers: StaffToken, body: dict[str, Any], field: str
) -> None:
    admin = staff_headers("admin")
    before = settings(client, admin)
    refused = client.patch(SITE, json=body, headers=admin)
    assert refused.status_code == 422, refused.get_json()
    assert field in refused.get_json()["errors"], refused.get_json()
    assert settings(client, admin) == before


def test_each_change_is_logged_with_who_made_it(
    client: FlaskClient,
    runner: FlaskCliRunner,
    staff_headers: StaffToken,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="comments.services.sites")
    admin = staff_headers("admin", "maria")
    client.patch(SITE, json={"max_links": 1, "erasure": "remove"}, headers=admin)
    client.patch(SITE, json={"max_links": 101}, headers=admin)  # refused: not logged
    assert runner.invoke(args=["sites", "update", "default", "--max-links", "2"]).exit_code == 0
    assert caplog.messages == [
        "site default: admin maria changed max_links from 3 to 1",
        "site default: admin maria changed erasure from 'anonymise' to 'remove'",
        "site default: cli changed max_links from 1 to 2",
    ]
    # The log names the CLI as the recorded history does.
    assert [c["actor"] for c in history(runner)] == ["cli", "maria", "maria"]
