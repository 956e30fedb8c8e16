"""Fixtures for the moderation UI: signed-in test clients, comments, and a live browser stack.

The Flask-client fixtures run on SQLite and on PostgreSQL (TEST_DATABASE_URL). The browser
fixtures start gunicorn on a freshly migrated SQLite database and Debian's Chromium; they are
used only by tests marked ``browser``.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from comments.extensions import db
from comments.models import Comment
from comments.services import accounts
from tests.servers import free_port, wait_until_healthy

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
ABUSIVE = "You are a fucking idiot and a moron, shut up you stupid piece of shit"
NICE = "Thanks for the clear summary, the point about the alliance's history was new to me."
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CSP_PREFIX = "CSP violation:"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


MakeStaff = Callable[..., str]


@pytest.fixture
def make_staff(app: Flask) -> MakeStaff:
    """Create a staff member with the test password; returns the name."""

    def create(
        role: str = "moderator", name: str | None = None, sites: tuple[str, ...] = ()
    ) -> str:
        name = name or role
        with app.app_context():
            accounts.create_staff(db.session(), name, role, PASSWORD, list(sites))
            db.session.commit()
        return name

    return create


def csrf_from(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: FlaskClient, name: str, password: str = PASSWORD, **extra: str) -> TestResponse:
    """Sign in through the real form, as a browser would."""
    token = csrf_from(client.get("/moderation/login").text)
    return client.post(
        "/moderation/login",
        data={"name": name, "password": password, "csrf_token": token, **extra},
    )


def session_csrf(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        token: str = session["csrf"]
    return token


def status_of(app: Flask, comment_id: int) -> str:
    """The comment's status as stored, to check what a form really changed."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert comment is not None
        return comment.status


def card_html(page: str, comment_id: int) -> str:
    """One comment's card out of a queue page, so assertions cannot match a neighbour's."""
    start = page.index(f'id="comment-{comment_id}"')
    return page[start : page.index("</article>", start)]


SignedIn = Callable[..., FlaskClient]


@pytest.fixture
def signed_in(client: FlaskClient, make_staff: MakeStaff) -> SignedIn:
    """The test client, signed in as a new staff member of the given role."""

    def login(role: str = "moderator", name: str | None = None) -> FlaskClient:
        response = sign_in(client, make_staff(role, name))
        assert response.status_code == 303, response.text
        return client

    return login


PostComment = Callable[..., int]


@pytest.fixture
def post_comment(app: Flask) -> PostComment:
    """POST /api/v1/comments from a separate, anonymous client; returns the new id."""
    reader = app.test_client()

    def post(**fields: Any) -> int:
        payload: dict[str, Any] = {"thread": "/post/1", "author_name": "Ann", "body": NICE}
        payload.update(fields)
        response = reader.post("/api/v1/comments", json=payload)
        assert response.status_code in (200, 201, 202), response.get_json()
        comment_id: int = response.get_json()["id"]
        return comment_id

    return post


# --- the live stack, for the browser tests ------------------------------------------------


@dataclass
class Live:
    url: str
    env: dict[str, str]
    log_path: Path

    def flask(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=REPO,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"flask {args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            data: dict[str, Any] = json.load(response)
        return data


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """gunicorn on a migrated SQLite database, with one moderator account ("mod")."""
    workdir = tmp_path_factory.mktemp("moderation-live")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'comments.db'}",
        "SECRET_KEY": "test-secret-key-of-the-test-suite-only",
        "RATELIMIT_ENABLED": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FLASK_DEBUG", None)
    server = Live("", env, workdir / "server.log")
    server.flask("db", "upgrade")
    server.flask(
        "users", "create", "mod", "--role", "moderator", "--password-stdin", stdin=PASSWORD
    )
    # A shared machine may hand each checkout its own ports: MODERATION_LIVE_PORT picks one.
    port = int(os.environ.get("MODERATION_LIVE_PORT") or free_port())
    command = [
        *(sys.executable, "-m", "gunicorn", "wsgi:app"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"),
        *("--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning"),
    ]
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    server.url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(server.url, process, server.log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright; reuses a Playwright already started in-process.

    Playwright's sync API refuses a second instance in one process, and the widget's browser
    suite keeps its own for the whole session.
    """
    from playwright.sync_api import Error, Playwright, sync_playwright

    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    driver: Any = None
    try:
        driver = sync_playwright().start()
        playwright: Playwright = driver
    except Error:
        running = [obj for obj in gc.get_objects() if isinstance(obj, Playwright)]
        if not running:
            raise
        playwright = running[0]
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
    if driver is not None:
        driver.stop()


# Reported through the console (CDP-injected scripts are not subject to the page's CSP).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP_PREFIX " + event.effectiveDirective + " blocked "
    + (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber);
});
""".replace("CSP_PREFIX", CSP_PREFIX)


@dataclass
class Problems:
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@pytest.fixture
def problems() -> Problems:
    return Problems()


def painted(page: Any) -> None:
    """Wait for a new page's first frame: Chromium drops key presses that arrive before it
    (paint holding), and under CI load that frame can come well after the page is ready."""
    page.wait_for_function("() => performance.getEntriesByType('paint').length > 0")


@pytest.fixture
def browser_page(chromium: Any, problems: Problems) -> Iterator[Any]:
    """A fresh profile that may only reach 127.0.0.1; console errors and CSP reports fail it."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")

    def only_loopback(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: problems.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.errors.append(str(error)))

    def on_dialog(dialog: Any) -> None:
        problems.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()
    assert problems == Problems(), f"the page misbehaved: {problems}"


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("SCREENSHOT_DIR")
    path = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page_without_script(chromium: Any) -> Iterator[Any]:
    """A fresh profile with JavaScript off, which may only reach 127.0.0.1."""
    context = chromium.new_context(java_script_enabled=False)
    context.route("**/*", lambda r: r.continue_() if "//127.0.0.1" in r.request.url else r.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
