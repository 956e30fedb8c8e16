"""Markdown subset to safe HTML, checked against the shared XSS corpus."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from comments.rendering import ALLOWED_TAGS, link_targets, render, sanitize
from comments.text import clean_line, clean_multiline

PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "security" / "xss-payloads.txt"


class DangerAudit(HTMLParser):
    """Collects any tag outside the allow-list, any on* attribute and any unsafe URL."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "src", "srcdoc", "formaction"}:
                self.problems.append(f"attribute {name}")
            if name == "href" and not re.match(r"^(https?:|mailto:)", value or "", re.I):
                self.problems.append(f"href {value}")


def audit(html: str) -> list[str]:
    parser = DangerAudit()
    parser.feed(html)
    return parser.problems


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("*em* and **strong**", "<p><em>em</em> and <strong>strong</strong></p>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("`x < y`", "<p><code>x &lt; y</code></p>"),
        ("line one\nline two", "<p>line one<br>\nline two</p>"),
        (
            "[site](https://example.org)",
            '<p><a href="https://example.org" rel="nofollow ugc noopener">site</a></p>',
        ),
        ("# not a heading", "<p># not a heading</p>"),
        (
            "[x](/relative) [y](//elsewhere.example)",
            "<p>[x](/relative) [y](//elsewhere.example)</p>",
        ),
        ("<b>raw html</b>", "<p>&lt;b&gt;raw html&lt;/b&gt;</p>"),
    ],
)
def test_markdown_subset(markdown: str, html: str) -> None:
    assert render(markdown) == html


def test_images_and_dangerous_links_never_render() -> None:
    html = render("![pixel](https://tracker.example/p.gif) [x](javascript:alert(1)) [d](data:x)")
    assert "<img" not in html and "javascript:" not in html.replace("[x](javascript:", "")
    assert audit(html) == []


def test_whole_xss_corpus_leaves_no_dangerous_node_and_sanitising_is_idempotent() -> None:
    payloads = PAYLOADS.read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(payloads) > 6000
    failures = []
    for payload in payloads:
        html = render(clean_multiline(payload) or "x")
        problems = audit(html)
        if problems or sanitize(html) != html:
            failures.append((payload, problems))
    assert failures == []


class Links(HTMLParser):
    """The href of every <a>, as a browser reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.targets += [value or "" for name, value in attrs if name == "href"]


def test_link_targets_are_the_links_a_browser_finds_across_the_corpus() -> None:
    """The link count of the rules reads rendered HTML with a pattern; it must find exactly
    the links an HTML parser finds, whatever the text tried."""
    payloads = PAYLOADS.read_text(encoding="utf-8", errors="replace").splitlines()
    extra = ["cheap-pills.com and www.pills.example", "[https://a.example](https://a.example)"]
    mismatches = []
    for payload in [*payloads, *extra]:
        html = render(clean_multiline(payload) or "x")
        parser = Links()
        parser.feed(html)
        if link_targets(html) != parser.targets:
            mismatches.append((payload, html))
    assert mismatches == []
    assert link_targets(render(extra[0])) == ["http://cheap-pills.com"]
    assert link_targets(render(extra[1])) == ["https://a.example"]


def test_cleaning_one_line_fields() -> None:
    assert clean_line("  Ann\u200b \t Lee\u202e\n") == "Ann Lee"
    assert clean_multiline("a\r\nb\rc\u2028d\x00") == "a\nb\nc\nd"
