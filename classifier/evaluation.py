"""``evaluate()``: per-source metrics of a loaded model on a labelled CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .data import read_csv
from .metrics import at_threshold, ranking
from .model import HEADS, Model


def evaluate(model: Model, csv_path: Path) -> dict[str, Any]:
    """ROC-AUC, PR-AUC and precision/recall/F1 at the card thresholds, per ``source``.

    Rows whose label for a head is empty are left out of that head; a file without a ``source``
    column counts as one source named after the file.
    """
    csv_path = Path(csv_path)
    corpus = read_csv(csv_path)
    scored = model.score_many(corpus.texts)
    scores = {head: np.array([getattr(s, head) for s in scored]) for head in HEADS}
    labels = {"toxicity": corpus.toxic, "spam": corpus.spam}
    thresholds: dict[str, dict[str, float]] = model.card.get("thresholds", {})
    sources = np.array(corpus.sources)
    report: dict[str, Any] = {
        "model_version": model.version,
        "data": {key: corpus.files[0][key] for key in ("file", "sha256", "rows")},
        "thresholds": thresholds,
    }
    for head in HEADS:
        per_source: dict[str, Any] = {}
        for source in sorted(set(sources[labels[head] >= 0])):
            rows = (sources == source) & (labels[head] >= 0)
            y, s = labels[head][rows], scores[head][rows]
            entry: dict[str, Any] = ranking(y, s)
            for name, value in thresholds.get(head, {}).items():
                entry[f"at_{name}"] = at_threshold(y, s, value)
            per_source[source] = entry
        report[head] = per_source
    return report
