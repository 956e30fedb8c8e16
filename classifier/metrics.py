"""Per-source metrics, shared by validation (model card) and :func:`classifier.evaluate`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, roc_auc_score

Number = float | int | None
Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int8]
Indices = npt.NDArray[np.intp]


def ranking(y: Labels, scores: Floats) -> dict[str, Number]:
    """ROC-AUC and PR-AUC (average precision); ``None`` when only one class is present."""
    positives = int((y == 1).sum())
    both = 0 < positives < len(y)
    return {
        "n": len(y),
        "positives": positives,
        "roc_auc": round(float(roc_auc_score(y, scores)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(y, scores)), 4) if both else None,
    }


def _ratio(numerator: int, denominator: int, digits: int = 4) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


def at_threshold(y: Labels, scores: Floats, threshold: float) -> dict[str, Number | dict[str, int]]:
    """Precision/recall/F1, the share of negatives flagged, and the confusion matrix they
    come from (flagged = score at or above the threshold, as the service decides)."""
    flagged = scores >= threshold
    tp = int((flagged & (y == 1)).sum())
    fp = int((flagged & (y == 0)).sum())
    fn = int((~flagged & (y == 1)).sum())
    tn = int((~flagged & (y == 0)).sum())
    return {
        "threshold": threshold,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "false_positive_rate": _ratio(fp, fp + tn, 5),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


class WeightedRanking:
    """ROC-AUC and average precision of fixed scores under per-row weights.

    A bootstrap resample is a vector of per-row counts, so sorting and tie-grouping the scores
    once and summing weights per group makes each resample a few O(n) numpy calls instead of a
    full sort: thousands of resamples of a large source stay within seconds.  With unit weights
    both equal scikit-learn's ``roc_auc_score`` and ``average_precision_score``.
    """

    def __init__(self, y: Labels, scores: Floats) -> None:
        order = np.argsort(-scores, kind="stable")
        ordered = scores[order]
        starts = np.concatenate([[0], np.cumsum(ordered[1:] != ordered[:-1])])
        self._group: Indices = np.empty(len(scores), dtype=np.intp)
        self._group[order] = starts  # tie group of each row, highest score first
        self._groups = int(starts[-1]) + 1 if len(scores) else 0
        self._positive = (y == 1).astype(np.float64)

    def __call__(self, weights: Floats) -> tuple[float, float] | None:
        """(ROC-AUC, average precision), or ``None`` when the weights leave one class."""
        pos = np.bincount(self._group, weights * self._positive, self._groups)
        neg = np.bincount(self._group, weights * (1.0 - self._positive), self._groups)
        tp, fp = np.cumsum(pos), np.cumsum(neg)
        total_pos, total_neg = tp[-1], fp[-1]
        if total_pos <= 0 or total_neg <= 0:
            return None
        roc = float(pos @ (total_neg - fp + 0.5 * neg)) / (total_pos * total_neg)
        flagged = tp + fp
        precision = np.divide(tp, flagged, out=np.zeros_like(tp), where=flagged > 0)
        return roc, float(pos @ precision) / total_pos


def resample_weights(
    groups: Sequence[Indices], size: int, resamples: int, seed: np.random.SeedSequence
) -> Iterator[Floats]:
    """Bootstrap resamples as per-row counts, drawn within each group (source) separately, so a
    pooled figure keeps every source's share.  The same seed gives the same resamples, which
    pairs the comparison of several scorers on one set of rows."""
    rng = np.random.default_rng(seed)
    for _ in range(resamples):
        drawn = np.concatenate(
            [members[rng.integers(0, len(members), len(members))] for members in groups]
        )
        yield np.bincount(drawn, minlength=size).astype(np.float64)


def percentile_interval(values: Floats, level: float = 0.95) -> list[float]:
    """The central ``level`` interval of bootstrap values (percentile method), rounded."""
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return [round(float(low), 4), round(float(high), 4)]


def calibration(y: Labels, scores: Floats, bins: int = 10) -> list[dict[str, Number]]:
    """Equal-width reliability bins over 0..1: how often the label is positive among rows
    whose score fell in the bin, beside their mean score (a calibrated score matches)."""
    index = np.clip(scores * bins, 0, bins - 1).astype(np.intp)
    counts = np.bincount(index, minlength=bins)
    sums = np.bincount(index, scores, minlength=bins)
    positives = np.bincount(index, (y == 1).astype(np.float64), minlength=bins)
    return [
        {
            "lower": round(b / bins, 4),
            "upper": round((b + 1) / bins, 4),
            "n": int(counts[b]),
            "mean_score": round(float(sums[b] / counts[b]), 4) if counts[b] else None,
            "positive_rate": round(float(positives[b] / counts[b]), 4) if counts[b] else None,
        }
        for b in range(bins)
    ]


def histogram(y: Labels, scores: Floats, bins: int = 20) -> dict[str, list[float] | list[int]]:
    """Score counts in equal-width bins over 0..1, separately for positive and negative rows."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    return {
        "edges": [round(float(e), 4) for e in edges],
        "positive": np.histogram(scores[y == 1], edges)[0].tolist(),
        "negative": np.histogram(scores[y == 0], edges)[0].tolist(),
    }
