"""Accessibility audit: axe-core over the reader widget and the moderation UI, in Chromium.

Not part of the test suite (axe-core is not a dependency of the project): install it once
outside the repository and point this script at it::

    (mkdir -p /tmp/axe && cd /tmp/axe && npm install axe-core)
    .venv/bin/python bench/a11y_audit.py --axe /tmp/axe/node_modules/axe-core/axe.min.js

It starts gunicorn on a fresh SQLite database, seeds a thread (published comments, a reply, a
comment removed under its reply) and every moderation queue, then runs axe (WCAG 2.0-2.2 A/AA
and best practices) on each page in several states: the demo page with a held comment of the
reader's own, the form's error states, the report form, the editor, the warning that the time
to edit is ending, the nudge, new comments waiting behind their button and shown; the
moderation sign-in, each queue, the shortcut and ban dialogs, a comment's history, pages,
the site settings (and their errors), bans, statistics and e-mail settings. Every page is
checked in the light and the dark colour scheme and at 320 px.
Prints one JSON object: violations (affected nodes) by page and rule, and a total.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import serve  # noqa: E402

SECRET = "audit-secret-key-of-the-a11y-audit-only"
PASSWORD = "correct horse battery"
THREAD = "/2024/11/north-korea-backs-russia"  # the demo page's thread
NICE = "Thanks for the clear summary, the point about the alliance's history was new to me."
OWN = "Lovely weather in Lisbon today, the tram 28 was almost empty this morning."
ABUSIVE = "You are a fucking idiot and a moron, shut up you stupid piece of shit"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
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
VARIANTS = {  # name: (colour scheme, viewport width)
    "light": ("light", 1280),
    "dark": ("dark", 1280),
    "320px": ("light", 320),
}


def flask(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def call(url: str, method: str = "GET", payload: Any = None, **headers: str) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def seed(base: str, token: str) -> dict[str, int]:
    """The demo thread and a comment in every queue; returns the ids the pages need."""
    api = base + "/api/v1"
    auth = {"Authorization": f"Bearer {token}"}

    def post(body: str, thread: str = THREAD, **fields: Any) -> dict[str, Any]:
        payload = {"thread": thread, "thread_title": "Sanctions, explained", "body": body}
        return call(api + "/comments", "POST", {**payload, **fields})  # type: ignore[no-any-return]

    first = post(NICE, author_name="Ann", author_url="https://ann.example.org/")
    post(
        "Same here, I had not realised how far back the ties go.",
        author_name="Bob",
        parent_id=first["id"],
    )
    gone = post("A comment its author deletes later.", author_name="Cy")
    post("An answer to a comment that is gone now.", author_name="Dee", parent_id=gone["id"])
    call(f"{api}/comments/{gone['id']}", "DELETE", X_Edit_Token=gone["edit_token"])

    other = "/audit/queues"
    held = post(ABUSIVE, other, author_name="Troll", author_email="troll@example.org")
    post(
        ABUSIVE + " again",
        other,
        author_name="Troll",
        author_email="troll@example.org",
        parent_id=None,
    )
    rejected = post(ABUSIVE + " (rejected)", other, author_email="r@example.org")
    call(
        f"{api}/moderation/comments/{rejected['id']}/decision",
        "POST",
        {"action": "reject", "reason": "abuse"},
        **auth,
    )
    reported = post(NICE + " (reported)", other, author_email="ok@example.org")
    call(f"{api}/comments/{reported['id']}/reports", "POST", {"reason": "abusive", "text": "rude"})
    banned = post(ABUSIVE + " (banned)", other, author_email="banned@example.org")
    call(
        f"{api}/moderation/comments/{banned['id']}/ban",
        "POST",
        {"reason": "abuse", "reject_comments": True, "by": "email"},
        **auth,
    )
    post("Buy cheap watches now", other, author_email="banned@example.org")  # spam now
    deleted = post(ABUSIVE + " (deleted)", other, author_email="d@example.org")
    call(f"{api}/comments/{deleted['id']}", "DELETE", X_Edit_Token=deleted["edit_token"])
    return {"held": held["id"], "rejected": rejected["id"]}


def axe_version(path: str) -> str:
    package = Path(path).parent / "package.json"
    version = json.loads(package.read_text())["version"] if package.exists() else "?"
    return f"axe-core {version}"


def run_axe(page: Any, axe: str) -> list[dict[str, Any]]:
    # Mid-animation colours (a new comment fading in) are not what a reader settles on.
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    page.add_script_tag(path=axe)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})))",
        TAGS,
    )
    return result  # type: ignore[no-any-return]


def widget_states(page: Any, base: str) -> list[tuple[str, Callable[[], None]]]:
    root = page.locator("#comments")

    def thread() -> None:
        page.clock.install()  # time flows as usual; edit_time_warning moves it on
        page.goto(base + "/")
        root.get_by_text("This comment was removed.").wait_for()
        # A held comment of the reader's own, shown to them: post anyway after the nudge.
        root.get_by_role("textbox", name="Comment").fill(ABUSIVE + " (own)")
        root.get_by_role("button", name="Post Comment").click()
        root.get_by_role("button", name="Post anyway").click()
        root.get_by_text("Your comment is awaiting moderation.").wait_for()
        root.get_by_role("textbox", name="Comment").fill(OWN)
        root.get_by_role("button", name="Post Comment").click()
        root.get_by_role("button", name=re.compile(r"^Edit .*'s comment")).first.wait_for()

    def nudge() -> None:
        page.goto(base + "/")
        root.get_by_role("textbox", name="Comment").fill(ABUSIVE + " (nudged)")
        root.get_by_role("button", name="Post Comment").click()
        # A reader whose comments keep being held is not nudged again: whichever comes first.
        root.get_by_role("button", name="Post anyway").or_(
            root.locator(".cw-form-status:not(:empty):not(:has-text('Posting'))")
        ).wait_for()

    def empty_error() -> None:
        page.goto(base + "/")
        root.get_by_role("button", name="Post Comment").click()
        root.get_by_role("alert").wait_for()

    def field_error() -> None:
        root.get_by_role("textbox", name="Comment").fill("With a bad address.")
        root.get_by_role("textbox", name="Email", exact=True).fill("not-an-email")
        root.get_by_role("button", name="Post Comment").click()
        root.locator("[aria-invalid=true]").first.wait_for()

    def report_form() -> None:
        root.get_by_role("button", name=re.compile(r"^Report .*'s comment")).first.click()
        root.get_by_role("button", name="Send report").click()
        root.get_by_text("Choose a reason.").wait_for()

    def reply_and_editor() -> None:
        root.get_by_role("button", name="Reply to Ann").click()
        edit = root.get_by_role("button", name=re.compile(r"^Edit .*'s comment"))
        if edit.count():
            edit.first.click()

    def edit_time_warning() -> None:
        # The edit window's last minute (the default site's is 15 minutes), editor still open.
        page.clock.run_for(14 * 60_000 + 10_000)
        root.locator(".cw-time-warning").first.wait_for()

    def new_comments_waiting() -> None:
        page.goto(base + "/")
        root.get_by_text("This comment was removed.").wait_for()
        posted = call(
            base + "/api/v1/comments",
            "POST",
            # Each variant its own words: a repeated body would be held as a duplicate.
            {
                "thread": THREAD,
                "body": f"Posted while page {uuid.uuid4()} was open.",
                "author_name": "Eve",
            },
        )
        # What another tab's post sets off (live.js checks at once), not a 30-second wait.
        page.evaluate(
            """([thread, id]) => window.dispatchEvent(new StorageEvent("storage", {
                 key: "comments-widget:own", oldValue: "[]",
                 newValue: JSON.stringify([{site: "default", thread, id}])}))""",
            [THREAD, posted["id"]],
        )
        root.get_by_role("button", name="Show 1 new comment").wait_for()

    def new_comment_shown() -> None:
        root.get_by_role("button", name="Show 1 new comment").click()
        page.wait_for_function("document.activeElement.matches('.cw-new article')")

    return [
        ("widget: thread with own held comment", thread),
        ("widget: rephrase nudge", nudge),
        ("widget: empty comment error", empty_error),
        ("widget: 422 field error", field_error),
        ("widget: report form with error", report_form),
        ("widget: reply form and editor open", reply_and_editor),
        ("widget: edit time ending, with Extend", edit_time_warning),
        ("widget: new comments waiting", new_comments_waiting),
        ("widget: new comment shown", new_comment_shown),
    ]


def moderation_states(page: Any, base: str, ids: dict[str, int]) -> list[tuple[str, Callable]]:
    mod = base + "/moderation"

    def login_blank() -> None:
        page.context.clear_cookies()
        page.goto(mod + "/login")

    def login_error() -> None:
        page.get_by_label("Name").fill("mod")
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        page.locator("#login-error").wait_for()  # the page's other alert region is empty

    def sign_in() -> None:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator("#cards").wait_for()

    def queue(status: str) -> Callable[[], None]:
        return lambda: page.goto(f"{mod}/?status={status}")

    def help_dialog() -> None:
        page.goto(f"{mod}/?status=pending")
        page.locator("body").press("?")
        page.get_by_role("dialog").wait_for()

    def ban_dialog() -> None:
        page.keyboard.press("Escape")
        page.locator("body").press("j")
        page.keyboard.press("b")
        page.get_by_role("dialog").wait_for()

    def decided() -> None:
        page.keyboard.press("Escape")
        page.locator("body").press("j")
        page.keyboard.press("r")
        page.locator("#announcer p").wait_for()

    def site_refused() -> None:
        page.goto(f"{mod}/sites/default")
        page.get_by_label("Most links").fill("500")
        page.get_by_role("button", name="Save settings").click()
        page.wait_for_load_state()

    return [
        ("moderation: sign in", login_blank),
        ("moderation: sign in refused", login_error),
        ("moderation: queue pending", sign_in),
        *[
            (f"moderation: queue {s}", queue(s))
            for s in ("spam", "reported", "published", "rejected", "deleted")
        ],
        ("moderation: shortcuts dialog", help_dialog),
        ("moderation: ban dialog", ban_dialog),
        ("moderation: decision announced", decided),
        ("moderation: history", lambda: page.goto(f"{mod}/comments/{ids['rejected']}")),
        ("moderation: pages", lambda: page.goto(f"{mod}/pages")),
        ("moderation: site settings", lambda: page.goto(f"{mod}/sites/default")),
        ("moderation: site settings refused", site_refused),
        ("moderation: bans", lambda: page.goto(f"{mod}/bans")),
        ("moderation: statistics", lambda: page.goto(f"{mod}/stats")),
        ("moderation: e-mail settings", lambda: page.goto(f"{mod}/settings")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--axe", default=os.environ.get("AXE_PATH", "/tmp/axe/node_modules/axe-core/axe.min.js")
    )
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    parser.add_argument("--details", action="store_true", help="List every failing node.")
    options = parser.parse_args()
    if not Path(options.axe).exists():
        sys.exit(f"no axe-core at {options.axe}: cd /tmp/axe && npm install axe-core")

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="a11y-audit-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'comments.db'}",
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": "0",
    }
    flask(env, "db", "upgrade")
    # An admin sees every page a moderator does, and the Site page's form and its errors too.
    flask(env, "users", "create", "mod", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    token = flask(env, "users", "token", "mod").strip().splitlines()[-1]
    report: dict[str, dict[str, Any]] = {}
    with serve(
        env["DATABASE_URL"],
        work / "server.log",
        workers=1,
        threads=4,
        env={"SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "0"},
    ) as server:
        ids = seed(server.url, token)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=options.chromium, headless=True, args=CHROMIUM_ARGS
            )
            for variant, (scheme, width) in VARIANTS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": 900},
                    color_scheme=scheme,
                    locale="en-GB",
                    # the pages' CSP would refuse axe's script
                    bypass_csp=True,
                )
                context.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if urlsplit(route.request.url).hostname == "127.0.0.1"
                        else route.abort()
                    ),
                )
                page = context.new_page()
                page.set_default_timeout(20_000)
                states = [
                    *widget_states(page, server.url),
                    *moderation_states(page, server.url, ids),
                ]
                for name, prepare in states:
                    prepare()
                    for violation in run_axe(page, options.axe):
                        entry = report.setdefault(f"{name} [{variant}]", {})
                        entry[violation["id"]] = (
                            violation["nodes"] if options.details else len(violation["nodes"])
                        )
                context.close()
            browser.close()
    by_rule: dict[str, int] = {}
    for rules in report.values():
        for rule, nodes in rules.items():
            by_rule[rule] = by_rule.get(rule, 0) + (nodes if isinstance(nodes, int) else len(nodes))
    print(
        json.dumps(
            {
                "axe": axe_version(options.axe),
                "tags": TAGS,
                "by_rule": by_rule,
                "total_nodes": sum(by_rule.values()),
                "by_page": report,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
