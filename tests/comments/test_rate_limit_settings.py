"""A rate-limit setting that is not a rate limit stops the app, instead of switching it off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from comments import config, create_app
from comments.config_errors import ConfigError
from tests.conftest import base_config
from tests.servers import GunicornServer

TYPOS = [
    ("RATELIMIT_COMMENTS_PER_IP", "6 per minut;60 per hour"),
    ("RATELIMIT_LOGIN_PER_IP", "10 per mn"),
    ("RATELIMIT_REPORTS_PER_IP", "lots"),
    ("RATELIMIT_COMMENTS_PER_EMAIL", "4 per minute;30 per hour;"),
    ("RATELIMIT_PRIVACY_PER_IP", "5 a minute"),
    ("RATELIMIT_PRIVACY_PER_EMAIL", "3"),
    ("RATELIMIT_PER_SITE_KEY", "600 per minute per key"),
]


def expected_line(name: str, value: str) -> str:
    return (
        f"{name}: {value!r} is not a rate limit; "
        "expected e.g. '10 per minute' or '6/minute;60/hour'"
    )


@pytest.mark.parametrize(("name", "value"), TYPOS)
def test_a_malformed_limit_in_the_environment_stops_the_app(
    name: str, value: str, db_url: str, tmp_path: Path
) -> None:
    env = {
        "SECRET_KEY": "s" * 32,
        "DATABASE_URL": db_url,
        "MODEL_SIGNING_KEY": "k" * 32,
        name: value,
    }
    settings = config.from_environment(env, tmp_path)
    with pytest.raises(ConfigError, match=f"^{re.escape(expected_line(name, value))}$"):
        create_app(base_config(db_url, **settings))


def test_every_documented_form_of_a_limit_starts(db_url: str, tmp_path: Path) -> None:
    env = {
        "SECRET_KEY": "s" * 32,
        "DATABASE_URL": db_url,
        "MODEL_SIGNING_KEY": "k" * 32,
        "RATELIMIT_COMMENTS_PER_IP": "6/minute;60/hour",
        "RATELIMIT_COMMENTS_PER_EMAIL": "4 per minute, 30 per hour",
        "RATELIMIT_LOGIN_PER_IP": "10 per minute",
        "RATELIMIT_REPORTS_PER_IP": "10 per 5 minutes",
    }
    app = create_app(base_config(db_url, **config.from_environment(env, tmp_path)))
    assert app.config["RATELIMIT_LOGIN_PER_IP"] == "10 per minute"


def test_gunicorn_refuses_to_start_and_says_which_setting(db_url: str, tmp_path: Path) -> None:
    """What the operator sees: the server does not come up, and its log names the setting."""
    env = {"RATELIMIT_ENABLED": "1", "RATELIMIT_LOGIN_PER_IP": "10 per mn"}
    server = GunicornServer(db_url, tmp_path / "gunicorn.log", workers=1, env=env)
    try:
        with pytest.raises(RuntimeError, match="gunicorn exited") as refused:
            server.start()
    finally:
        server.stop()
    assert expected_line("RATELIMIT_LOGIN_PER_IP", "10 per mn") in str(refused.value)
