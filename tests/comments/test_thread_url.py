"""A thread's page address is kept only on an origin the site lets embed its widget, or on
PUBLIC_URL: anyone can post without a browser, name a new thread's page, and so put a
phishing link into the service's own mails, moderation cards and exports."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from comments.extensions import db
from comments.models import Thread
from tests.comments.conftest import PostComment

PUBLIC_URL = "https://comments.example"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PUBLIC_URL": PUBLIC_URL}


@pytest.fixture(autouse=True)
def blog_embeds_the_widget(runner: FlaskCliRunner) -> None:
    added = runner.invoke(
        args=["sites", "update", "default", "--add-origin", "https://blog.example"]
    )
    assert added.exit_code == 0, added.output


def stored_url(app: Flask, key: str) -> str | None:
    with app.app_context():
        thread = db.session.scalar(select(Thread).where(Thread.key == key))
        assert thread is not None
        return thread.url


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://blog.example/2024/post", True),
        (f"{PUBLIC_URL}/demo", True),
        ("https://evil.example/login", False),
        ("https://blog.example@evil.example/login", False),  # user part, then the real host
        ("http://blog.example/2024/post", False),  # another origin: the scheme differs
    ],
)
def test_a_page_address_is_kept_only_on_an_allowed_origin(
    app: Flask, post_comment: PostComment, url: str, kept: bool
) -> None:
    response = post_comment(thread="/t", thread_url=url)
    assert response.status_code == 201, response.get_json()  # the comment is never lost
    assert stored_url(app, "/t") == (url if kept else None)


def test_a_host_header_does_not_make_an_address_the_services_own(
    app: Flask, client: FlaskClient
) -> None:
    response = client.post(
        "/api/v1/comments",
        json={"thread": "/t", "body": "Thanks!", "thread_url": "http://evil.example/login"},
        base_url="http://evil.example",
    )
    assert response.status_code == 201, response.get_json()
    assert stored_url(app, "/t") is None


def test_a_stranger_cannot_claim_a_thread_before_its_page_does(
    app: Flask, post_comment: PostComment
) -> None:
    """The first address kept sticks, so the stranger's must not be that first one."""
    post_comment(thread="/new", thread_url="https://evil.example/login")
    post_comment(thread="/new", thread_url="https://blog.example/new")
    assert stored_url(app, "/new") == "https://blog.example/new"


def stored_title(app: Flask, key: str) -> str:
    with app.app_context():
        thread = db.session.scalar(select(Thread).where(Thread.key == key))
        assert thread is not None
        return thread.title


def test_a_title_sent_with_a_refused_address_is_dropped_with_it(
    app: Flask, post_comment: PostComment
) -> None:
    """The same post named both: a forger's title would otherwise name the page in mails."""
    forged = "Your account is suspended: confirm it at account-check.example"
    post_comment(thread="/new", thread_title=forged, thread_url="https://evil.example/login")
    assert stored_title(app, "/new") == ""
    # The page's own widget, on an allowed origin, names it afterwards.
    post_comment(thread="/new", thread_title="New", thread_url="https://blog.example/new")
    assert stored_title(app, "/new") == "New"
    post_comment(thread="/kept", thread_title="Kept", thread_url="https://blog.example/kept")
    assert stored_title(app, "/kept") == "Kept"
