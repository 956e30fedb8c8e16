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
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise

from .text import Analysed

TOKEN_RE = re.compile(r"@?\w+(?:'\w+)*|[^\w\s]+")
_CAPS_RUN_RE = re.compile(rb"AAAA+")  # on the shape below
# On ``str.encode("ascii", "replace")`` bytes (a byte per character): ASCII upper -> "A", lower
# -> "a", anything else -> "." (bytes: ``str.translate`` is slow on non-ASCII text).
_CASE_SHAPE = bytes(
    ord("A")
    if chr(i) in string.ascii_uppercase
    else ord("a")
    if chr(i) in string.ascii_lowercase
    else ord(".")
    for i in range(256)
)

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
    shape = clean.encode("ascii", "replace").translate(_CASE_SHAPE)
    if b"AAAA" not in shape:  # neither rule can fire without four capitals in a row
        return []
    spans = []
    upper, lower = shape.count(b"A"), shape.count(b"a")
    if upper >= 8 and upper >= 0.6 * (upper + lower):
        spans.append((CAPS_TEXT, 0, len(clean)))
    for match in _CAPS_RUN_RE.finditer(shape):  # positions in ``shape`` are those in ``clean``
        a, b = match.span()
        if not (clean[a - 1 : a].islower() or clean[b : b + 1].islower()):
            spans.append((CAPS_WORD, a, b))
    return spans


def shouting_candidates(cleans: Sequence[str]) -> list[int]:
    """Indices of the texts on which :func:`meta_spans` can find anything (four ASCII capitals in
    a row), found in one scan of the whole batch instead of one ``translate`` per text."""
    shape = "\n".join(cleans).encode("ascii", "replace").translate(_CASE_SHAPE)
    starts = list(accumulate((len(clean) + 1 for clean in cleans), initial=0))
    found = []
    at = shape.find(b"AAAA")
    while at >= 0:
        i = bisect_right(starts, at) - 1
        found.append(i)
        at = shape.find(b"AAAA", starts[i + 1])
    return found


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
