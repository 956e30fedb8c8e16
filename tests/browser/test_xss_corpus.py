"""Stored XSS: the whole shared corpus, in every user field, where people see it, in Chromium.

Every payload of ../shared/security/xss-payloads.txt is posted through the API in the body,
the author name and the website of a comment on a site that holds everything for moderation
(so each comment also carries the model's explanation, rendered as highlighted words). Then:

- the moderation queue, signed in as a moderator, 200 cards a page, every queue;
- comment pages (``/moderation/comments/<id>``), every XSS_DETAIL_EVERY-th comment (default
  40; 1 checks all 6,613, about 10 minutes); the card is the same template as the queue's;
- the widget, embed.js on another origin's page *without* a CSP, so an injected handler would
  really run, after a moderator approved everything: threads of 480, three API pages each.

Each page is checked for execution and audited (see xss_inspect.py); every comment must be
audited in every field it carries, and a finding names its payload. ``-rP`` prints the figures.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from browser_support import LiveServer, OtherSite, PageIssues
from flask import Flask
from playwright.sync_api import Page, expect
from xss_corpus import FIELDS, Corpus, StoredComment, read_back, store_corpus
from xss_inspect import MODERATION, MODERATION_DETAIL, WIDGET, Inspector

from comments.rendering import render, sanitize

pytestmark = pytest.mark.browser

SITE = "xss-corpus"
MODERATOR = "xss-moderator"
PASSWORD = "correct horse battery staple"
QUEUES = ("pending", "spam", "published", "rejected")
WIDGET_PAGE_SIZE = 200  # embed.js PER_PAGE
DETAIL_EVERY = int(os.environ.get("XSS_DETAIL_EVERY", "40"))
PAGE_TIMEOUT = 60_000


def _cli(app: Flask, *args: str, stdin: str | None = None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=stdin)
    assert result.exit_code == 0, f"flask {' '.join(args)}: {result.output}"
    return str(result.output)


@pytest.fixture(scope="module")
def corpus(live_app: Flask, other_site: OtherSite) -> Corpus:
    """Every payload stored once (about a minute), on a site that holds every comment."""
    _cli(live_app, "sites", "create", SITE, "--origin", other_site.origin, "--moderation", "all")
    role = ("--role", "moderator", "--password-stdin")
    _cli(live_app, "users", "create", MODERATOR, *role, stdin=PASSWORD)
    started = time.monotonic()
    stored = store_corpus(live_app, SITE, uuid.uuid4().hex[:8])
    print(f"\nstored {len(stored.comments)} comments in {time.monotonic() - started:.0f} s")
    return stored


NewInspector = Callable[[str], Inspector]


@pytest.fixture
def inspector(page: Page, page_issues: PageIssues, corpus: Corpus) -> Iterator[NewInspector]:
    """Built by each test after it signs in, so the sign-in's redirects are not findings."""
    made: list[Inspector] = []

    def build(surface: str) -> Inspector:
        made.append(Inspector(page, page_issues, surface, corpus))
        return made[-1]

    yield build
    for each in made:
        print(each.figures())


#: Rendered the way the widget renders comments, but unsafely, one trick per comment: what the
#: probe must report: (comment id, the unsafe markup).
UNSAFE = [
    (1, '<p onmouseover="alert(1)">hover</p>'),
    (2, '<img src="/missing.png" onerror="prompt(2)">'),
    (3, '<a href="javascript:confirm(3)">click</a>'),
    (4, '<details open ontoggle="alert(4)"><summary>x</summary></details>'),
    (5, '<p onclick="setTimeout(() => alert(5))">deferred</p>'),
    (6, "<p>no script, but a <b>name</b> that is not text</p>"),
]


def test_the_probe_reports_what_an_unsafe_renderer_lets_through(
    page: Page, page_issues: PageIssues, other_site: OtherSite
) -> None:
    """Zero findings only mean something if the probe finds these; one page, a second."""
    comments = {
        number: StoredComment(
            number, number - 1, "/probe", "published", markup, markup, "Ann", None
        )
        for number, markup in UNSAFE
    }
    probe = Corpus([markup for _, markup in UNSAFE], SITE, ["/probe"], comments)
    cards = "".join(
        f'<li class="cw-comment" data-id="{number}"><article class="cw-card">'
        f'<header class="cw-meta"><span class="cw-author">'
        f"{'<b>Ann</b>' if number == 6 else 'Ann'}</span></header>"
        f'<div class="cw-body">{markup}</div></article></li>'
        for number, markup in UNSAFE
    )
    other_site.pages["/xss-probe"] = (
        f'<!doctype html><div id="comments"><ol class="cw-thread">{cards}</ol></div>',
        {},
    )
    inspector = Inspector(page, page_issues, "unsafe widget", probe)
    inspector.open(other_site.origin + "/xss-probe")
    inspector.check(WIDGET, list(comments.values()))
    ran = {f.comment for f in inspector.findings if f.kind == "ran"}
    flagged = {f.comment for f in inspector.findings if f.kind == "dangerous node"}
    assert ran == {1, 2, 3, 4, 5}, inspector.report()
    assert flagged == {1, 2, 3, 4, 5, 6}, inspector.report()
    assert "payload 2 '<img" in inspector.report()


def test_every_payload_is_stored_or_cleanly_refused(corpus: Corpus) -> None:
    total = len(corpus.payloads)
    assert total == 6613
    assert corpus.unexpected == [], f"answers that were not 201/400/422: {corpus.unexpected[:5]}"
    for refusal in corpus.refusals:
        field = refusal.field.split(" ")[0]
        answer = refusal.answer
        assert answer["code"] == refusal.status and isinstance(answer["message"], str)
        assert all(isinstance(message, str) for message in answer["errors"][field])
    carried = {name: {c.payload for c in corpus.carrying_comments(name)} for name in FIELDS}
    everything = set(range(total))
    assert carried["body"] | set(corpus.refused("body")) == everything
    assert carried["author_name"] | set(corpus.refused("author_name")) == everything
    as_typed = everything - set(corpus.refused("author_url (as typed)"))
    in_address = everything - as_typed - set(corpus.refused("author_url (in an address)"))
    assert carried["author_url"] == as_typed | in_address
    # What is stored is what the renderer makes, and sanitising it again changes nothing.
    for comment in corpus.comments.values():
        assert sanitize(comment.body_html) == comment.body_html, comment.payload
        assert render(comment.body) == comment.body_html, comment.payload
    refused = Counter(refusal.field for refusal in corpus.refusals)
    print(
        f"\n{total} payloads stored as: body {len(carried['body'])}, name "
        f"{len(carried['author_name'])}, website {len(as_typed)} as typed and "
        f"{len(in_address)} inside an address; refused with 400/422: {dict(refused)}; "
        f"statuses {dict(corpus.statuses())}"
    )


def _sign_in(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/moderation/login")
    page.get_by_label("Name").fill(MODERATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Statistics")).to_be_visible()


def _assert_all_audited(inspector: Inspector, corpus: Corpus) -> None:
    assert inspector.findings == [], inspector.report()
    for name in FIELDS:
        missing = corpus.carrying(name) - inspector.audited[name]
        assert not missing, f"{len(missing)} never audited in {name}: {sorted(missing)[:10]}"


def test_moderation_queue_shows_every_payload_inertly(
    page: Page, live_server: LiveServer, corpus: Corpus, inspector: NewInspector
) -> None:
    _sign_in(page, live_server)
    queue = inspector("moderation queue")
    comments = sorted(corpus.comments.values(), key=lambda c: c.id)
    for status in QUEUES:
        url = f"{live_server.url}/moderation/?status={status}&site={SITE}&sort=oldest&per_page=200"
        while url:
            queue.open(url)
            queue.check(MODERATION, comments)
            url = page.evaluate("() => document.querySelector('a[rel=next]')?.href ?? null")
    assert queue.cards == len(corpus.comments)  # each comment once, in its own queue
    _assert_all_audited(queue, corpus)


def test_moderation_comment_pages_show_payloads_inertly(
    page: Page, live_server: LiveServer, corpus: Corpus, inspector: NewInspector
) -> None:
    _sign_in(page, live_server)
    detail = inspector("comment pages")
    sample = sorted(corpus.comments.values(), key=lambda c: c.id)[::DETAIL_EVERY]
    for comment in sample:
        detail.open(f"{live_server.url}/moderation/comments/{comment.id}")
        detail.check(MODERATION_DETAIL, [comment])
    assert detail.findings == [], detail.report()
    assert detail.cards == len(sample)
    for name in FIELDS:
        carrying = {c.id for c in sample if name in c.fields()}
        assert detail.audited[name] == carrying


def _approve_everything(app: Flask, corpus: Corpus) -> Corpus:
    """A moderator approves every held comment through the API, so readers can see it."""
    token = _cli(app, "users", "token", MODERATOR).strip().splitlines()[-1]
    client = app.test_client()
    held = sorted(c.id for c in corpus.comments.values() if c.status != "published")
    for start in range(0, len(held), 500):
        response = client.post(
            "/api/v1/moderation/decisions",
            json={"action": "approve", "ids": held[start : start + 500], "reason": "XSS corpus"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.get_json()
        assert all(result["ok"] for result in response.get_json()["results"])
    posted = {c.id: (c.payload, c.thread) for c in corpus.comments.values()}
    corpus.comments = read_back(app, posted)
    return corpus


def test_widget_shows_every_payload_inertly(
    page: Page,
    live_server: LiveServer,
    other_site: OtherSite,
    live_app: Flask,
    corpus: Corpus,
    inspector: NewInspector,
) -> None:
    _approve_everything(live_app, corpus)
    assert corpus.statuses() == Counter(published=len(corpus.comments))
    widget = inspector("widget")
    api_pages: list[str] = []
    page.on("request", lambda r: api_pages.append(r.url) if "/api/v1/comments?" in r.url else None)
    for number, thread in enumerate(corpus.threads):
        path = f"/xss-corpus/{number}"
        other_site.pages[path] = (_host_page(live_server.url, thread), {})
        comments = corpus.in_thread(thread)
        before = len(api_pages)
        widget.open(other_site.origin + path)
        count = page.locator("#comments .cw-count")
        expect(count).to_have_text(f"{len(comments)} Comments", timeout=PAGE_TIMEOUT)
        expect(page.locator("li.cw-comment")).to_have_count(len(comments))
        assert len(api_pages) - before == -(-len(comments) // WIDGET_PAGE_SIZE)
        widget.check(WIDGET, comments)
    _assert_all_audited(widget, corpus)


def _host_page(service: str, thread: str) -> str:
    """A third-party post embedding the widget, with no CSP: an injected handler would run."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>XSS corpus</title>'
        f'</head><body><div id="comments" data-site="{SITE}" data-thread="{thread}"></div>'
        f'<script src="{service}/embed.js" defer></script></body></html>'
    )
