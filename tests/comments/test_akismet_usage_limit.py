"""Akismet's ``/1.2/usage-limit``, which the PyPI client's ``usage_limit()`` calls: a key of ours
has no monthly limit, answered in the shape Akismet gives its unlimited plans."""

from __future__ import annotations

import json
from collections.abc import Callable

import akismet
import httpx
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.comments.conftest import NICE
from tests.comments.test_akismet_api import READER_IP, Akismet, _transport
from tests.comments.test_akismet_api import client_for as client_for  # the fixture

UNLIMITED = {"limit": "none", "usage": 0, "percentage": "0.00", "throttled": False}
URL = "https://rest.akismet.com/1.2/usage-limit"


def test_a_live_key_has_no_usage_limit_by_get_or_post(
    app: Flask, client_for: Akismet, key: str
) -> None:
    assert client_for(key).usage_limit() == UNLIMITED
    with httpx.Client(transport=_transport(app)) as http:
        by_post = http.post(URL, data={"api_key": key})
        assert by_post.headers["Content-Type"] == "application/json"
        assert by_post.json() == UNLIMITED


def test_an_unknown_or_revoked_key_is_invalid(
    app: Flask, client_for: Akismet, key: str, runner: FlaskCliRunner
) -> None:
    with pytest.raises(akismet.APIKeyError):
        client_for("cms_not-a-key", validated=False).usage_limit()
    checker = client_for(key)
    key_id = json.loads(runner.invoke(args=["sites", "keys", "default"]).output)["id"]
    assert runner.invoke(args=["sites", "revoke-key", "default", str(key_id)]).exit_code == 0
    with pytest.raises(akismet.APIKeyError):
        checker.usage_limit()
    with httpx.Client(transport=_transport(app)) as http:
        no_key = http.get(URL)
    assert no_key.text == "invalid" and "api_key" in no_key.headers["X-akismet-debug-help"]


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_PER_SITE_KEY": "3 per minute"}]
)
def test_usage_limit_counts_against_the_keys_rate_limit(
    client_for: Akismet, new_key: Callable[..., str]
) -> None:
    busy, quiet = new_key(), new_key()
    checker = client_for(busy)  # verify-key
    assert checker.usage_limit() == UNLIMITED
    checker.comment_check(READER_IP, comment_content=NICE)
    with pytest.raises(akismet.RequestError, match="429"):
        checker.usage_limit()
    assert client_for(quiet).usage_limit() == UNLIMITED
