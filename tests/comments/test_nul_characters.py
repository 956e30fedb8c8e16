"""A NUL character in a path, query or form field gets the same clear answer on both engines.

PostgreSQL cannot compare text with a NUL in it: a staff URL naming a site ``%00`` was a 500
there (and a 404 on SQLite). Every GET route is walked with NUL in each path part and in the
query parameters the views read.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.comments.conftest import StaffToken

QUERY = "site=%00&status=%00&q=%00&author=%00&thread=%00&cursor=%00&version=%00&since=%00"


def _with_nul(rule: str) -> str:
    """The rule's URL with NUL for each string part and 1 for each number."""
    url = re.sub(r"<(?:string:)?\w+>", "%00", rule)
    return re.sub(r"<[^>]+>", "1", url)


def test_no_route_fails_on_a_nul_character(
    app: Flask, client: FlaskClient, staff_headers: StaffToken
) -> None:
    admin = staff_headers("admin", name="ada")
    answered = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        for url in (_with_nul(rule.rule), f"{_with_nul(rule.rule)}?{QUERY}"):
            response = client.get(url, headers=admin)
            assert response.status_code < 500, (url, response.get_data(as_text=True)[:300])
            answered += 1
    assert answered > 50  # the walk reached the API and the pages


def test_a_nul_in_a_path_is_not_found_and_in_a_field_is_named(
    client: FlaskClient, staff_headers: StaffToken
) -> None:
    admin = staff_headers("admin", name="ada")
    assert client.get("/api/v1/admin/sites/%00/keys", headers=admin).status_code == 404
    assert client.get("/api/v1/admin/sites/default%00/export", headers=admin).status_code == 404

    listed = client.get("/api/v1/moderation/bans?site=%00", headers=admin)
    assert listed.status_code == 422
    assert listed.get_json()["errors"] == {"site": ["Must not contain a NUL character."]}

    signed_in = client.post("/moderation/login", data={"name": "ada\x00", "password": "x"})
    assert signed_in.status_code == 422 and "name" in signed_in.get_json()["errors"]
    assert client.get("/api/v1/moderation/bans?site=default", headers=admin).status_code == 200
