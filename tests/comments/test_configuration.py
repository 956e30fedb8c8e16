"""Settings from the environment: a bad value stops start-up with one line saying what to fix."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from comments import config
from comments.config import ConfigError
from tests.servers import REPO

#: Every number read from the environment, with a value it must refuse besides "abc".
NUMBERS = {
    "MAX_CONTENT_LENGTH": "0",
    "PROXY_FIX_X_FOR": "-1",
    "MODEL_RETRY_SECONDS": "-1",
    "MODEL_REFRESH_SECONDS": "-0.5",
    "QUEUE_COUNT_CAP": "0",
    "RETENTION_SPAM_DAYS": "-3",
    "RETENTION_REJECTED_DAYS": "-1",
    "PRIVACY_LINK_MAX_AGE": "0",
    "WEBHOOKS_MAX_ATTEMPTS": "0",
    "WEBHOOKS_BATCH_SIZE": "-2",
    "WEBHOOKS_TIMEOUT_SECONDS": "0",
    "WEBHOOKS_POLL_SECONDS": "nan",
    "SMTP_PORT": "70000",
    "SMTP_TIMEOUT_SECONDS": "-1",
    "MAIL_MAX_ATTEMPTS": "0",
    "MAIL_POLL_SECONDS": "inf",
    "MAIL_BATCH_SIZE": "0",
    "MAIL_KEEP_DAYS": "-7",
    "MAIL_CONFIRM_MAX_AGE": "-60",
    "MAIL_STAFF_LINK_MAX_AGE": "0",
    "MAIL_DIGEST_HOUR": "24",
}


def _read(env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    return config.from_environment({"SECRET_KEY": "s", "MODEL_SIGNING_KEY": "k", **env}, tmp_path)


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_a_number_that_is_not_one_names_the_variable_and_the_value(
    name: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must be .* got 'abc'$"):
        _read({name: "abc"}, tmp_path)


@pytest.mark.parametrize(("name", "value"), sorted(NUMBERS.items()))
def test_a_number_out_of_range_is_refused(name: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must be .* got {re.escape(repr(value))}$"):
        _read({name: value}, tmp_path)


def test_the_message_says_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        _read({"RETENTION_SPAM_DAYS": "abc"}, tmp_path)
    assert str(refused.value) == (
        "RETENTION_SPAM_DAYS must be a whole number of days, 0 or more, got 'abc'"
    )
    with pytest.raises(ConfigError, match="a number of seconds, above 0, got '1,5'"):
        _read({"WEBHOOKS_TIMEOUT_SECONDS": "1,5"}, tmp_path)


def test_good_numbers_are_read(tmp_path: Path) -> None:
    read = _read(
        {
            "RETENTION_SPAM_DAYS": " 0 ",
            "MAIL_KEEP_DAYS": "1.5",
            "SMTP_PORT": "2525",
            "MODEL_REFRESH_SECONDS": "0",
            "MAIL_DIGEST_HOUR": "23",
        },
        tmp_path,
    )
    assert read["RETENTION_SPAM_DAYS"] == 0 and read["MAIL_KEEP_DAYS"] == 1.5
    assert read["SMTP_PORT"] == 2525 and read["MODEL_REFRESH_SECONDS"] == 0.0
    assert read["MAIL_DIGEST_HOUR"] == 23


def _flask(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'comments.db'}",
        "SECRET_KEY": "s",
        "MODEL_SIGNING_KEY": "k",
        "MODEL_STORE": str(tmp_path / "models"),
        **env,
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return subprocess.run(
        command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RETENTION_SPAM_DAYS", "abc", "RETENTION_SPAM_DAYS must be a whole number of days"),
        ("SMTP_SECURITY", "ssl", "SMTP_SECURITY must be one of none, starttls, tls, got 'ssl'"),
        ("MAIL_RETRY_SCHEDULE", "60,soon", "MAIL_RETRY_SCHEDULE must be seconds"),
        ("WEBHOOKS_RETRY_SCHEDULE", "60,-5", "WEBHOOKS_RETRY_SCHEDULE must be seconds"),
        ("TRUSTED_PROXIES", "proxy.lan", "TRUSTED_PROXIES: 'proxy.lan' is not an IP address"),
    ],
)
def test_flask_commands_print_one_line_instead_of_a_traceback(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    result = _flask(tmp_path, "sites", "list", **{variable: value})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"Error: {message}")
