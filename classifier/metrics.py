"""Per-source metrics, shared by validation (model card) and :func:`classifier.evaluate`."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, roc_auc_score

Number = float | int | None


def ranking(y: npt.NDArray[np.int8], scores: npt.NDArray[np.float64]) -> dict[str, Number]:
    """ROC-AUC and PR-AUC (average precision); ``None`` when only one class is present."""
    positives = int((y == 1).sum())
    both = 0 < positives < len(y)
    return {
        "n": len(y),
        "positives": positives,
        "roc_auc": round(float(roc_auc_score(y, scores)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(y, scores)), 4) if both else None,
    }


def at_threshold(
    y: npt.NDArray[np.int8], scores: npt.NDArray[np.float64], threshold: float
) -> dict[str, Number]:
    """Precision/recall/F1 and the share of negatives flagged (false-positive rate)."""
    flagged = scores >= threshold
    tp = int((flagged & (y == 1)).sum())
    fp = int((flagged & (y == 0)).sum())
    positives = int((y == 1).sum())
    negatives = int((y == 0).sum())
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / positives if positives else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    return {
        "threshold": threshold,
        "precision": None if precision is None else round(precision, 4),
        "recall": None if recall is None else round(recall, 4),
        "f1": None if f1 is None else round(f1, 4),
        "false_positive_rate": round(fp / negatives, 5) if negatives else None,
    }
