"""Feature strings extracted from analysed text, shared by training and the lean scorer.

Two blocks, each TF-IDF weighted and L2-normalised on its own (as a scikit-learn FeatureUnion
would): ``word`` (unigrams, bigrams and a few casing/elongation pseudo-tokens) and ``char``
(character n-grams inside whitespace-separated words, padded with one space each side, like
scikit-learn's ``char_wb``).  Char n-grams never cross a word, so the lean scorer can cache them
per word and explanations can attribute them to the word they came from.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from itertools import pairwise

from .text import Analysed

WORD_RE = re.compile(r"@?\w+(?:'\w+)*")
CHUNK_RE = re.compile(r"\S+")
_CAPS_RUN_RE = re.compile(r"[A-Z]{4,}")
# ASCII upper -> "A", lower -> "a", anything else -> "." (non-ASCII characters pass unchanged).
_CASE_SHAPE = {i: "." for i in range(128)}
_CASE_SHAPE.update({ord(c): "A" for c in string.ascii_uppercase})
_CASE_SHAPE.update({ord(c): "a" for c in string.ascii_lowercase})

# Pseudo-tokens contain "<", which WORD_RE never yields, so they cannot collide with words.
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
    tokens = WORD_RE.findall(doc.norm)
    features = tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
    if config.meta:
        features.extend(token for token, _, _ in meta_spans(doc.clean))
    return features


def chunk_ngrams(chunk: str, config: FeatureConfig) -> list[str]:
    """Char n-grams of one whitespace-free chunk, padded like scikit-learn's ``char_wb``."""
    padded = f" {chunk} "
    size = len(padded)
    return [
        padded[i : i + n]
        for n in range(config.char_min, min(config.char_max, size) + 1)
        for i in range(size - n + 1)
    ]


def char_features(doc: Analysed, config: FeatureConfig) -> list[str]:
    features: list[str] = []
    for chunk in doc.norm.split():
        features.extend(chunk_ngrams(chunk, config))
    return features
