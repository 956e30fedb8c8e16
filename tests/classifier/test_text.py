"""The one normalisation: source artifacts and obfuscation land on the same text."""

from __future__ import annotations

import pytest

from classifier import normalize
from classifier.text import analyse, analyse_with_offsets

CASES = [
    ("Fish &amp; chips &#128514;", "fish & chips 😂"),
    ("line one<br />line two", "line one line two"),
    ("great song\ufeff", "great song"),
    ("RT @some_user: you said it", "you said it"),
    ("@USER @USER he is right URL", "@user @user he is right url"),
    ("see https://www.Example.com/a?b=1 now", "see url example.com now"),
    ("visit kidsmediausa.com today", "visit url kidsmediausa.com today"),
    ('<a href="http://spam.biz/x">click</a>', "url spam.biz click"),
    ("mail me: john.doe@example.org", "mail me: email"),
    ("#LockThemAllUp now", "lock them all up now"),
    ("id\u200biot", "idiot"),
    # fullwidth, mathematical bold, Cyrillic look-alikes, combining accent
    (
        "\uff49\uff44\uff49\uff4f\uff54 \U0001d422\U0001d41d\U0001d422\U0001d428\U0001d42d "
        "\u0456d\u0456\u043et nai\u0308ve",
        "idiot idiot idiot naive",
    ),
    ("you 1d10t, sh!t h3ll0", "you idiot, shit hello"),
    ("covid19 mp3 4chan 2nd", "covid19 mp3 4chan 2nd"),
    ("f u c k off", "fuck off"),
    ("stupiiiiiid!!!!!!", "stupiiid!!!"),
    ("I 've seen it , n't I ?", "i've seen it, n't i?"),
    ("== Reply == '''bold''' [[Page|link]] {{cite}}", "reply bold link"),
    ("signed 12:34, 9 October 2007 (UTC)", "signed"),
    ("by 192.168.0.1", "by ipaddr"),
    ("  lots \n\t of   space  ", "lots of space"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", [raw for raw, _ in CASES] + ["", "   ", "İstanbul ΟΔΟΣ ß ﬁ"])
def test_offset_twin_gives_identical_text(raw: str) -> None:
    """Scoring uses ``analyse``; explanations use the offset-tracking twin: same output."""
    doc, clean_offsets, norm_offsets = analyse_with_offsets(raw)
    assert doc == analyse(raw)
    assert len(norm_offsets.starts) == len(doc.norm) == len(norm_offsets.ends)
    assert len(clean_offsets.starts) == len(doc.clean)
    spans = zip(norm_offsets.starts, norm_offsets.ends, strict=True)
    assert all(0 <= a < b <= len(raw) for a, b in spans)


def test_training_and_scoring_share_the_normalisation(tiny_data) -> None:
    """Training analyses texts with the same function the scorer calls."""
    import classifier.model
    import classifier.training

    assert classifier.training.analyse is analyse
    assert classifier.model.analyse is analyse


def test_casing_is_kept_for_features_only() -> None:
    doc = analyse("YOU ARE WRONG @USER URL")
    assert doc.clean == "YOU ARE WRONG @user url"
    assert doc.norm == "you are wrong @user url"


def test_offsets_map_leet_back_to_original() -> None:
    raw = "what a 1d10t you are"
    doc, _, offsets = analyse_with_offsets(raw)
    start = doc.norm.index("idiot")
    assert raw[offsets.starts[start] : offsets.ends[start + 4]] == "1d10t"
