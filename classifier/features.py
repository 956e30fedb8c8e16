"""Feature strings extracted from analysed text, shared by training and the lean scorer.

A text is a sequence of tokens: words (``@?\\w+('\\w+)*``) and runs of punctuation or symbols
(``!!!``, ``?!``, emoji).  Two blocks, each TF-IDF weighted and L2-normalised on its own (as a
scikit-learn FeatureUnion would):

- ``word``: token unigrams and bigrams, plus casing pseudo-tokens;
- ``char``: character 3-5-grams of each word token padded with one space each side (like
  scikit-learn's ``char_wb``), which carry misspellings and unseen word forms.

Every feature belongs to one token (or a pair), so the scorer can memoise per token and an
explanation can point at the token a weight came from.  Tokens rather than whitespace chunks:
``idiot,`` and ``idiot`` are the same word (validated: equal or better held-out metrics).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from itertools import pairwise

from .text import Analysed

TOKEN_RE = re.compile(r"@?\w+(?:'\w+)*|[^\w\s]+")
_CAPS_RUN_RE = re.compile(r"[A-Z]{4,}")
# ASCII upper -> "A", lower -> "a", anything else -> "." (non-ASCII characters pass unchanged).
_CASE_SHAPE = {i: "." for i in range(128)}
_CASE_SHAPE.update({ord(c): "A" for c in string.ascii_uppercase})
_CASE_SHAPE.update({ord(c): "a" for c in string.ascii_lowercase})

# Pseudo-tokens mix word and symbol characters, which no token does, so they cannot collide.
CAPS_TEXT = "<caps-text>"
CAPS_WORD = "<caps-word>"


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Everything that changes which feature strings a text yields (stored in the artifact)."""

    char_min: int = 3
    char_max: int = 5
    meta: bool = True

    def to_dict(self) -> dict[str, int | bool]:
        return {"char_min": self.char_min, "char_max": self.char_max, "meta": self.meta}


def is_word(token: str) -> bool:
    """Word tokens end in a word character; symbol runs contain none."""
    last = token[-1]
    return last.isalnum() or last == "_"


def meta_spans(clean: str) -> list[tuple[str, int, int]]:
    """Shouting as ``(token, start, end)`` spans of the cased clean text.

    A mostly upper-case text, and each upper-case word of 4+ letters.  Computed after the
    placeholders are lower-cased, so OLID's ``@USER``/``URL`` do not count as shouting (they
    would otherwise mark every OLID tweet).  Elongation needs no token: runs are cut to three
    characters, which the char n-grams see.
    """
    shape = clean.translate(_CASE_SHAPE)
    if "AAAA" not in shape:  # neither rule can fire without four capitals in a row
        return []
    spans = []
    upper, lower = shape.count("A"), shape.count("a")
    if upper >= 8 and upper >= 0.6 * (upper + lower):
        spans.append((CAPS_TEXT, 0, len(clean)))
    for match in _CAPS_RUN_RE.finditer(clean):
        a, b = match.span()
        if not (clean[a - 1 : a].islower() or clean[b : b + 1].islower()):
            spans.append((CAPS_WORD, a, b))
    return spans


def word_features(doc: Analysed, config: FeatureConfig) -> list[str]:
    tokens = TOKEN_RE.findall(doc.norm)
    features = tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
    if config.meta:
        features.extend(token for token, _, _ in meta_spans(doc.clean))
    return features


def token_ngrams(token: str, config: FeatureConfig) -> list[str]:
    """Char n-grams of one word token, padded like scikit-learn's ``char_wb``."""
    padded = f" {token} "
    size = len(padded)
    return [
        padded[i : i + n]
        for n in range(config.char_min, min(config.char_max, size) + 1)
        for i in range(size - n + 1)
    ]


def char_features(doc: Analysed, config: FeatureConfig) -> list[str]:
    features: list[str] = []
    for token in TOKEN_RE.findall(doc.norm):
        if is_word(token):
            features.extend(token_ngrams(token, config))
    return features
