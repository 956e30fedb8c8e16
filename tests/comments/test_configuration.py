"""Settings from the environment: a bad value stops start-up with one line saying what to fix."""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from comments import config, config_keys
from comments.config_errors import ConfigError
from comments.extensions import db
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


GOOD_KEYS = {"SECRET_KEY": "s" * 32, "MODEL_SIGNING_KEY": "k" * 32}


def _read(env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    return config.from_environment({**GOOD_KEYS, **env}, tmp_path)


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


def _python(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'comments.db'}",
        **GOOD_KEYS,
        "MODEL_STORE": str(tmp_path / "models"),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _flask(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _python(tmp_path, "-m", "flask", "--app", "wsgi", *args, **env)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RETENTION_SPAM_DAYS", "abc", "RETENTION_SPAM_DAYS must be a whole number of days"),
        ("SMTP_SECURITY", "ssl", "SMTP_SECURITY must be one of none, starttls, tls, got 'ssl'"),
        ("MAIL_RETRY_SCHEDULE", "60,soon", "MAIL_RETRY_SCHEDULE must be seconds"),
        ("WEBHOOKS_RETRY_SCHEDULE", "60,-5", "WEBHOOKS_RETRY_SCHEDULE must be seconds"),
        ("TRUSTED_PROXIES", "proxy.lan", "TRUSTED_PROXIES: 'proxy.lan' is not an IP address"),
        ("SECRET_KEY", " ", "SECRET_KEY must be at least 32 characters of random text, got 0"),
        ("MODEL_STORE", "instance/models", "MODEL_STORE must be an absolute path, got"),
        ("SESSION_COOKIE_SECURE", "ture", "SESSION_COOKIE_SECURE must be one of 1, true, yes"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a Redis URL: redis://HOST:6379/0"),
        ("REDIS_URL", "redis://127.0.0.1:abc/0", "REDIS_URL must be a Redis URL"),
        ("DATABASE_URL", "mysql://db.lan/comments", "DATABASE_URL must be sqlite:///PATH or"),
        ("DATABASE_URL", "comments.db", "DATABASE_URL must be sqlite:///PATH or postgresql://"),
        ("DATABASE_URL", "sqlite://", "DATABASE_URL must be sqlite:///PATH or postgresql://"),
        ("DATABASE_URL", "sqlite:///:memory:", "DATABASE_URL must be sqlite:///PATH or"),
        ("PUBLIC_URL", "https://", "PUBLIC_URL must be an http or https address, got 'https://'"),
        ("MAIL_FROM", "notanaddress", "MAIL_FROM must be one address, e.g. comments@example.org"),
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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RETENTION_SPAM_DAYS", "abc", "RETENTION_SPAM_DAYS must be a whole number of days"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 32 characters of random text"),
        ("RATELIMIT_LOGIN_PER_IP", "10 per mn", "RATELIMIT_LOGIN_PER_IP: '10 per mn' is not"),
    ],
)
@pytest.mark.parametrize("args", [("--help",), ("users", "--help"), ("sites", "list")])
def test_help_or_a_command_with_a_bad_setting_says_what_to_fix_in_one_line(
    tmp_path: Path, variable: str, value: str, message: str, args: tuple[str, ...]
) -> None:
    """Flask's group loads the app to list commands and printed a traceback for any error."""
    result = _flask(tmp_path, *args, **{variable: value})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"Error: {message}")
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("args", [("db", "upgrade"), ("users", "list"), ("routes",)])
def test_commands_with_a_bad_setting_refuse_before_doing_anything(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = _flask(tmp_path, *args, RETENTION_SPAM_DAYS="abc")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: RETENTION_SPAM_DAYS must be a whole number of days, 0 or more, got 'abc'"
    ]
    assert not (tmp_path / "comments.db").exists()  # nothing reached the database


def test_outside_the_flask_cli_a_bad_setting_still_stops_the_import(tmp_path: Path) -> None:
    """gunicorn imports wsgi too: it must get the error, never the commands-only stand-in."""
    result = _python(tmp_path, "-c", "import wsgi", RETENTION_SPAM_DAYS="abc")
    assert result.returncode == 1
    assert "ConfigError: RETENTION_SPAM_DAYS must be a whole number" in result.stderr


def test_gunicorn_with_a_bad_setting_logs_one_line_and_stops(tmp_path: Path) -> None:
    """The message used to sit inside a 40-line traceback, printed by every worker."""
    result = _python(
        tmp_path,
        *("-m", "gunicorn", "--bind", "127.0.0.1:0", "--no-control-socket", "wsgi:app"),
        RETENTION_SPAM_DAYS="abc",
    )
    assert result.returncode == 4  # gunicorn's "App failed to load": stopped, not restarting
    assert "Traceback" not in result.stderr
    assert "Reason: App failed to load." in result.stderr
    problem = "RETENTION_SPAM_DAYS must be a whole number of days, 0 or more, got 'abc'"
    assert problem in result.stderr.splitlines()


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("REDIS_URL", "redis://:hunter2@cache.lan:port/0", "redis://:***@cache.lan:port/0"),
        ("DATABASE_URL", "postgresql+psycopg2://app:hunter2@db.lan/c", "app:***@db.lan/c"),
    ],
)
def test_a_refused_url_is_shown_without_its_password(
    name: str, value: str, shown: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must be") as refused:
        _read({name: value}, tmp_path)
    assert shown in str(refused.value) and "hunter2" not in str(refused.value)


@pytest.mark.parametrize("name", ["MODEL_STORE", "MODEL_PATH"])
def test_a_relative_model_folder_is_refused(name: str, tmp_path: Path) -> None:
    """Read from the folder each process started in, MODEL_STORE=models gave the server one
    store and a `flask classifier promote` run from another folder another, which the
    server then could not find the promoted version in."""
    with pytest.raises(ConfigError) as refused:
        _read({name: "models/"}, tmp_path)
    assert str(refused.value) == (
        f"{name} must be an absolute path, got 'models/' (each process would read it from the "
        f"folder it starts in; from this one: {Path.cwd() / 'models'})"
    )
    assert _read({name: f" {tmp_path}\n"}, tmp_path)[name] == str(tmp_path)


def test_usable_database_and_redis_urls_are_read(tmp_path: Path) -> None:
    read = _read(
        {"DATABASE_URL": "postgres://app@db.lan/comments", "REDIS_URL": "redis+unix:///run/r.sock"},
        tmp_path,
    )
    assert read["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.lan/comments"
    assert read["REDIS_URL"] == "redis+unix:///run/r.sock"
    assert _read({"REDIS_URL": "rediss://cache.lan:6380/1"}, tmp_path)["REDIS_URL"]


@pytest.mark.parametrize("value", ["redis://127.0.0.1:6379/six", "rediss://cache.lan/db1"])
def test_a_redis_database_that_is_not_a_number_is_refused(value: str, tmp_path: Path) -> None:
    """redis-py reads a path it cannot parse as database 0: the counts would silently land in
    another application's database, or in another deployment's that keeps the same prefix."""
    with pytest.raises(ConfigError, match=r"^REDIS_URL must be a Redis URL: .* database number"):
        _read({"REDIS_URL": value}, tmp_path)
    assert _read({"REDIS_URL": "redis://cache.lan"}, tmp_path)["REDIS_URL"]
    assert _read({"REDIS_URL": "redis://cache.lan:6379/15"}, tmp_path)["REDIS_URL"]


# --- keys and on/off settings ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["SECRET_KEY", "MODEL_SIGNING_KEY", "IP_HASH_KEY"])
@pytest.mark.parametrize("value", ["", " ", "x", "a-short-guessable-key-of-31-chr"])
def test_a_blank_or_short_key_is_refused_without_echoing_it(
    name: str, value: str, tmp_path: Path
) -> None:
    """A session signed with a key of one space is forgeable by anyone; the key is secret, so
    the message gives its length, never the value."""
    with pytest.raises(ConfigError, match=rf"^{name} must be at least 32 characters") as refused:
        _read({name: value}, tmp_path)
    assert f"got {len(value.strip())} " in str(refused.value)
    if len(value) > 5:  # shorter ones are in the message's own words ("text")
        assert value not in str(refused.value)


def test_keys_of_32_characters_or_more_are_used_and_unset_ones_are_generated(
    tmp_path: Path,
) -> None:
    given = "k" * 32
    read = config.from_environment({"SECRET_KEY": given, "IP_HASH_KEY": given}, tmp_path)
    assert read["SECRET_KEY"] == read["IP_HASH_KEY"] == given
    generated = read["MODEL_SIGNING_KEY"]
    assert isinstance(generated, str) and len(generated) >= 32
    assert (tmp_path / "model_signing_key").read_text().strip() == generated


def _generate(instance: str) -> str:
    return config_keys.secret_key(Path(instance))


def test_workers_starting_together_all_read_the_one_generated_key(tmp_path: Path) -> None:
    """gunicorn's workers create the key together: one that read the file after another had
    created it but before it was written got an empty key (1 start in 10, 8 processes)."""
    for start in range(60):  # fresh processes each time, starting together as workers do
        with multiprocessing.get_context("fork").Pool(8) as pool:
            keys = pool.map(_generate, [str(tmp_path / str(start))] * 8)
        assert len(set(keys)) == 1 and len(keys[0]) >= 32, [len(key) for key in keys]
    assert {path.name for path in (tmp_path / "0").iterdir()} == {"secret_key"}


def test_a_damaged_generated_key_stops_start_up(tmp_path: Path) -> None:
    """An empty key file (left by that race, or a full disk) was used as the key: "" signs."""
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigError, match="secret_key holds 0 characters, not a generated key"):
        config.from_environment({"MODEL_SIGNING_KEY": "k" * 32}, tmp_path)


@pytest.mark.parametrize("name", ["SECRET_KEY", "MODEL_SIGNING_KEY"])
def test_an_instance_folder_where_no_key_can_be_written_is_named(name: str, tmp_path: Path) -> None:
    """Served by a user that may not write the instance folder, and without the key set, the
    service stopped with a traceback from mkdir instead of saying what to set."""
    (tmp_path / "instance").write_text("a file where the folder should be")
    others = {key: value for key, value in GOOD_KEYS.items() if key != name}
    with pytest.raises(ConfigError) as refused:
        config.from_environment(others, tmp_path / "instance")
    message = str(refused.value)
    assert message.startswith(f"{name} is unset and no key can be generated in {tmp_path}")
    assert f"set {name}" in message


@pytest.mark.parametrize(
    "name",
    [
        "SESSION_COOKIE_SECURE",
        "RATELIMIT_ENABLED",
        "WEBHOOKS_DELIVER_IN_PROCESS",
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS",
        "MAIL_SEND_IN_PROCESS",
    ],
)
def test_an_on_off_setting_with_a_typo_is_refused_not_read_as_off(
    name: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must be one of .* got 'ture'$"):
        _read({name: "ture"}, tmp_path)
    assert _read({name: " Yes "}, tmp_path)[name] is True
    assert _read({name: "off"}, tmp_path)[name] is False
    assert _read({name: ""}, tmp_path)[name] is False


def test_a_failed_statement_does_not_carry_its_parameters_into_the_logs(app: Flask) -> None:
    """Unexpected database errors are logged with their message; the parameters in it would
    put readers' addresses into the log."""
    statement = text("SELECT no_such_column FROM comments WHERE author_email = :email")
    with app.app_context(), pytest.raises(DBAPIError) as failed:
        db.session.execute(statement, {"email": "reader@example.org"})
    assert "no_such_column" in str(failed.value)
    assert "reader@example.org" not in str(failed.value)
