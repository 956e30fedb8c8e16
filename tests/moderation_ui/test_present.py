"""Highlighting and wording, without a database: the body and the explanation are hostile."""

from __future__ import annotations

import re
from typing import Any

import pytest

from comments.moderation_ui import charts, present
from comments.moderation_ui.stats import DayOutcomes, Overrules, Timing
from comments.services.moderation.decisions import DECISION_KEYS


def span(body: str, word: str, weight: float = 1.0) -> dict[str, Any]:
    start = body.index(word)
    return {"feature": word, "weight": weight, "start": start, "end": start + len(word)}


def marks(html: str) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html)


def test_highlight_wraps_exactly_the_explained_words_and_escapes_everything() -> None:
    body = '<script>alert("x")</script> you idiot & moron'
    explanation = {"toxicity": [span(body, "idiot", 1.2), span(body, "moron", 0.7)], "spam": []}
    html = str(present.highlight(body, explanation))
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert marks(html) == ["idiot", "moron"]
    assert "&amp;" in html
    assert (
        re.sub(r"<[^>]+>", "", html)
        .replace("&amp;", "&")
        .replace("&#34;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        == body
    )


def test_a_span_over_markup_characters_is_escaped_inside_the_mark() -> None:
    body = "click <b>here</b> now"
    html = str(present.highlight(body, {"spam": [span(body, "<b>here</b>")]}))
    assert marks(html) == ["&lt;b&gt;here&lt;/b&gt;"]
    assert 'class="hl hl-spam"' in html


def test_overlapping_spans_of_both_scores_are_split_not_nested() -> None:
    body = "buy cheap pills now"
    explanation = {
        "toxicity": [span(body, "cheap pills")],
        "spam": [span(body, "buy cheap")],
    }
    html = str(present.highlight(body, explanation))
    assert marks(html) == ["buy ", "cheap", " pills"]
    assert '<mark class="hl hl-toxicity hl-spam" title="raises toxicity and spam">cheap</mark>' in (
        html
    )
    assert "<mark" not in html.split("</mark>")[0].split(">", 1)[1]  # no nesting


@pytest.mark.parametrize(
    "entry",
    [
        {"start": -1, "end": 3, "weight": 1},
        {"start": 2, "end": 999, "weight": 1},
        {"start": 3, "end": 3, "weight": 1},
        {"start": "0", "end": "3", "weight": 1},
        {"start": True, "end": 3, "weight": 1},
        {"start": 0, "end": 3, "weight": -0.5},
        {"start": 0, "end": 3, "weight": float("nan")},
        {"start": 0, "end": 3, "weight": "1"},
        "not a dict",
    ],
)
def test_malformed_or_negative_spans_are_ignored(entry: Any) -> None:
    body = "hello <i>world</i>"
    html = str(present.highlight(body, {"toxicity": [entry]}))
    assert "<mark" not in html and "&lt;i&gt;" in html


@pytest.mark.parametrize("explanation", [None, {}, {"toxicity": "x"}, [1, 2], "text"])
def test_missing_explanations_leave_the_text_plain(explanation: Any) -> None:
    assert str(present.highlight("a <b> c", explanation)) == "a &lt;b&gt; c"


def test_every_occurrence_in_spans_is_marked() -> None:
    body = "idiot, you idiot"
    entry = {"feature": "idiot", "weight": 2.0, "start": 0, "end": 5, "spans": [[0, 5], [11, 16]]}
    html = str(present.highlight(body, {"toxicity": [entry]}))
    assert marks(html) == ["idiot", "idiot"]
    bad = {**entry, "spans": [[0, 5], [11, 99], "x", [True, 3]]}
    assert marks(str(present.highlight(body, {"toxicity": [bad]}))) == ["idiot"]
    assert [d.text for d in present.top_drivers(body, {"toxicity": [entry]})["toxicity"]] == [
        "idiot"
    ]


def test_cards_highlight_only_heads_with_a_score_worth_reading() -> None:
    body = "cheap idiot"
    explanation = {"toxicity": [span(body, "idiot")], "spam": [span(body, "cheap")]}
    item: dict[str, Any] = {
        "body": body,
        "explanation": explanation,
        "scores": {"toxicity": 0.9, "spam": 0.05},
        "status": "pending",
        "placeholder": False,
        "reports": [],
        "thread": {"url": None},
        "author": {"url": None},
    }
    card = present.card(item, None)
    assert marks(str(card["highlighted"])) == ["idiot"] and list(card["drivers"]) == ["toxicity"]
    unscored = present.card({**item, "scores": {"toxicity": None, "spam": None}}, None)
    assert marks(str(unscored["highlighted"])) == []


def test_top_drivers_are_distinct_and_strongest_first() -> None:
    body = "idiot IDIOT moron"
    explanation = {
        "toxicity": [
            {"start": 0, "end": 5, "weight": 0.5},
            {"start": 6, "end": 11, "weight": 0.9},
            {"start": 12, "end": 17, "weight": 0.7},
        ]
    }
    words = present.top_drivers(body, explanation)["toxicity"]
    assert [(d.text, d.weight) for d in words] == [("IDIOT", 0.9), ("moron", 0.7)]


@pytest.mark.parametrize(
    ("score", "words"),
    [
        (None, "not scored"),
        (0.0, "very unlikely"),
        (0.25, "unlikely"),
        (0.5, "uncertain"),
        (0.7, "likely"),
        (0.93, "very likely"),
        (1.0, "very likely"),
    ],
)
def test_scores_in_words(score: float | None, words: str) -> None:
    assert present.score_words(score) == words


@pytest.mark.parametrize(
    ("detail", "text"),
    [
        ({"score": 0.93, "threshold": 0.7}, "score 0.93; threshold 0.70"),
        # Rounded alike to two digits, a held score would look equal to its cut-off.
        ({"score": 0.99994, "threshold": 0.995865}, "score 1.000; threshold 0.996"),
        ({"score": 0.8134, "threshold": 0.8108}, "score 0.813; threshold 0.811"),
        ({"links": 4, "limit": 3}, "links 4; limit 3"),
    ],
)
def test_a_signal_tells_its_score_from_its_threshold(detail: dict[str, Any], text: str) -> None:
    assert present.detail_text(detail) == text


@pytest.mark.parametrize(
    ("status", "reports", "actions"),
    [
        ("pending", 0, ["approve", "reject", "spam"]),
        ("spam", 0, ["approve", "reject", "not_spam", "restore"]),
        ("published", 0, ["reject", "spam", "restore"]),
        ("published", 2, ["approve", "reject", "spam", "restore"]),
        ("rejected", 0, ["approve", "spam", "restore"]),
    ],
)
def test_only_legal_actions_get_buttons(status: str, reports: int, actions: list[str]) -> None:
    assert [a.name for a in present.legal_actions(status, reports)] == actions


def test_each_decision_has_its_own_key_and_not_spam_is_n() -> None:
    """Not spam is decided by key like the others; no two actions a card shows share one."""
    spam = present.legal_actions("spam", 0)
    assert [(a.name, a.key) for a in spam] == [
        ("approve", "a"),
        ("reject", "r"),
        ("not_spam", "n"),
        ("restore", "p"),
    ]
    assert "n" in DECISION_KEYS and len(DECISION_KEYS) == len(set(DECISION_KEYS))
    assert not set(DECISION_KEYS) & {"j", "k", "b", "x", "?"}  # moving, banning, selecting


@pytest.mark.parametrize(
    ("banned", "trusted", "name", "text"),
    [
        (False, False, "none", "—"),
        (False, True, "trusted", "trusted"),
        (True, False, "banned", "banned"),
        (True, True, "banned", "banned; trusted once the ban is lifted"),
    ],
)
def test_an_authors_standing_in_words(banned: bool, trusted: bool, name: str, text: str) -> None:
    # card.js redraws the card with the same words (test_browser_trust checks them after a reload).
    standing = present.author_standing({"banned": banned, "trusted": trusted})
    assert (standing.name, standing.text) == (name, text)


def test_only_web_addresses_become_links() -> None:
    assert present.web_link("https://example.org/a") == "https://example.org/a"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example", "example.org", None):
        assert present.web_link(bad) is None


def test_durations_read_naturally() -> None:
    assert [present.duration(s) for s in (None, 12, 600, 3 * 3600 + 1200, 50 * 3600)] == [
        "—",
        "12 s",
        "10 min",
        "3 h 20 min",
        "2 d 2 h",
    ]


def test_charts_are_self_contained_svg_with_escaped_labels() -> None:
    from datetime import date

    rows = [Overrules('v<script>"1', decided=10, reviewed=4, overruled=1)]
    svg = str(charts.overrule_chart(rows))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<script>" not in svg
    assert "v&lt;script&gt;&#34;1" in svg and "25% of 4" in svg
    days = [DayOutcomes(date(2026, 1, 1), published=3, pending=1), DayOutcomes(date(2026, 1, 2))]
    svg = str(charts.rates_chart(days))
    assert (
        svg.count("<polyline") == 3
        and "75%" in svg
        and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    )
    assert "No data yet" in str(charts.timing_chart(Timing(None, 0, [])))


def test_bar_labels_get_room_for_the_longest_one() -> None:
    """Labels are right-aligned at the bars' start: that x must leave room for every label."""
    short = str(charts.queue_sizes_chart({"pending": 1}, {"pending": "Pending"}))
    long = str(charts.queue_sizes_chart({"deleted": 1}, {"deleted": "Deleted by author"}))

    def label_x(svg: str) -> float:
        match = re.search(r'class="bar-label" x="([\d.]+)"', svg)
        assert match, svg
        return float(match.group(1))

    assert label_x(long) >= 8.5 * len("Deleted by author")  # no glyph left of x=0
    assert label_x(short) < label_x(long)


def test_punctuation_at_a_words_edge_is_not_highlighted_nor_listed_alone() -> None:
    """The model's features include punctuation: ", stupid" read as a word of its own, and
    "." as a word raising toxicity."""
    body = "Admit it, wrong, stupid sheep. Buy now!!!"
    explanation = {
        "toxicity": [
            span(body, "stupid", 2.2),
            span(body, ", stupid", 0.33),
            span(body, "wrong", 0.5),
            span(body, ".", 0.05),
        ],
        "spam": [span(body, "!!!", 0.4)],
    }
    assert marks(str(present.highlight(body, explanation))) == ["wrong", "stupid", "!!!"]
    listed = present.top_drivers(body, explanation)
    assert [d.text for d in listed["toxicity"]] == ["stupid", "wrong"]
    assert [d.text for d in listed["spam"]] == ["!!!"]
