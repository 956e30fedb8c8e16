"""Explanations point at the original text and add up to the logit."""

from __future__ import annotations

import math

import pytest

TEXTS = [
    "You are a complete idiot, shut up",
    "what a 1d10t!!! Check out my channel http://www.WinBig.com/x?y=1 &amp; subscribe",
    "RT @someone: &#128514; you\u200b are an IMBECILE, loser",
    "  plain   text with  spaces  ",
]


@pytest.mark.parametrize("text", TEXTS)
def test_offsets_point_at_the_original_text(tiny_model, text: str) -> None:
    explanation = tiny_model.explain(text, top=50)
    assert set(explanation) == {"toxicity", "spam"}
    for entries in explanation.values():
        weights = [e["weight"] for e in entries]
        assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
        for entry in entries:
            assert 0 <= entry["start"] < entry["end"] <= len(text)
            assert [entry["start"], entry["end"]] == entry["spans"][0]
            if not entry["feature"].startswith("["):  # words: the span shows that word
                for start, end in entry["spans"]:
                    assert text[start:end].strip()


def test_known_spans(tiny_model) -> None:
    text = "You are a complete 1d10t, shut up"
    entries = {e["feature"]: e for e in tiny_model.explain(text, top=50)["toxicity"]}
    idiot = entries["idiot"]
    assert text[idiot["start"] : idiot["end"]] == "1d10t"
    if "shut up" in entries:
        assert text[entries["shut up"]["start"] : entries["shut up"]["end"]] == "shut up"


def test_spam_explanation_highlights_the_link(tiny_model) -> None:
    text = "check out my channel http://winbig.com and subscribe"
    spans = [text[e["start"] : e["end"]] for e in tiny_model.explain(text, top=20)["spam"]]
    assert "http://winbig.com" in spans


def test_contributions_sum_to_the_logit(tiny_model) -> None:
    text = "what an idiot, go away!!! visit freegifts.com"
    _, totals, _ = tiny_model._units(text)
    for h, head in enumerate(("toxicity", "spam")):
        probability = getattr(tiny_model.score(text), head)
        logit = math.log(probability / (1 - probability))
        total = sum(weights[h] for weights in totals) + tiny_model._intercepts[h]
        assert math.isclose(total, logit, abs_tol=1e-6)
