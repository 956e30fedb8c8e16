"""Helpers shared by the browser tests: the live server handle, the page watcher, the widget."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Locator, Page

CSP_PREFIX = "CSP violation:"

# WCAG 2.x contrast of an element's text on its own background, both from computed styles
# (as rgb()/rgba() strings; a translucent colour is laid over the one beneath it).
_CONTRAST = """(element) => {
  const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const over = ([r, g, b, a = 1], [br, bg, bb]) =>
    [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(element);
  const background = parse(style.backgroundColor);
  if (background.length > 3 && background[3] < 1) throw new Error("translucent background");
  const text = over(parse(style.color), background);
  const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""


def contrast_ratio(locator: Locator) -> float:
    """The contrast of the element's text on its (opaque) background, as WCAG computes it."""
    return float(locator.evaluate(_CONTRAST))


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
