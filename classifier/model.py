"""The lean scorer: TF-IDF + two logistic heads in plain Python/numpy, and its explanations.

scikit-learn's per-call overhead (vectorizer + ``predict_proba`` on one row) is ~100x the latency
budget, so training exports vocabulary, IDF and coefficients and scoring redoes the arithmetic
here.  :class:`~classifier.vocabulary.Vocabulary` turns a text into the columns of its feature
occurrences (features are found once and shared by both heads); counting, sublinear TF, per-block
L2 norms and the dot products follow.  On a small VM every Python or numpy step costs
microseconds, so the number of steps, not of features, sets the cost:

- one text (:meth:`Model.score`) is about twenty numpy calls on small arrays;
- a batch (:meth:`Model.score_many`) is tokenised for all its texts at once (memoised chunks,
  one ``bytes.join``), and its arithmetic is a handful of scipy sparse-matrix operations over
  the whole batch (CSR -> CSC groups each column's occurrences by text, so counting needs no
  sort); what is left per text is the normalisation's regexes and a dict lookup per chunk.
  ``scipy.sparse`` is imported when a model is built (~0.1 s, once per process), so that the
  first batch does not pay for it.

Both add the same terms in the same order, so a text gets the very same floats either way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import (
    CAPS_TEXT,
    CAPS_WORD,
    TOKEN_RE,
    FeatureConfig,
    meta_spans,
)
from .text import Analysed, Offsets, analyse, analyse_many, analyse_with_offsets
from .vocabulary import Vocabulary

Floats = npt.NDArray[np.float64]
Counts = npt.NDArray[np.intp]
HEADS = ("toxicity", "spam")
_META_LABELS = {CAPS_TEXT: "[ALL CAPS]", CAPS_WORD: "[SHOUTED WORD]"}
_TF = np.concatenate([[0.0], 1.0 + np.log(np.arange(1, 4096))])  # sublinear tf by count
_Unit = tuple[str, tuple[int, int], Sequence[int]]  # label, span, columns it is charged
BATCH_MIN = 32  # smaller batches are scored text by text (the batch path has a fixed cost)
BATCH_SIZE = 1024  # texts normalised and scored together (bounds the batch's arrays)


@dataclass(frozen=True, slots=True)
class Scores:
    """Probabilities in 0..1."""

    toxicity: float
    spam: float


def _tf(counts: npt.NDArray[np.integer[Any]], most: int) -> Floats:
    """Sublinear tf, ``1 + ln(count)``, from a table (``most``: a bound on the counts)."""
    if most < _TF.size:
        return np.asarray(_TF[counts])
    tf = np.asarray(_TF[np.minimum(counts, _TF.size - 1)])
    for i in (counts >= _TF.size).nonzero()[0].tolist():
        tf[i] = 1.0 + math.log(counts[i])
    return tf


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


class Model:
    """A loaded classifier.  ``version`` is unique per artifact; ``card`` is its model card."""

    def __init__(
        self,
        config: FeatureConfig,
        word_vocabulary: list[str],
        char_vocabulary: list[str],
        idf: Floats,
        weights: Floats,
        intercepts: Sequence[float],
        card: dict[str, Any],
        version: str,
    ) -> None:
        if weights.shape[1:] != (len(HEADS),) or len(intercepts) != len(HEADS):
            raise ValueError("one weight column and one intercept per head expected")
        self.config = config
        self.card = card
        self.version = version
        self._vocabulary = Vocabulary(config, word_vocabulary, char_vocabulary, idf, weights)
        self._n_word = len(word_vocabulary)
        self._intercepts = np.asarray(intercepts, dtype=np.float64)
        import scipy.sparse  # noqa: F401  (batches use it: import it now, not in the first batch)

        # Per column, as scoring uses them: idf * weight per head, and idf squared (for the norm).
        table = self._vocabulary.table.astype(np.float64)
        self._idf_weights = np.ascontiguousarray(table[:, 1:2] * table[:, 2:])
        self._idf_squared = table[:, 1] * table[:, 1]

    def _weighted(self, rows: npt.NDArray[np.float32]) -> tuple[Floats, Floats, Counts]:
        """Unique rows (as float64), their sublinear TF-IDF values L2-normalised per block,
        and their counts.  Written for few numpy calls: each costs microseconds."""
        n = rows.shape[0]
        if n == 0:
            return np.zeros((0, 2 + len(HEADS))), np.zeros(0), np.zeros(0, dtype=np.intp)
        rows = rows.take(rows[:, 0].argsort(), axis=0)
        columns = rows[:, 0]
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(columns[1:], columns[:-1], out=first[1:])
        starts = first.nonzero()[0]
        counts = np.empty(starts.size, dtype=np.intp)
        np.subtract(starts[1:], starts[:-1], out=counts[:-1])
        counts[-1] = n - starts[-1]
        unique = rows.take(starts, axis=0).astype(np.float64)
        tf = _TF.take(counts) if n < _TF.size else 1.0 + np.log(counts)
        values: Floats = tf * unique[:, 1]
        split = int(columns.take(starts).searchsorted(self._n_word))
        for block in (values[:split], values[split:]):
            norm = block @ block
            if norm:
                block /= math.sqrt(norm)
        return unique, values, counts

    # --- public API ---------------------------------------------------------------------------

    def score(self, text: str) -> Scores:
        toxicity, spam = self._logits_one(self._vocabulary.columns(analyse(text)))
        return Scores(_sigmoid(toxicity), _sigmoid(spam))

    def score_many(self, texts: Sequence[str]) -> list[Scores]:
        """``[score(t) for t in texts]`` (the very same floats), several times faster on batches:
        texts are normalised and turned into columns together, and the arithmetic is a few
        sparse-matrix operations over the whole batch instead of ~20 numpy calls per text."""
        if len(texts) < BATCH_MIN:
            return [self.score(text) for text in texts]
        scores: list[Scores] = []
        for start in range(0, len(texts), BATCH_SIZE):
            docs = analyse_many(texts[start : start + BATCH_SIZE])
            logits = self._logits_many(*self._vocabulary.columns_many(docs))
            scores += [Scores(_sigmoid(a), _sigmoid(b)) for a, b in logits.tolist()]
        return scores

    # --- scoring arithmetic -------------------------------------------------------------------
    #
    # Per text and block: t = sublinear tf of each distinct column's count, then
    #   logit = intercept + sum(t * idf * weight) / sqrt(sum(t**2 * idf**2))  (word, then char).
    # Both paths add the terms one by one in ascending column order (numpy's accumulate, scipy's
    # CSC mat-vec), so a text gets the same floats alone or in any batch.

    def _logits_one(self, columns: npt.NDArray[np.int32]) -> tuple[float, float]:
        """Logits of one text from its feature occurrences' columns, sorted."""
        n = columns.size
        if n == 0:
            toxicity, spam = self._intercepts.tolist()
            return toxicity, spam
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(columns[1:], columns[:-1], out=first[1:])
        starts = first.nonzero()[0]
        counts = np.empty(starts.size, dtype=np.intp)
        np.subtract(starts[1:], starts[:-1], out=counts[:-1])
        counts[-1] = n - starts[-1]
        unique = columns.take(starts)
        tf = _tf(counts, n)
        # One row per sum, so that each is a sequential accumulation along a contiguous row.
        terms = np.empty((len(HEADS) + 1, unique.size))
        np.multiply(self._idf_weights.take(unique, axis=0).T, tf, out=terms[:-1])
        np.multiply(self._idf_squared.take(unique), tf * tf, out=terms[-1])
        split = int(unique.searchsorted(self._n_word))
        logits = self._intercepts.tolist()
        for block in (terms[:, :split], terms[:, split:]):
            if block.shape[1]:
                *sums, norm = np.add.accumulate(block, axis=1)[:, -1].tolist()
                root = math.sqrt(norm)
                logits = [logit + total / root for logit, total in zip(logits, sums, strict=True)]
        toxicity, spam = logits
        return toxicity, spam

    def _logits_many(self, columns: npt.NDArray[np.int32], ends: Counts) -> Floats:
        """Logits of a batch from its feature occurrences' columns, text ``i``'s being
        ``columns[ends[i]:ends[i + 1]]`` (a CSR matrix of counts, duplicates not yet summed)."""
        import scipy.sparse as sp

        n = ends.size - 1
        shape = (n, self._idf_squared.size)
        ones = np.ones(columns.size, dtype=np.int32)
        # CSR -> CSC is a counting sort by column that keeps the texts in order within each
        # column, so a text's repeats of a column are adjacent and summing them needs no sort.
        matrix = sp.csr_matrix((ones, columns, ends), shape=shape).tocsc()
        matrix.sum_duplicates()
        tf = _tf(matrix.data, int(np.diff(ends).max()))
        logits = np.repeat(self._intercepts[None, :], n, axis=0)
        split = int(matrix.indptr[self._n_word])
        for lo, hi, indptr, columns_from in (
            (0, split, matrix.indptr[: self._n_word + 1], 0),
            (split, tf.size, matrix.indptr[self._n_word :] - split, self._n_word),
        ):
            width = indptr.size - 1
            block = sp.csc_matrix((tf[lo:hi], matrix.indices[lo:hi], indptr), shape=(n, width))
            block.has_sorted_indices = True
            block.has_canonical_format = True
            sums = block @ self._idf_weights[columns_from : columns_from + width]
            block.data = block.data * block.data
            norms = block @ self._idf_squared[columns_from : columns_from + width]
            present = norms > 0
            logits[present] += sums[present] / np.sqrt(norms[present])[:, None]
        return logits

    def explain(self, text: str, top: int = 5) -> dict[str, list[dict[str, Any]]]:
        """Per head, the features that raised the logit most, with spans in the original ``text``.

        A word's weight adds its unigram and its char n-grams; bigrams and casing cues are
        listed on their own.  Weights are logit contributions; ``start``/``end`` is the first
        occurrence, ``spans`` all of them.
        """
        labels, totals, spans = self._units(text)
        result: dict[str, list[dict[str, Any]]] = {}
        for h, head in enumerate(HEADS):
            # Only raising units can be listed: rank those, not every unit of the text.
            ranked = sorted(
                (
                    (label, round(total[h], 4), spans[i])
                    for i, (label, total) in enumerate(zip(labels, totals, strict=True))
                    if total[h] > 0
                ),
                key=lambda item: (-item[1], item[2][0]),
            )
            result[head] = [
                {
                    "feature": label,
                    "weight": weight,
                    "start": places[0][0],
                    "end": places[0][1],
                    "spans": [list(span) for span in places],
                }
                for label, weight, places in ranked[:top]
                if weight > 0
            ]
        return result

    def _units(self, text: str) -> tuple[list[str], list[list[float]], list[list[tuple[int, int]]]]:
        """Every explanation unit (label), its logit contribution per head and its spans; the
        contributions sum to the logit minus the intercept."""
        doc, clean_offsets, norm_offsets = analyse_with_offsets(text)
        unique, values, counts = self._weighted(self._vocabulary.rows(doc))
        # Logit contribution of ONE occurrence of each column.
        per_occurrence = values[:, None] * unique[:, 2:] / counts[:, None]
        position = {c: i for i, c in enumerate(unique[:, 0].astype(np.intp).tolist())}
        found = [*self._token_units(doc, norm_offsets), *self._meta_units(doc, clean_offsets)]
        # One gather and one unbuffered add over every (unit, column) pair, then one per unit
        # into its label: per-unit numpy arithmetic made explaining cost several times more
        # than scoring.
        pairs = [
            (u, position[c])
            for u, (_, _, columns) in enumerate(found)
            for c in columns
            if c in position
        ]
        weights = np.zeros((len(found), len(HEADS)))
        if pairs:
            owners, rows = zip(*pairs, strict=True)
            np.add.at(weights, list(owners), per_occurrence[list(rows)])
        index: dict[str, int] = {}
        spans: list[list[tuple[int, int]]] = []
        label_of = []
        for label, span, _ in found:
            i = index.setdefault(label, len(index))
            if i == len(spans):
                spans.append([span])
            elif span not in spans[i]:
                spans[i].append(span)
            label_of.append(i)
        totals = np.zeros((len(index), len(HEADS)))
        np.add.at(totals, label_of, weights)
        return list(index), totals.tolist(), spans

    def _token_units(self, doc: Analysed, offsets: Offsets) -> list[_Unit]:
        """Tokens (words with their char n-grams) and bigrams, with original-text spans."""

        def span(a: int, b: int) -> tuple[int, int]:
            return offsets.starts[a], offsets.ends[b - 1]

        vocabulary = self._vocabulary
        index = vocabulary.word_index
        tokens = [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(doc.norm)]
        units: list[_Unit] = [
            (token, span(a, b), vocabulary.token_columns(token)) for token, a, b in tokens
        ]
        for (first, a, _), (second, _, b) in pairwise(tokens):
            bigram = f"{first} {second}"
            units.append((bigram, span(a, b), (index.get(bigram, -1),)))
        return units

    def _meta_units(self, doc: Analysed, offsets: Offsets) -> list[_Unit]:
        if not self.config.meta:
            return []
        return [
            (
                _META_LABELS[token],
                (offsets.starts[a], offsets.ends[b - 1]),
                (self._vocabulary.word_index.get(token, -1),),
            )
            for token, a, b in meta_spans(doc.clean)
            if b > a
        ]
