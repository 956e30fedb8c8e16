"""Tokens -> rows of the weight table, with as few Python and numpy steps as possible.

On a small VM every step costs microseconds (numpy calls most of all) and random lookups in large
dicts hit cold memory, so:

- the table has one row per feature, ``[column, idf, weight per head]`` (float32: lossless, the
  artifact stores float32 and columns stay below 2**24), and a text gathers rows, not columns;
- every token of the vocabulary has its rows (unigram and char n-grams) precomputed at load
  time; other tokens are resolved in plain Python (char n-gram columns, no numpy) and memoised;
- a bigram is found from the previous token's successor map, without building strings.

The memo of unseen tokens is a plain dict (atomic operations under the GIL), cleared when full;
the rest is immutable, so one instance can be shared by threads.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .features import TOKEN_RE, FeatureConfig, is_word, meta_spans, token_ngrams
from .text import Analysed

Rows = npt.NDArray[np.float32]
Successors = dict[int, int]  # next token's column -> bigram column
Known = tuple[Rows, int, Successors | None]  # rows, unigram column, bigram successors
MEMO_LIMIT = 50_000  # unseen tokens, ~0.2 kB each


class Vocabulary:
    """The exported vocabulary, IDF and weights, indexed for scoring."""

    def __init__(
        self,
        config: FeatureConfig,
        word_vocabulary: list[str],
        char_vocabulary: list[str],
        idf: npt.NDArray[np.float64],
        weights: npt.NDArray[np.float64],
    ) -> None:
        n_word = len(word_vocabulary)
        n = n_word + len(char_vocabulary)
        if idf.shape != (n,) or weights.shape[0] != n or n >= 2**24:
            raise ValueError("vocabulary, idf and weights disagree in size (or are too large)")
        self.config = config
        self.n_word = n_word
        self.table = np.column_stack([np.arange(n), idf, weights]).astype(np.float32)
        self.word_index = {feature: i for i, feature in enumerate(word_vocabulary)}
        self.char_index = {feature: i + n_word for i, feature in enumerate(char_vocabulary)}
        # A bigram is in the vocabulary only if both its tokens are (document frequency).
        self.successors: dict[int, Successors] = {}
        for feature, column in self.word_index.items():
            first, space, second = feature.partition(" ")
            if space:
                followers = self.successors.setdefault(self.word_index[first], {})
                followers[self.word_index[second]] = column
        self._known = self._precompute([f for f in word_vocabulary if " " not in f])
        self._unseen: dict[str, tuple[int, ...]] = {}

    def char_columns(self, token: str) -> list[int]:
        """Columns of a word token's char n-grams that are in the vocabulary."""
        index = self.char_index
        return [index[g] for g in token_ngrams(token, self.config) if g in index]

    def _precompute(self, tokens: list[str]) -> dict[str, Known]:
        """Rows (char n-grams, then unigram), column and bigram successors of known tokens."""
        columns: list[int] = []
        bounds = []
        for token in tokens:
            start = len(columns)
            if is_word(token):
                columns += self.char_columns(token)
            columns.append(self.word_index[token])
            bounds.append((start, len(columns)))
        rows = self.table.take(np.array(columns, dtype=np.intp), axis=0)
        return {
            token: (rows[a:b], columns[b - 1], self.successors.get(columns[b - 1]))
            for token, (a, b) in zip(tokens, bounds, strict=True)
        }

    def _unseen_columns(self, token: str) -> tuple[int, ...]:
        columns = self._unseen.get(token)
        if columns is None:
            columns = tuple(self.char_columns(token)) if is_word(token) else ()
            if len(self._unseen) >= MEMO_LIMIT:
                self._unseen.clear()
            self._unseen[token] = columns
        return columns

    def rows(self, doc: Analysed) -> Rows:
        """One table row per feature occurrence of ``doc`` (repeats kept: they are the counts)."""
        known = self._known.get
        parts: list[Rows] = []
        append = parts.append
        extra: list[int] = []
        followers: Successors | None = None  # bigrams starting with the previous token
        for token in TOKEN_RE.findall(doc.norm):
            entry = known(token)
            if entry is None:  # an unseen token: no unigram, so no bigram either
                extra += self._unseen_columns(token)
                followers = None
                continue
            rows, column, after = entry
            append(rows)
            if followers is not None:
                bigram = followers.get(column)
                if bigram is not None:
                    extra.append(bigram)
            followers = after
        if self.config.meta:
            index = self.word_index
            extra += [index[token] for token, _, _ in meta_spans(doc.clean) if token in index]
        if extra:
            parts.append(self.table.take(extra, axis=0))
        return np.concatenate(parts) if parts else self.table[:0]
