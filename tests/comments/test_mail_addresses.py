"""Addresses the service sends from and to are checked before anything is queued: MAIL_FROM
when the app starts, the sender made from PUBLIC_URL (an IP host becomes an RFC 5321 address
literal) and the recipient of `flask mail test`."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from comments import create_app
from comments.config_errors import ConfigError
from comments.extensions import db
from comments.models import OutboxMail
from tests.comments.smtp_server import SmtpServer, mail_config, send_queued
from tests.conftest import base_config


def _app(db_url: str, smtp: SmtpServer, **settings: str | None) -> Flask:
    return create_app(base_config(db_url, **mail_config(smtp, **settings)))


def _queued(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMail)) or 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("notanaddress", "MAIL_FROM must be one address"),
        ("comments@127.0.0.1", "MAIL_FROM must hold an e-mail address (an IP address in brack"),
        ("a@example.org, b@example.org", "MAIL_FROM must be one address"),
        ("Comments <comments@example.org", "MAIL_FROM must be one address"),
        ("a@example.org\nBcc: b@example.org", "MAIL_FROM must be one line"),
    ],
)
def test_a_mail_from_no_server_would_take_stops_start_up_in_one_line(
    db_url: str, smtp: SmtpServer, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        _app(db_url, smtp, MAIL_FROM=value)
    assert str(refused.value).startswith(message)
    assert str(refused.value).endswith(f"got {value!r}")
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("public_url", "sender"),
    [
        ("http://127.0.0.1:5740", "comments@[127.0.0.1]"),
        ("http://[::1]:5740", "comments@[IPv6:::1]"),
        ("https://comments.example.org", "comments@comments.example.org"),
    ],
)
def test_without_mail_from_the_sender_is_made_from_public_urls_host(
    db_url: str, smtp: SmtpServer, public_url: str, sender: str
) -> None:
    """An IP host gives an address literal, as RFC 5321 writes one, never comments@127.0.0.1."""
    app = _app(db_url, smtp, MAIL_FROM=None, PUBLIC_URL=public_url)
    result = app.test_cli_runner().invoke(args=["mail", "test", "ann@example.org"])
    assert result.exit_code == 0, result.output
    assert send_queued(app) == 1
    [mail] = smtp.inbox.take()
    assert mail["From"] == sender and mail["To"] == "ann@example.org"
    assert mail["Message-ID"].endswith(f"@{sender.partition('@')[2]}>")
    with app.app_context():
        db.engine.dispose()


def test_mail_on_without_public_url_does_not_start(db_url: str, smtp: SmtpServer) -> None:
    """Links in mails would take the Host header of the request that caused them, which its
    sender writes: a privacy, reply-confirmation or staff link to the sender's host."""
    with pytest.raises(ConfigError, match=r"^PUBLIC_URL must be set when SMTP_HOST is"):
        _app(db_url, smtp, PUBLIC_URL=None)


def test_a_single_label_host_matters_only_when_mail_is_on(db_url: str, smtp: SmtpServer) -> None:
    with pytest.raises(ConfigError, match=r"^MAIL_FROM is unset and 'comments@intranet'"):
        _app(db_url, smtp, MAIL_FROM=None, PUBLIC_URL="http://intranet")
    create_app(base_config(db_url, PUBLIC_URL="http://intranet"))  # e-mail off: starts


@pytest.mark.parametrize("address", ["notanaddress", "ann@", "ann@127.0.0.1", "a b@example.org"])
def test_mail_test_refuses_what_is_not_an_address_in_one_line(
    db_url: str, smtp: SmtpServer, address: str
) -> None:
    app = _app(db_url, smtp)
    result = app.test_cli_runner().invoke(args=["mail", "test", address])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"Error: {address!r} is not an e-mail address."
    assert _queued(app) == 0
    with app.app_context():
        db.engine.dispose()


def test_mail_test_with_mail_off_says_so_and_queues_nothing(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["mail", "test", "ann@example.org"])
    assert result.exit_code == 2, result.output
    assert "SMTP_HOST is not set: e-mail is off." in result.output
    assert _queued(app) == 0
