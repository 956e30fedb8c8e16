"""Feature strings -> rows of the weight table, as fast as Python allows.

Every step of scoring costs microseconds on a small VM, and random lookups in large dicts cost
the most, so:

- the table has one row per feature, ``[column, idf, weight per head]`` (float32: lossless, the
  artifact stores float32 and columns stay below 2**24), and a text gathers rows, not columns;
- each whitespace chunk's rows (char n-grams, words, in-chunk bigrams) are memoised, since words
  repeat; a bigram across two chunks is found from the previous chunk's last word;
- chunks not yet memoised are resolved together: their char n-grams are looked up with one
  vectorised binary search over the vocabulary's string hashes (built at load time, so Python's
  per-process hash randomisation does not matter), and each hit is checked against the string.

The memo is a plain dict (atomic operations under the GIL), cleared when full; the rest is
immutable, so one instance can be shared by threads.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import numpy.typing as npt

from .features import WORD_RE, FeatureConfig, chunk_ngrams, meta_spans
from .text import Analysed

Floats = npt.NDArray[np.float32]
Chunk = tuple[Floats, int | None, dict[int, int] | None]  # rows, first word, its successors
MEMO_LIMIT = 50_000  # chunks, ~0.4 kB each


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
        self._char_vocabulary = char_vocabulary
        hashes = np.fromiter(map(hash, char_vocabulary), np.int64, len(char_vocabulary))
        order = np.argsort(hashes, kind="stable")
        self._char_hashes = hashes[order]
        self._char_columns = order + n_word
        if np.any(self._char_hashes[1:] == self._char_hashes[:-1]):  # ~1e-9: fall back to a dict
            self._char_dict: dict[str, int] | None = {
                f: i + n_word for i, f in enumerate(char_vocabulary)
            }
        else:
            self._char_dict = None
        # Bigram column by (first word column -> second word column).  A bigram is in the
        # vocabulary only if both its words are (document frequency), so unknown words end a run.
        self.successors: dict[int, dict[int, int]] = {}
        for feature, column in self.word_index.items():
            first, space, second = feature.partition(" ")
            if space:
                self.successors.setdefault(self.word_index[first], {})[self.word_index[second]] = (
                    column
                )
        self._memo: dict[str, Chunk] = {}

    def char_columns(self, grams: list[str]) -> list[int]:
        """Column of each char n-gram, -1 when it is not in the vocabulary."""
        if self._char_dict is not None:
            return [self._char_dict.get(g, -1) for g in grams]
        if not grams:
            return []
        hashes = np.fromiter(map(hash, grams), np.int64, len(grams))
        at = self._char_hashes.searchsorted(hashes)
        at[at == self._char_hashes.size] = 0
        hit = self._char_hashes[at] == hashes
        columns = np.where(hit, self._char_columns[at], -1).tolist()
        vocabulary, n_word = self._char_vocabulary, self.n_word
        checked = zip(columns, grams, strict=True)
        return [c if c < 0 or vocabulary[c - n_word] == g else -1 for c, g in checked]

    def _learn(self, chunks: list[str]) -> None:
        """Memoise chunks: rows of their char n-grams, words and in-chunk bigrams."""
        grams = [chunk_ngrams(chunk, self.config) for chunk in chunks]
        found = self.char_columns([g for chunk_grams in grams for g in chunk_grams])
        columns: list[int] = []
        bounds = []
        words_of = []
        start = 0
        for chunk, chunk_grams in zip(chunks, grams, strict=True):
            end = start + len(chunk_grams)
            words = [self.word_index.get(token, -1) for token in WORD_RE.findall(chunk)]
            mine = [c for c in found[start:end] if c >= 0] + [w for w in words if w >= 0]
            for first, second in pairwise(words):
                bigram = self.successors.get(first, {}).get(second)
                if bigram is not None:
                    mine.append(bigram)
            bounds.append((len(columns), len(columns) + len(mine)))
            columns += mine
            words_of.append(words)
            start = end
        rows = self.table.take(np.array(columns, dtype=np.intp), axis=0)
        if len(self._memo) + len(chunks) > MEMO_LIMIT:
            self._memo.clear()
        for chunk, (a, b), words in zip(chunks, bounds, words_of, strict=True):
            head = words[0] if words else None
            after = self.successors.get(words[-1]) if words else None
            self._memo[chunk] = (rows[a:b], head, after)

    def rows(self, doc: Analysed) -> Floats:
        """One table row per feature occurrence of ``doc`` (repeats kept: they are the counts)."""
        chunks = doc.norm.split()
        memo = self._memo.get
        entries = list(map(memo, chunks))
        if None in entries:
            pairs = list(zip(chunks, entries, strict=True))
            self._learn(list(dict.fromkeys(c for c, e in pairs if e is None)))
            entries = [e or self._memo[c] for c, e in pairs]
        parts = []
        extra = []
        followers = None  # bigrams starting with the previous chunk's last word
        for rows, first, after in entries:  # type: ignore[misc]  # no None left
            parts.append(rows)
            if first is not None:
                if followers is not None and first in followers:
                    extra.append(followers[first])
                followers = after
        if self.config.meta:
            index = self.word_index
            extra += [index[token] for token, _, _ in meta_spans(doc.clean) if token in index]
        if extra:
            parts.append(self.table.take(extra, axis=0))
        return np.concatenate(parts) if parts else self.table[:0]
