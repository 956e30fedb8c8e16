"""The widget on pages in other languages and scripts, with the API answered by the test
(FakeApi in browser_support): a page whose lang is not a tag Intl accepts, and comments
written right to left (Arabic, Hebrew) among left-to-right ones.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from browser_support import NOW, THREAD, FakeApi, LiveServer, Widget, comment
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser


def open_host_page(page: Page, live_server: LiveServer, html_attrs: str) -> None:
    """A blog post on the service's origin whose <html> carries html_attrs."""
    url = f"{live_server.url}/host-page"
    body = f"""<!doctype html><html {html_attrs}><head><meta charset="utf-8">
<title>A post</title></head><body><h1>A post</h1>
<div id="comments" data-thread="{THREAD}"></div>
<script src="{live_server.url}/embed.js" defer></script></body></html>"""

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route(url, serve)
    page.goto(url)


@pytest.mark.parametrize(
    ("lang", "date"),
    [
        ("en_US", "November 28, 2026"),
        ("de_DE", "28. November 2026"),  # read as de-DE
        ("english (UK)", None),  # no tag at all: the browser's language
    ],
)
def test_a_page_lang_intl_refuses_still_gets_the_widget(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer, lang: str, date: str | None
) -> None:
    # "en_US" is how many CMSs write a locale; Intl refused it, the script threw at load and
    # readers saw no comments and no form at all.
    api.pages[None] = {"comments": [comment(1, author_name="Ann")], "total": 1, "next": None}
    open_host_page(page, live_server, f'lang="{lang}"')
    expect(widget.form).to_be_visible()
    expect(widget.count).to_have_text("1 Comment")
    if date is None:
        date = page.evaluate(
            "(iso) => new Intl.DateTimeFormat(navigator.language, {dateStyle: 'long'})"
            ".format(new Date(iso))",
            NOW,
        )
    expect(widget.comment("Comment number 1.").locator("time")).to_have_text(date)


DIRECTIONS = """(root) => [...root.querySelectorAll(':scope > *')].map(
  (e) => e.localName + ' ' + (e.matches(':dir(rtl)') ? 'rtl' : 'ltr'))"""


def test_right_to_left_comments_and_names_read_right_to_left(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    # Each block of a comment, and each name, takes its direction from its own text: an Arabic
    # paragraph among English ones is right-aligned with its full stop at its end, not reordered.
    html = (
        "<p>مرحبا بالعالم، هذا تعليق على المقال.</p><p>An English paragraph.</p>"
        "<blockquote><p>ציטוט בעברית.</p></blockquote><ul><li>שלום</li><li>עולם</li></ul>"
    )
    api.pages[None] = {
        "comments": [comment(1, author_name="محمد", html=html), comment(2, author_name="Ann")],
        "total": 2,
        "next": None,
    }
    open_host_page(page, live_server, 'lang="en"')
    expect(widget.count).to_have_text("2 Comments")
    arabic = widget.comment("مرحبا بالعالم")
    body = arabic.locator(".cw-body")
    assert body.evaluate(DIRECTIONS) == ["p rtl", "p ltr", "blockquote rtl", "ul rtl"]
    assert arabic.locator(".cw-author").evaluate("(e) => e.matches(':dir(rtl)')")
    first = body.locator("p").first
    assert first.evaluate("(e) => getComputedStyle(e).textAlign") in ("start", "right")
    left, right = first.evaluate(
        "(p) => { const r = document.createRange(); r.selectNodeContents(p);"
        " const box = r.getBoundingClientRect(), own = p.getBoundingClientRect();"
        " return [box.left - own.left, own.right - box.right]; }"
    )
    assert right < 1 < left, "an Arabic paragraph starts at the right"
    english = widget.comment("Comment number 2.")
    assert english.locator(".cw-body").evaluate(DIRECTIONS) == ["p ltr"]

    # What a reader types runs in its own direction too.
    widget.comment_box.fill("שלום, זו תגובה.")
    widget.name.fill("محمد")
    assert widget.comment_box.evaluate("(e) => e.matches(':dir(rtl)')")
    assert widget.name.evaluate("(e) => e.matches(':dir(rtl)')")
    widget.comment_box.fill("Hello")
    assert widget.comment_box.evaluate("(e) => e.matches(':dir(ltr)')")


LANGS = """(root) => [...root.querySelectorAll(
  'label, .cw-hint, .cw-body > p, .cw-author, time, textarea, input[name=author_name], .cw-count'
)].map((e) => e.localName + '.' + e.className
  + ' ' + (e.closest('[lang]')?.getAttribute('lang') ?? '-')
  + ' ' + (e.matches(':dir(rtl)') ? 'rtl' : 'ltr'))"""


def test_the_widgets_english_is_english_on_an_arabic_page(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    # The widget's words are English; on a right-to-left page they were laid out right to left
    # (".Never shown publicly", "Comments 2") and read with the page's voice. Readers' text
    # keeps the page's language; times are marked with the language they are written in.
    just_now = datetime.now(UTC).isoformat()
    api.pages[None] = {
        "comments": [
            comment(1, author_name="محمد", html="<p>مرحبا بالعالم.</p>", created_at=just_now),
            comment(2, author_name="Ann"),
        ],
        "total": 2,
        "next": None,
    }
    open_host_page(page, live_server, 'lang="ar" dir="rtl"')
    expect(widget.count).to_have_text("2 Comments")
    found = set(widget.root.evaluate(LANGS))
    for shown in (
        "label. en ltr",  # "Name", "Email", ...
        "p.cw-hint en ltr",  # "Never shown publicly."
        "h2.cw-count en ltr",
        "p. ar rtl",  # the comment's paragraph
        "span.cw-author ar rtl",
        "span.cw-author ar ltr",  # Ann
        "time. ar ltr",  # in the widget's left-to-right line, its text in Arabic
        "textarea. ar ltr",  # empty: left to right until an Arabic letter is typed
        "input. ar ltr",
    ):
        assert shown in found, (shown, sorted(found))
    expect(widget.comment("مرحبا").locator("time")).to_have_text("الآن")  # "just now"


def test_controls_name_their_comment_in_english_on_a_german_page(
    page: Page, widget: Widget, api: FakeApi, live_server: LiveServer
) -> None:
    """Times are shown in the page's language, but a control's name is the widget's English
    sentence, so its time is English too: not "Report Ann's comment, jetzt"."""
    just_now = datetime.now(UTC).isoformat()
    api.pages[None] = {
        "comments": [comment(1, author_name="Ann", created_at=just_now), comment(2)],
        "total": 2,
        "next": None,
    }
    open_host_page(page, live_server, 'lang="de"')
    ann = widget.comment("Ann")
    expect(ann.locator("time")).to_have_text("jetzt")
    expect(ann.get_by_role("button", name="Report Ann's comment, just now")).to_be_visible()
    older = widget.comment("Comment number 2.")  # NOW, in November 2026: shown as a date
    expect(older.locator("time")).to_have_text(re.compile(r"^\d+\. November 2026$"))
    name = re.compile(r"^Report Reader 2's comment, November \d+, 2026 at \d+:\d\d [AP]M$")
    expect(older.get_by_role("button", name=name)).to_be_visible()
