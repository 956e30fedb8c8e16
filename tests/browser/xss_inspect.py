"""Rendered comments in Chromium, checked two ways and blamed on the payload behind them.

(a) Execution: xss_probe.js replaces the dialog and code sinks with recorders, keeps CSP
reports, and pokes every node rendered from a comment with focus, mouse, click, animation and
other events; dialogs, uncaught errors, requests to other hosts (aborted by the context) and
unexpected navigations are collected by the fixtures and here. (b) DOM audit: each field's
zone may hold only its allow-listed tags and attributes, must show the stored text exactly,
and no node of a comment may be a script, frame, object, svg, math, image, form control, link,
meta or style, carry an on* handler or style, or point a URL attribute at javascript:, data: or
vbscript:.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from browser_support import PageIssues
from playwright.sync_api import Frame, Page
from xss_corpus import Corpus, StoredComment, describe

PROBE = Path(__file__).with_name("xss_probe.js")
#: What a comment body may contain once rendered (comments.rendering.ALLOWED_TAGS).
BODY_TAGS = ["p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li"]

WIDGET: dict[str, Any] = {
    "root": "#comments .cw-thread",
    "card": "li.cw-comment",
    "ownControls": [
        "button.cw-reply",
        "button.cw-report",
        # Built when a reader opens it, under the comment it reports.
        "form.cw-report-form",
        "form.cw-report-form :is(input, textarea, button)",
    ],
    "cardAttributes": {},
    "zones": [
        {
            "field": "body",
            "selector": ":scope > .cw-card > .cw-body",
            "required": True,
            "tags": BODY_TAGS,
            # dir and lang: the widget's own ("auto" on the body and its top-level blocks for
            # right-to-left text; the page's language on the body), never data.
            "attributes": {
                "div": ["class", "dir", "lang"],
                "p": ["dir"],
                "blockquote": ["dir"],
                "ul": ["dir"],
                "ol": ["start", "dir"],
                "a": ["href", "title", "rel"],
            },
            "counts": ["body"],
        },
        {
            "field": "author_name/author_url",
            "selector": ":scope > .cw-card > .cw-meta > .cw-author",
            "required": True,
            "tags": [],
            # id: the widget's own (cw1-card-2-author), which names the card; dir: "auto" for
            # a right-to-left name; lang: the page's; never data.
            "attributes": {
                "a": ["class", "href", "rel", "id", "dir", "lang"],
                "span": ["class", "id", "dir", "lang"],
            },
            "text": "author_name",
            "fallback": "Anonymous",
            "trim": True,
            "href": "author_url",
            "counts": ["author_name", "author_url"],
        },
    ],
    "pokeRoots": ":scope > .cw-card > :is(.cw-meta, .cw-body)",
}

_MODERATION_FORM = "form[action^='/moderation/']"
MODERATION: dict[str, Any] = {
    "root": "#cards",
    "card": "article.card",
    "ownControls": [
        _MODERATION_FORM,
        f"{_MODERATION_FORM} :is(input, textarea, button)",
        "input.select[form='bulk']",
        # The latest decision the card showed, sent back with a bulk decision: our own id.
        "input[type='hidden'][form='bulk'][name^='expected_decision_']",
        # The newest report the card showed, sent back with a bulk Keep: our own id.
        "input[type='hidden'][form='bulk'][name^='reports_seen_']",
    ],
    "cardAttributes": {"data-author": {"text": "author_name", "fallback": "Anonymous"}},
    "zones": [
        {
            "field": "body",
            "selector": ".comment-text",
            "required": True,
            "tags": ["mark"],
            # dir: "auto", so a right-to-left text reads as written; the page's, never data.
            "attributes": {"p": ["class", "dir"], "mark": ["class", "title"]},
            "text": "body",
            "counts": ["body"],
        },
        {
            "field": "body (highlighted words)",
            "selector": ".drivers dd",
            "tags": ["mark", "span"],
            "attributes": {"mark": ["class"], "span": ["class"]},
            "counts": [],
        },
        {
            "field": "author_name",
            "selector": ".author-name",
            "required": True,
            "tags": [],
            "attributes": {"dd": ["class", "dir"]},
            "text": "author_name",
            "fallback": "Anonymous",
            "counts": ["author_name"],
        },
        {
            "field": "author_url",
            "selector": ".author-url",
            "required": True,
            "tags": ["code"],
            "attributes": {"dd": ["class"], "code": ["class"]},
            "text": "author_url",
            "fallback": "—",
            "counts": ["author_url"],
        },
    ],
    "pokeRoots": ".comment-text, .drivers dd, .author dd, .parent",
}
#: Always poked with, whatever the corpus names: what a reader's pointer and keyboard do.
READER_EVENTS = [
    "focus",
    "focusin",
    "blur",
    "focusout",
    "mouseover",
    "mouseenter",
    "mousemove",
    "mousedown",
    "mouseup",
    "click",
    "dblclick",
    "contextmenu",
    "mouseout",
    "mouseleave",
    "pointerover",
    "pointerenter",
    "pointerdown",
    "pointerup",
    "animationstart",
    "animationiteration",
    "animationend",
    "transitionrun",
    "transitionend",
    "toggle",
    "load",
    "error",
]
_HANDLER = re.compile(r"\bon([a-z]+)\s*=", re.IGNORECASE)


def poke_events(payloads: list[str]) -> list[str]:
    """Every event type a handler in the corpus listens for, and a reader's own events; the
    probe keeps those the browser wires (onbegin, onpropertychange... are not)."""
    named = {match.lower() for payload in payloads for match in _HANDLER.findall(payload)}
    return sorted(named | set(READER_EVENTS))


#: A comment's own page: the same card, inside the page's main content with its history.
MODERATION_DETAIL: dict[str, Any] = {**MODERATION, "root": "main"}


@dataclass(frozen=True, slots=True)
class Finding:
    surface: str
    kind: str
    comment: int | None
    detail: str


@dataclass
class Inspector:
    """Checks pages of one surface; remembers what was audited and everything that went wrong."""

    page: Page
    issues: PageIssues
    surface: str
    corpus: Corpus
    findings: list[Finding] = field(default_factory=list)
    #: field -> ids of the comments whose field was rendered and audited on this surface.
    audited: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    cards: int = 0
    poked_nodes: int = 0
    pages: int = 0
    event_types: int = 0
    _events: list[str] = field(default_factory=list)
    _opened: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._events = poke_events(self.corpus.payloads)
        self.page.add_init_script(path=str(PROBE))
        self.page.on("framenavigated", self._navigated)

    def open(self, url: str) -> None:
        self._opened.add(url)
        self.page.goto(url, timeout=60_000)

    def _navigated(self, frame: Frame) -> None:
        if frame != self.page.main_frame:
            self._add("navigation", None, f"a frame inside the page loaded {frame.url[:200]}")
        elif frame.url not in self._opened and "/moderation/login" not in frame.url:
            self._add("navigation", None, f"the page went to {frame.url[:200]}")

    def _add(self, kind: str, comment: int | str | None, detail: str) -> None:
        number = int(comment) if comment not in (None, "") else None
        self.findings.append(Finding(self.surface, kind, number, detail))

    def check(self, spec: dict[str, Any], comments: list[StoredComment]) -> None:
        """Audit and poke every comment card on the current page; record what was covered."""
        on_page = set(
            self.page.eval_on_selector_all(
                f"{spec['root']} {spec['card']}", "cards => cards.map(card => card.dataset.id)"
            )
        )
        expected = {str(c.id): c.expected() for c in comments if str(c.id) in on_page}
        spec = {**spec, "events": self._events, "expected": expected}
        result = self.page.evaluate("spec => window.__xssProbe.check(spec)", spec)
        if result.get("error"):
            self._add("page", None, result["error"])
            return
        hits = result["hits"]
        if any(hit["id"] is None for hit in hits):  # deferred work: poke again, card by card
            again = self.page.evaluate(
                "spec => window.__xssProbe.check(spec)", {**spec, "settleEach": True}
            )
            hits = [hit for hit in hits if hit["id"] is not None] + again["hits"]
        unique = {(hit["sink"], hit["detail"], hit["id"]): hit for hit in hits}
        self.pages += 1
        self.poked_nodes += result["poked"]
        self.event_types = result["types"]
        for hit in unique.values():
            kind = "blocked by CSP" if hit["sink"] == "blocked by CSP" else "ran"
            self._add(kind, hit["id"], f"{hit['sink']}({hit['detail']})")
        for node in result["outside"]:
            self._add("dangerous node", node["id"], f"{node['detail']} {self.page.url}")
        known = {str(c.id): c for c in comments}
        for card in result["cards"]:
            comment = known.get(card["id"])
            if comment is None:
                continue  # not one of ours (another test's comment on a shared page)
            self.cards += 1
            for problem in card["problems"]:
                self._add("dangerous node", comment.id, problem)
            for name in set(card["fields"]) & comment.fields():
                self.audited[name].add(comment.id)
        self._drain_page_issues()

    def _drain_page_issues(self) -> None:
        """Console errors, uncaught exceptions, dialogs, CSP reports and requests to other
        hosts, collected by the page fixture, become findings of this page (and are consumed).
        """
        where = self.page.url
        for kind, items in self.issues.unexpected().items():
            for item in items:
                self._add(kind, None, f"{item[:200]} on {where}")
            items.clear()

    def report(self) -> str:
        """The findings grouped by payload, for an assertion message."""
        by_payload: dict[str, list[str]] = defaultdict(list)
        for finding in self.findings:
            comment = self.corpus.comments.get(finding.comment or 0)
            key = (
                f"payload {comment.payload + 1} {describe(self.corpus.payloads[comment.payload])}"
                if comment
                else "not tied to one comment"
            )
            by_payload[key].append(f"{finding.kind}: {finding.detail}")
        lines = [f"{len(self.findings)} finding(s) on the {self.surface}:"]
        for key, details in list(by_payload.items())[:40]:
            lines.append(f"- {key}")
            lines.extend(f"    {detail}" for detail in details[:5])
        return "\n".join(lines)

    def figures(self) -> str:
        covered = ", ".join(f"{name} {len(self.audited[name])}" for name in sorted(self.audited))
        return (
            f"{self.surface}: {self.pages} pages, {self.cards} comment cards audited "
            f"({covered}), {self.poked_nodes} nodes poked with {self.event_types} event types, "
            f"{len(self.findings)} findings"
        )
