"""The plain-text fast path of render() is an optimisation only: same output as Markdown + nh3."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from comments import rendering
from comments.rendering import _render_markdown, _render_plain_text, render
from comments.text import clean_multiline
from tests.comments.test_rendering import PAYLOADS

# Characters the fast path accepts, and near misses around them: Unicode spaces, NBSP,
# U+212A KELVIN SIGN and long s (ASCII letters under IGNORECASE), Cyrillic for `.рф`,
# joiners, BOM, controls, surrogates.
_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzKMTX0123456789"
    " \n\r\t!\"#$%&'()+,-./:;=>?^{|}~*_`[]<@\\"
    "é漢😀\u200d\ufeff\u00a0\u3000\u2028\u1680\u0085\x00\x0b\x1c"
    "\u212a\u017f\u0131\u0440\u0444\uff5c\ud800"
)
# Words and sequences that come close to Markdown or to a link, to combine with the above.
_FRAGMENTS = [
    *["example", ".com", ".org", ".de", ".\u0440\u0444", ".xn--p1ai", ".\u212az", "www.", "a.b"],
    *["localhost", "http:", "https:", "ftp:", "mailto:", "//", "://", "@", "user@", "e.g."],
    *["&amp;", "&#65;", "&#x41;", "&copy", "&nbsp;", "1.", "12)", "~~~", "```", "1.2.3.4", "3.14"],
    *["- ", "+ ", "* ", "> ", "    ", "  \n", " \n", "\n\n", "\n \n", "\r\n", "\r", "\t"],
]
_plain_ish = st.lists(
    st.sampled_from(_FRAGMENTS) | st.text(alphabet=_ALPHABET, max_size=6), max_size=25
).map("".join)
# Ordinary prose, built from the accepted alphabet only, so most examples take the fast path.
_prose = st.text(alphabet="abcdefghij XYZ09 ,.'\"!?()&>:;-/$%\u00e9\U0001f600\n\r", max_size=200)


def outcome(function: Callable[[str], str | None], text: str) -> str | type[Exception] | None:
    """A result or, for input nh3 rejects (lone surrogates), the kind of error."""
    try:
        return function(text)
    except Exception as error:
        return type(error)


def assert_same_as_markdown(text: str) -> None:
    expected = outcome(_render_markdown, text)
    assert outcome(render, text) == expected
    assert outcome(_render_plain_text, text) in (None, expected)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_prose)
@example("A line.  \r\n   next line & more > less\n\n\n\n  last  ")
def test_prose_renders_as_markdown_would(text: str) -> None:
    assert_same_as_markdown(text)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_plain_ish)
def test_near_markdown_renders_as_markdown_would(text: str) -> None:
    assert_same_as_markdown(text)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_renders_as_markdown_would(text: str) -> None:
    assert_same_as_markdown(text)


def test_xss_corpus_renders_as_markdown_would() -> None:
    payloads = PAYLOADS.read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(payloads) > 6000
    for payload in payloads:
        assert_same_as_markdown(payload)
        assert_same_as_markdown(clean_multiline(payload))


@pytest.mark.parametrize(
    "prose",
    [
        "Thanks for the clear summary, the point about the alliance's history was new to me.",
        "I disagree.\r\n\r\nThe 2019 figures (about 3.5% - not 5%) say otherwise!",
        'Tom & Jerry > Itchy & Scratchy, "obviously"; isn\'t it?\n  Second line   \n',
        "Très bien écrit 👍🏽 merci\u200d!",
        "10 reasons why: 1/ price, 2/ speed... #winning $5 {ok} | ^^ ~ fine",
    ],
)
def test_ordinary_prose_takes_the_fast_path(prose: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _render_markdown(prose)
    assert _render_plain_text(prose) == expected

    def full_path(body: str) -> str:
        raise AssertionError(f"render() took the full path for {body!r}")

    monkeypatch.setattr(rendering, "_render_markdown", full_path)
    assert render(prose) == expected


def test_fast_path_output() -> None:
    assert _render_plain_text('  a & b \r\nc > d\n \n\n"e"  ') == (
        '<p>a &amp; b<br>\nc &gt; d</p>\n<p>"e"</p>'
    )
    assert _render_plain_text(" \n\r\n ") == ""


@pytest.mark.parametrize(
    "markup",
    [
        "see example.com",
        "www.example.org",
        "write to ann@example.org",
        "http://example.org",
        "//example.org",
        "1. first",
        "2) second",
        "- item",
        "+ item",
        "> quote",
        "~~~",
        "    code",
        "&amp; &#38;",
        "*em* _em_ `code` [link] <b> \\*",
        "tab\tindent",
        "no\u00a0break",
        "NUL\x00",
    ],
)
def test_markup_takes_the_full_path(markup: str) -> None:
    assert _render_plain_text(markup) is None
    assert render(markup) == _render_markdown(markup)
