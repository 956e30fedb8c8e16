"""Fixtures for the browser suite: the real app in a subprocess and Debian's Chromium.

The live server is the shipped stack: a fresh SQLite database migrated with
``flask --app wsgi db upgrade``, then gunicorn serving ``wsgi:app`` with the real model.
Every test gets a fresh browser context whose requests may only go to 127.0.0.1; console
errors, uncaught exceptions, dialogs, CSP violations and blocked requests are collected and
fail the test at teardown unless the test declared them expected.

Environment: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR (default: a pytest
temporary directory), LIVE_SERVER_URL (use a running server instead of starting one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import (
    CSP_PREFIX,
    Blog,
    Decide,
    FakeApi,
    LiveServer,
    OtherSite,
    PageIssues,
    Widget,
)
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Page,
    Playwright,
    Route,
    expect,
    sync_playwright,
)

from comments import create_app
from comments.extensions import db
from comments.services import accounts
from tests.servers import serve

REPO = Path(__file__).resolve().parents[2]
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
# A post waits out the form token's min_seconds (3 s on the default site), then the model.
expect.set_options(timeout=15_000)

# Recorded on every new document before any page script runs (CDP injection is not subject
# to the page's CSP). Reported through the console so it survives navigations.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP_PREFIX " + event.effectiveDirective
    + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
""".replace("CSP_PREFIX", CSP_PREFIX)


def _flask(env: dict[str, str], *args: str) -> None:
    """Run a `flask --app wsgi` command as an operator would; fail the run with its output."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def other_site() -> Iterator[OtherSite]:
    """Another origin that embeds the widget, allowed by the default site."""
    site = OtherSite()
    site.start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, other_site: OtherSite
) -> Iterator[LiveServer]:
    """gunicorn serving wsgi:app on a free loopback port, against a freshly migrated SQLite."""
    workdir = tmp_path_factory.mktemp("live-server")
    if os.environ.get("LIVE_SERVER_URL"):  # a server you started yourself, e.g. to debug
        yield LiveServer(os.environ["LIVE_SERVER_URL"].rstrip("/"), workdir / "none", workdir)
        return
    database = workdir / "comments.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-secret-key-of-the-test-suite-only",
    }
    _flask(env, "db", "upgrade")
    # Let a page on another origin embed the widget, as a third-party blog would.
    _flask(env, "sites", "update", "default", "--origin", other_site.origin)
    # One worker with threads: the browser's parallel requests, one process's memory.
    with serve(
        env["DATABASE_URL"],
        workdir / "server.log",
        workers=1,
        threads=4,
        env={"SECRET_KEY": "test-secret-key-of-the-test-suite-only"},
    ) as server:
        yield LiveServer(server.url, server.log_path, database)


@pytest.fixture(scope="session")
def live_app(live_server: LiveServer) -> Flask:
    """The app in this process on the live server's database, to seed data in bulk through
    the real API (the test client) without HTTP in between; same secret, rate limits off."""
    if os.environ.get("LIVE_SERVER_URL"):
        pytest.skip("seeding needs the database of a server this run started")
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{live_server.database_path}",
            "SECRET_KEY": "test-secret-key-of-the-test-suite-only",
            "RATELIMIT_ENABLED": False,
        }
    )


@pytest.fixture
def blog(live_app: Flask, live_server: LiveServer, other_site: OtherSite) -> Blog:
    """A site of its own on another origin, where kind comments are published at once."""
    name = f"live-{uuid.uuid4().hex[:8]}"
    result = live_app.test_cli_runner().invoke(
        args=["sites", "create", name, "--origin", other_site.origin, "--min-form-seconds", "0"]
    )
    assert result.exit_code == 0, result.output
    return Blog(name, live_app, other_site, live_server.url)


@pytest.fixture
def decide(live_app: Flask) -> Decide:
    """A moderator's decision through the moderation API."""
    with live_app.app_context():
        staff = accounts.create_staff(
            db.session(), f"mod-{uuid.uuid4().hex[:6]}", "moderator", "correct horse battery", []
        )
        headers = {"Authorization": f"Bearer {accounts.issue_token(db.session(), staff).token}"}
        db.session.commit()

    def decide(comment_id: int | str, action: str) -> None:
        response = live_app.test_client().post(
            f"/api/v1/moderation/comments/{comment_id}/decision",
            json={"action": action},
            headers=headers,
        )
        assert response.status_code == 200, response.get_json()

    return decide


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(
            f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)"
        )
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page_issues() -> PageIssues:
    return PageIssues()


@pytest.fixture
def context(browser: Browser, page_issues: PageIssues) -> Iterator[BrowserContext]:
    """A fresh profile (empty localStorage) that can only reach 127.0.0.1."""
    context = browser.new_context(
        viewport={"width": 960, "height": 1200},
        locale="en-GB",
        timezone_id="Pacific/Auckland",  # far from UTC, so time-zone slips show
        color_scheme="light",
        reduced_motion="reduce",
    )

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            page_issues.blocked_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    context.add_init_script(CSP_LISTENER)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, page_issues: PageIssues) -> Iterator[Page]:
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", page_issues.on_console)
    page.on("pageerror", lambda error: page_issues.page_errors.append(str(error)))

    def on_dialog(dialog: Dialog) -> None:
        page_issues.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    problems = page_issues.unexpected()
    assert not problems, f"the page misbehaved: {problems}"


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("SCREENSHOT_DIR")
    path = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def widget(page: Page) -> Widget:
    return Widget(page)


@pytest.fixture
def api(page: Page) -> FakeApi:
    """/api/v1/ answered by the test (the widget tests); the rest comes from the live server."""
    fake = FakeApi()
    fake.install(page)
    return fake
