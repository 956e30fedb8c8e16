"""Operating thresholds chosen from out-of-fold scores on held-out sources.

The corpora's prevalence is artificial (Davidson 83% offensive, YouTube 48% spam), so thresholds
are set from per-source true/false-positive rates, which do not depend on prevalence, averaged
with every held-out source weighing the same, and then re-weighted to a realistic prevalence.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .data import Corpus
from .fitting import Mask
from .validation import Validation

Floats = npt.NDArray[np.float64]

TOXICITY_PREVALENCE = 0.05
TOXICITY_HOLD_PRECISION = 0.5
SPAM_FILE_FPR = 0.001
SPAM_HOLD_FPR = 0.01
#: Above the threshold where the held-out sources' mean TPR falls below this, precision rests
#: on a handful of texts: a failure there is noise, and heeding it could set a threshold that
#: holds nothing (seen when training on a few thousand rows).
MIN_JUDGED_TPR = 0.02
#: A chosen hold threshold that catches less than this share of toxic comments is reported.
WEAK_HOLD_TPR = 0.05
FALLBACK = {"toxicity": {"hold": 0.5}, "spam": {"hold": 0.5, "file": 0.9}}

RULES = {
    "toxicity.hold": (
        f"lowest threshold at and above which precision re-weighted to {TOXICITY_PREVALENCE:.0%} "
        f"prevalence reaches {TOXICITY_HOLD_PRECISION} (at most one ordinary comment held per "
        "toxic one), using the mean TPR and FPR over held-out toxicity corpora "
        f"(leave-one-source-out); thresholds that catch under {MIN_JUDGED_TPR:.0%} of toxic "
        "comments are too sparse to judge"
    ),
    "spam.file": (
        f"lowest threshold flagging at most {SPAM_FILE_FPR:.1%} of ordinary comments: mean FPR "
        "over held-out sources of non-spam text (each toxicity corpus, link-only texts excluded, "
        "and the YouTube non-spam comments of held-out videos)"
    ),
    "spam.hold": f"as spam.file, at most {SPAM_HOLD_FPR:.0%} of ordinary comments",
}


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _probability(logit: float) -> float:
    """Rounded *up* so rounding never lets more comments over the threshold than chosen."""
    return math.ceil(_sigmoid(logit) * 1e6) / 1e6


def _rate(scores: Floats, grid: Floats) -> Floats:
    """Share of ``scores`` >= each grid value."""
    ordered = np.sort(scores)
    return np.asarray(1.0 - np.searchsorted(ordered, grid, side="left") / len(ordered))


def _grid(values: list[Floats]) -> Floats:
    pooled = np.concatenate(values)
    return np.unique(np.quantile(pooled, np.linspace(0.0, 1.0, 4001)))


def _negatives(corpus: Corpus, validation: Validation, link_only: Mask) -> dict[str, Floats]:
    """Spam scores of ordinary (non-spam) text from held-out sources, by source."""
    groups = np.array(validation.groups)
    spam = validation.oof["spam"]
    out: dict[str, Floats] = {}
    for group in sorted(set(groups[corpus.toxic >= 0])):
        members = (groups == group) & ~link_only & ~np.isnan(spam)
        if members.any():
            out[group] = spam[members]
    youtube = np.char.startswith(groups.astype(str), "youtube") & (corpus.spam == 0)
    youtube &= ~np.isnan(spam)
    if youtube.any():
        out["youtube-spam-collection (non-spam)"] = spam[youtube]
    return out


def choose(corpus: Corpus, validation: Validation, link_only: Mask) -> dict[str, Any]:
    """Thresholds (probabilities), the rule text and the operating point on held-out data."""
    groups = np.array(validation.groups)
    tox = validation.oof["toxicity"]
    sources = [
        g for g in sorted(set(groups[corpus.toxic >= 0])) if not np.isnan(tox[groups == g]).all()
    ]
    positives = [tox[(groups == g) & (corpus.toxic == 1)] for g in sources]
    negatives = [tox[(groups == g) & (corpus.toxic == 0)] for g in sources]
    ordinary = _negatives(corpus, validation, link_only)
    if not sources or not all(len(p) and len(n) for p, n in zip(positives, negatives, strict=True)):
        return {"thresholds": FALLBACK, "rule": "fallback: too little data to validate"}
    if not ordinary:
        return {"thresholds": FALLBACK, "rule": "fallback: too little data to validate"}

    grid = _grid(positives + negatives)
    tpr = np.mean([_rate(p, grid) for p in positives], axis=0)
    fpr = np.mean([_rate(n, grid) for n in negatives], axis=0)
    prior = TOXICITY_PREVALENCE
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = prior * tpr / (prior * tpr + (1 - prior) * fpr)
    passing = np.isnan(precision) | (precision >= TOXICITY_HOLD_PRECISION)
    passing |= tpr < MIN_JUDGED_TPR
    # Walk down from the top and stop at the first grid point that fails.
    failing = np.flatnonzero(~passing)
    hold_index = failing[-1] + 1 if failing.size else 0
    hold_index = min(hold_index, len(grid) - 1)
    tox_hold = float(grid[hold_index])

    spam_grid = _grid(list(ordinary.values()))
    spam_fpr = np.mean([_rate(v, spam_grid) for v in ordinary.values()], axis=0)
    file_logit = float(spam_grid[np.argmax(spam_fpr <= SPAM_FILE_FPR)])
    hold_logit = float(spam_grid[np.argmax(spam_fpr <= SPAM_HOLD_FPR)])
    thresholds = {
        "toxicity": {"hold": _probability(tox_hold)},
        "spam": {
            "hold": _probability(min(hold_logit, file_logit)),
            "file": _probability(file_logit),
        },
    }
    warnings = []
    if tpr[hold_index] < WEAK_HOLD_TPR:
        warnings.append(
            f"toxicity.hold catches {tpr[hold_index]:.1%} of toxic comments on held-out data: "
            f"the model cannot reach precision {TOXICITY_HOLD_PRECISION} at a useful recall"
        )
    return {
        "thresholds": thresholds,
        "rule": RULES,
        "warnings": warnings,
        "held_out_operating_point": {
            "toxicity.hold": {
                "mean_tpr": round(float(tpr[hold_index]), 4),
                "mean_fpr": round(float(fpr[hold_index]), 4),
                f"precision_at_{prior:.0%}_prevalence": round(float(precision[hold_index]), 4),
            },
            "spam.ordinary_comments_flagged": {
                name: {
                    "at_file": round(float((v >= file_logit).mean()), 5),
                    "at_hold": round(float((v >= hold_logit).mean()), 5),
                }
                for name, v in ordinary.items()
            },
            "spam.recall": _spam_recall(corpus, validation, file_logit, hold_logit),
        },
    }


def _spam_recall(
    corpus: Corpus, validation: Validation, file_logit: float, hold_logit: float
) -> dict[str, dict[str, float]]:
    groups = np.array(validation.groups)
    spam = validation.oof["spam"]
    out = {}
    for name, members in (
        ("youtube-spam-collection", np.char.startswith(groups.astype(str), "youtube")),
        ("sms-spam-collection", groups == "sms-spam-collection"),
    ):
        scores = spam[members & (corpus.spam == 1) & ~np.isnan(spam)]
        if scores.size:
            out[name] = {
                "at_file": round(float((scores >= file_logit).mean()), 4),
                "at_hold": round(float((scores >= hold_logit).mean()), 4),
            }
    return out
