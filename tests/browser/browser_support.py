"""Helpers shared by the browser tests: the live server handle, the page watcher, the widget,
and FakeApi, which answers /api/v1/ for the widget tests that provoke what the real service
rarely does on demand (hostile stored data, several pages, 429, 5xx, dropped connections)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from playwright.sync_api import ConsoleMessage, Locator, Page, Route

CSP_PREFIX = "CSP violation:"

# WCAG 2.x contrast of an element's text on what is really behind it: the computed backgrounds
# of it and its ancestors laid over each other from a white canvas down (the widget's cards and
# buttons are translucent or transparent, on purpose, so they take the page's colour).
_CONTRAST = """(element) => {
  const parse = (text) => {
    const [r, g, b, a = 1] = (text.match(/[\\d.]+/g) || []).map(Number);
    return [r, g, b, a];
  };
  const over = ([r, g, b, a], [br, bg, bb]) =>
    [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const chain = [];
  for (let node = element; node; node = node.parentElement) chain.unshift(node);
  let background = [255, 255, 255];
  for (const node of chain) background = over(parse(getComputedStyle(node).backgroundColor),
                                              background);
  const text = over(parse(getComputedStyle(element).color), background);
  const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""


def contrast_ratio(locator: Locator) -> float:
    """The contrast of the element's text on the page behind it, as WCAG computes it."""
    return float(locator.evaluate(_CONTRAST))


#: A moderator's decision on a comment (by id), through the moderation API: the `decide` fixture.
Decide = Callable[[int | str, str], None]


@dataclass
class LiveServer:
    url: str
    log_path: Path
    database_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class OtherSite:
    """A third-party blog on its own loopback origin that serves whatever pages a test sets.

    A real server, not a Playwright route: Chromium applies its local-network rules to the
    address a page really came from.
    """

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, dict[str, str]]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, headers = pages.get(self.path, ("not found", {}))
                payload = body.encode()
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Blog:
    """A site of its own on another origin (the `blog` fixture), where others' comments are
    published at once; url(...) makes a post page with the widget."""

    site: str
    live_app: Flask
    other_site: OtherSite
    server: str
    thread: str = "/post"
    pages: list[str] = field(default_factory=list)

    def url(self, **attributes: str) -> str:
        path = f"/{self.site}/{len(self.pages)}"
        extra = " ".join(f'data-{name.replace("_", "-")}="{v}"' for name, v in attributes.items())
        self.other_site.pages[path] = (
            f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Live</title>
</head><body><main><h1>A post</h1><div id="comments" data-site="{self.site}"
data-thread="{self.thread}" {extra}></div></main>
<script src="{self.server}/embed.js" defer></script></body></html>""",
            {},
        )
        self.pages.append(path)
        return self.other_site.origin + path

    def publish(self, body: str, name: str = "Bob", parent_id: int | None = None) -> Any:
        """Someone else's comment, published at once (it is kind and the site holds none): the
        POST's answer, with its edit token."""
        response = self.live_app.test_client().post(
            "/api/v1/comments",
            json={
                "site": self.site,
                "thread": self.thread,
                "body": body,
                "author_name": name,
                "parent_id": parent_id,
            },
        )
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["status"] == "published"
        return response.get_json()

    def post(self, body: str, name: str = "Bob", parent_id: int | None = None) -> int:
        """The same, its id."""
        return int(self.publish(body, name, parent_id)["id"])


@dataclass
class PageIssues:
    """Everything a page did that a clean run should not do."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    #: HTTP statuses a test provokes on purpose; Chromium logs each as a console error.
    expected_statuses: set[int] = field(default_factory=set)
    #: Whether the test breaks connections on purpose (logged as net::ERR_...).
    expect_network_errors: bool = False
    #: Whether the page is on an origin the service refuses on purpose (Chromium logs each
    #: answer it may not read as "... has been blocked by CORS policy").
    expect_cors_refusals: bool = False
    #: CSP directives a test expects to be reported (and enforced), e.g. "script-src-attr".
    expected_csp_directives: set[str] = field(default_factory=set)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        if text.startswith(CSP_PREFIX):
            directive = text.removeprefix(CSP_PREFIX).split()[0]
            if directive not in self.expected_csp_directives:
                self.csp_violations.append(text)
            return
        if "content security policy" in text.lower():
            # Chromium's own wording of a violation; the listener above reports it with its
            # directive, so only count it here when the test expects none.
            if not self.expected_csp_directives:
                self.csp_violations.append(text)
            return
        if any(f"status of {status} " in text for status in self.expected_statuses):
            return
        if self.expect_network_errors and "net::ERR_" in text:
            return
        if self.expect_cors_refusals and "has been blocked by CORS policy" in text:
            return
        self.console_errors.append(text)

    def unexpected(self) -> dict[str, list[str]]:
        found = {
            "console errors": self.console_errors,
            "uncaught exceptions": self.page_errors,
            "dialogs": self.dialogs,
            "CSP violations": self.csp_violations,
            "requests to other hosts": self.blocked_requests,
        }
        return {name: items for name, items in found.items() if items}


class Widget:
    """The comment widget as a reader sees it: found by roles and labels, as people find it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.root = page.locator("#comments")
        self.form = self.root.get_by_role("form", name="Leave a comment")
        self.comment_box = self.root.get_by_role("textbox", name="Comment")
        self.name = self.root.get_by_role("textbox", name="Name", exact=True)
        self.email = self.root.get_by_role("textbox", name="Email", exact=True)
        self.website = self.root.get_by_role("textbox", name="Website", exact=True)
        self.save_details = self.root.get_by_role(
            "checkbox", name="Save my name, email, and website"
        )
        self.submit = self.root.get_by_role("button", name="Post Comment")
        self.status = self.root.locator(".cw-form-status")
        self.summary = self.root.get_by_role("alert")
        self.count = self.root.locator(".cw-count")
        self.thread = self.root.locator(".cw-thread")

    def open(self, base_url: str) -> None:
        self.page.goto(base_url + "/")
        self.form.wait_for()

    def comment(self, text: str) -> Locator:
        """The <li> of the comment whose own card (not its replies) contains ``text``."""
        card = self.page.locator(":scope > .cw-card", has_text=text)
        return self.root.locator(".cw-comment").filter(has=card)

    def write(self, body: str, name: str = "", email: str = "", website: str = "") -> None:
        self.comment_box.fill(body)
        for box, value in ((self.name, name), (self.email, email), (self.website, website)):
            box.fill(value)

    def post(self, body: str, name: str = "", email: str = "", website: str = "") -> None:
        self.write(body, name, email, website)
        self.submit.click()


# --- the API as the widget tests answer it ----------------------------------------------

THREAD = "/2024/11/north-korea-backs-russia"
NOW = "2026-11-27T23:50:00+00:00"

Answer = dict[str, Any] | Callable[[Route], None]


def comment(id_: int, parent_id: int | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "parent_id": parent_id,
        "author_name": f"Reader {id_}",
        "author_url": None,
        "html": f"<p>Comment number {id_}.</p>",
        "created_at": NOW,
        **fields,
    }


@dataclass
class FakeApi:
    """Answers /api/v1/ requests from canned pages and a queue of POST answers."""

    pages: dict[str | None, dict[str, Any]] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    post_headers: list[dict[str, str]] = field(default_factory=list)
    cursors: list[str | None] = field(default_factory=list)
    tokens_issued: int = 0
    #: The form token's min_seconds: how long a post waits after the token came.
    token_min_seconds: int = 0
    #: Answers to POST .../comments/ID/reports, in order (a callable answers the route itself,
    #: or keeps it waiting), and the bodies sent.
    report_answers: list[Answer] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    #: Answers to PATCH and DELETE .../comments/ID (one's own comment), in order.
    edit_answers: list[dict[str, Any]] = field(default_factory=list)
    #: Answers to POST .../comments/ID/edit-extensions, in order, and the tokens sent.
    extend_answers: list[dict[str, Any]] = field(default_factory=list)
    extend_tokens: list[str | None] = field(default_factory=list)
    #: Answers to POST .../comments/held (which of one's comments are still held), in order;
    #: when none is left, nothing is held and nothing is known. The bodies sent.
    held_answers: list[dict[str, Any]] = field(default_factory=list)
    held_asked: list[dict[str, Any]] = field(default_factory=list)
    #: How many of the next thread reads fail with a 503.
    failing_reads: int = 0
    #: Answers to the live checks (thread reads with since=), in order, the last one kept;
    #: and the (since, cursor) of each.
    changes: list[dict[str, Any]] = field(default_factory=list)
    since_asked: list[tuple[str, str | None]] = field(default_factory=list)
    #: Watermarks answered 410, as by a thread whose older tombstones were pruned.
    forgotten: set[str] = field(default_factory=set)

    def install(self, page: Page) -> None:
        page.route(re.compile(r"^http://127\.0\.0\.1:\d+/api/v1/"), self.handle)

    def handle(self, route: Route) -> None:
        request = route.request
        path = urlsplit(request.url).path
        if path.endswith("/form-token"):
            self.tokens_issued += 1
            route.fulfill(
                json={
                    "token": f"token-{self.tokens_issued}",
                    "min_seconds": self.token_min_seconds,
                    "replies_by_mail": True,
                }
            )
        elif path.endswith("/comments") and request.method == "GET":
            query = parse_qs(urlsplit(request.url).query)
            assert query["thread"] == [THREAD] and query["site"] == ["default"]
            cursor = query.get("cursor", [None])[0]
            if "since" in query:
                self.since_asked.append((query["since"][0], cursor))
            else:
                self.cursors.append(cursor)
            if self.failing_reads:
                self.failing_reads -= 1
                route.fulfill(status=503, json={"code": 503, "message": "Try later."})
                return
            if query.get("since", [""])[0] in self.forgotten:
                message = "Comments deleted since then are no longer remembered."
                errors = {"since": [message]}
                route.fulfill(status=410, json={"code": 410, "message": message, "errors": errors})
                return
            if "since" in query:
                nothing = {"comments": [], "total": 0, "next": None, "since": query["since"][0]}
                answer = self.changes.pop(0) if len(self.changes) > 1 else None
                route.fulfill(json=answer or (self.changes[0] if self.changes else nothing))
                return
            route.fulfill(json=self.pages.get(cursor, {"comments": [], "total": 0, "next": None}))
        elif re.search(r"/comments/\d+$", path) and request.method in ("PATCH", "DELETE"):
            route.fulfill(**self.edit_answers.pop(0))
        elif path.endswith("/comments") and request.method == "POST":
            self.posted.append(json.loads(request.post_data or "null"))
            self.post_headers.append(request.headers)
            answer = self.answers.pop(0)
            if callable(answer):
                answer(route)
            else:
                route.fulfill(**answer)
        elif path.endswith("/edit-extensions") and request.method == "POST":
            self.extend_tokens.append(request.headers.get("x-edit-token"))
            route.fulfill(**self.extend_answers.pop(0))
        elif path.endswith("/comments/held") and request.method == "POST":
            self.held_asked.append(json.loads(request.post_data or "null"))
            nothing = {"held": [], "published": [], "gone": [], "removed": []}
            route.fulfill(**(self.held_answers.pop(0) if self.held_answers else {"json": nothing}))
        elif path.endswith("/reports") and request.method == "POST":
            self.reports.append(json.loads(request.post_data or "null"))
            report_answer = self.report_answers.pop(0)
            if callable(report_answer):
                report_answer(route)
            else:
                route.fulfill(**report_answer)
        else:  # pragma: no cover - a request the contract does not know
            route.fulfill(status=404, json={"code": 404, "status": "Not Found", "message": path})


def created(payload: dict[str, Any], status: str = "published", id_: int = 100) -> dict[str, Any]:
    body = {
        "id": id_,
        "status": status,
        "html": "<p>" + payload.get("body", "") + "</p>",
        "parent_id": payload.get("parent_id"),
        "author_name": payload.get("author_name", ""),
        "author_url": payload.get("author_url") or None,
        "created_at": NOW,
    }
    return {"status": 201, "json": body}


def own(
    payload: dict[str, Any], id_: int = 100, seconds: float = 600, status: str = "published"
) -> dict[str, Any]:
    """A comment as its poster gets it: with the edit token, its window and the window's
    extensions left."""
    answer = created(payload, status=status, id_=id_)
    until = datetime.now(UTC) + timedelta(seconds=seconds)
    answer["json"].update(
        edit_token=f"edit-{id_}", editable_until=until.isoformat(), edit_extensions_left=10
    )
    return answer


def wait_until(page: Page, condition: Callable[[], bool], seconds: float) -> None:
    """Waits in Playwright, not time.sleep: events reach the test only while it does."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)
