"""Migration 0026: outbox mails name the comment they quote (``comment_id``, indexed). Down and
up again every mail stays; one queued before the upgrade has no link, so an erasure of its
comment's author leaves it to MAIL_KEEP_DAYS, while one queued after is deleted."""

from __future__ import annotations

from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import inspect, select

from comments.extensions import db
from comments.models import OutboxMail
from tests.comments.conftest import NICE, PostComment
from tests.comments.smtp_server import SmtpServer, mail_config


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp)


def shape() -> tuple[set[str], list[list[str]]]:
    with db.engine.connect() as connection:
        schema = inspect(connection)
        columns = {column["name"] for column in schema.get_columns("mail_outbox")}
        indexes = sorted(index["column_names"] for index in schema.get_indexes("mail_outbox"))
    return columns, indexes


def mails(app: Flask) -> list[tuple[str, str, int | None]]:
    with app.app_context():
        query = select(OutboxMail.kind, OutboxMail.to_address, OutboxMail.comment_id)
        return [(kind, to, comment) for kind, to, comment in db.session.execute(query)]


def test_the_outbox_link_goes_and_comes_back_and_older_mails_stay_unlinked(
    app: Flask, runner: FlaskCliRunner, post_comment: PostComment
) -> None:
    """A mail queued before 0026 (here: the link dropped on the way down) is not deleted by
    its comment's author's erasure; it goes MAIL_KEEP_DAYS after it was queued, as before."""
    fields = {"author_name": "Ann", "author_email": "ann@example.org", "notify_replies": True}
    assert post_comment(body=NICE, **fields).status_code == 201
    with app.app_context():
        columns, indexes = shape()
        assert "comment_id" in columns and ["comment_id"] in indexes
        assert db.session.scalar(select(OutboxMail.comment_id)) is not None
        db.session.remove()
        flask_migrate.downgrade(revision="0025")
        assert shape() == (columns - {"comment_id"}, [i for i in indexes if i != ["comment_id"]])
        flask_migrate.upgrade()
        assert shape() == (columns, indexes)
        db.engine.dispose()
    assert mails(app) == [("confirm", "ann@example.org", None)]
    assert post_comment(body=NICE + " Again.", **fields).status_code == 201
    assert [comment is not None for *_, comment in mails(app)] == [False, True]
    erased = runner.invoke(
        args=["privacy", "erase", "ann@example.org", "--site", "default", "--yes"]
    )
    assert erased.exit_code == 0, erased.output
    # A site's erasure deletes the mails about the site's comments, not every mail to the
    # address: the one queued after the upgrade goes, the unlinked one stays.
    assert mails(app) == [("confirm", "ann@example.org", None)]
