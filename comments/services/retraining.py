"""The learning loop: train a candidate on the corpora plus moderators' decisions, judge it
against the active model on the most recent decisions it did not see, and recommend.

Holding back the *newest* decisions (not a random sample) asks the question that matters:
would the candidate have done better on what moderators are deciding now?
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import classifier
from comments.services import registry as models
from comments.services import training_data
from comments.services.registry import Registry
from comments.services.training_data import Example

HELD_BACK_SOURCE = "recent decisions"
HEADS = ("toxicity", "spam")


class RetrainError(Exception):
    """The loop cannot run (e.g. too few decisions); nothing was registered."""


@dataclass(frozen=True, slots=True)
class RetrainSettings:
    data_dir: Path
    decision_weight: float = 1.0
    site_id: int | None = None
    holdout_fraction: float = 0.2
    min_holdout: int = 10
    #: The candidate may trail the active model by at most this much ROC-AUC on any head.
    tolerance: float = 0.005
    #: Seeds the bootstrap resamples of the held-back evaluation; training draws no random
    #: numbers, so the candidate does not depend on it.
    seed: int = 0
    baseline: bool = False
    trained_by: str | None = None


@dataclass
class RetrainResult:
    candidate: str
    active: str
    trained_on: int
    held_back: int
    #: head -> {"candidate": auc, "active": auc, "difference": d, "interval": [lo, hi]}
    comparison: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: head -> why the held-back decisions cannot rank it (no labels, or one class only)
    unjudged: dict[str, str] = field(default_factory=dict)
    recommend: bool = False
    reason: str = ""
    report: dict[str, Any] = field(default_factory=dict)
    #: Other versions with the candidate's bytes (the same decisions, trained on another day).
    same_model_as: list[str] = field(default_factory=list)


def split(
    examples: list[Example], fraction: float, minimum: int
) -> tuple[list[Example], list[Example]]:
    """(training, held back): the newest ``fraction`` of decisions, at least ``minimum``."""
    ordered = sorted(examples, key=lambda e: (e.decided_at is None, e.decided_at))
    count = max(minimum, math.ceil(len(ordered) * fraction))
    if len(ordered) < count + minimum:
        raise RetrainError(
            f"{len(ordered)} labelled decisions are too few: {count} are held back to judge the "
            f"candidate and at least {minimum} are needed to train on"
        )
    return ordered[:-count], ordered[-count:]


def check_held_back_contrasts(held_back: list[Example]) -> None:
    """Refuse before training when the held-back decisions cannot compare two models.

    ROC-AUC needs both classes; without them on any head, minutes of training would end in
    "not recommended" with a useless candidate registered.
    """
    counts = []
    for head, label in (("toxicity", "toxic"), ("spam", "spam")):
        values = [getattr(e, label) for e in held_back if getattr(e, label) is not None]
        positives = sum(values)
        if 0 < positives < len(values):
            return
        counts.append(f"{head} {positives} of {len(values)} labelled positive")
    raise RetrainError(
        f"the newest {len(held_back)} decisions cannot judge a candidate: no head has both "
        f"classes ({'; '.join(counts)}); wait for more varied decisions or raise --holdout"
    )


def _write_held_back(examples: list[Example], path: Path) -> None:
    held = [
        Example(e.text, e.toxic, e.spam, HELD_BACK_SOURCE, e.reason, e.decided_at, e.comment_id)
        for e in examples
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        training_data.write_examples(held, handle, "csv")


def _unjudged_heads(report: dict[str, Any]) -> dict[str, str]:
    """Heads the held-back decisions cannot rank, each with why, so a verdict on the other
    head is not read as covering both."""
    why = {}
    for head in HEADS:
        entry = report["heads"][head]["sources"].get(HELD_BACK_SOURCE)
        if not entry:
            why[head] = "no held-back decision is labelled for it"
        elif not 0 < entry["positives"] < entry["n"]:
            why[head] = f"{entry['positives']} of {entry['n']} labelled positive, so no ROC-AUC"
    return why


def _compare(
    report: dict[str, Any], active_name: str, tolerance: float
) -> tuple[dict[str, Any], bool, str]:
    comparison: dict[str, Any] = {}
    unjudged = _unjudged_heads(report)
    for head in HEADS:
        if head in unjudged:
            continue
        entry = report["heads"][head]["sources"][HELD_BACK_SOURCE]
        candidate = entry["scorers"]["evaluated"]
        active = entry["scorers"][active_name]
        paired = (entry.get("bootstrap") or {}).get("scorers", {}).get(active_name, {})
        comparison[head] = {
            "n": entry["n"],
            "positives": entry["positives"],
            "candidate": candidate["roc_auc"],
            "active": active["roc_auc"],
            "difference": round(candidate["roc_auc"] - active["roc_auc"], 4),
            "active_minus_candidate_interval": paired.get("roc_auc_minus_evaluated"),
            "at_thresholds": {
                "candidate": candidate["thresholds"],
                "active": active["thresholds"],
            },
        }
    if not comparison:
        return comparison, False, "the held-back decisions contain only one class for every head"
    worse = [h for h, c in comparison.items() if c["difference"] < -tolerance]
    if worse:
        return comparison, False, f"the candidate ranks worse on {', '.join(worse)}"
    better = [h for h, c in comparison.items() if c["difference"] > 0]
    if not better:
        return comparison, False, "the candidate is no better than the active model"
    return comparison, True, f"the candidate ranks recent decisions better on {', '.join(better)}"


def retrain(
    session: Session,
    registry: Registry,
    settings: RetrainSettings,
    *,
    actor: str,
    progress: Callable[[str], None] | None = None,
) -> RetrainResult:
    """Train, register and judge a candidate; promoting is left to the caller's decision.

    The reads' transaction ends before training: outside a request, SQLite transactions hold
    the write lock, and minutes of training must not keep the service from storing comments.
    """
    say = progress or (lambda _line: None)
    examples = training_data.labelled_examples(session, settings.site_id)
    training, held_back = split(examples, settings.holdout_fraction, settings.min_holdout)
    check_held_back_contrasts(held_back)
    say(
        f"{len(examples)} decisions: training on {len(training)}, judging on the newest "
        f"{len(held_back)}"
    )
    active_row = models.active_version(session)
    active = registry.builtin() if active_row is None else registry.load(active_row)
    session.commit()
    with tempfile.TemporaryDirectory(prefix="retrain-") as scratch:
        output = Path(scratch) / "candidate"
        classifier.train(
            settings.data_dir,
            output,
            progress=say,
            baseline=settings.baseline,
            extra=training_data.as_corpus(training),
            extra_weight=settings.decision_weight,
            trained_by=settings.trained_by or actor,
            command="flask classifier retrain",
        )
        # The scratch folder is gone once the command ends: name the run, not the path.
        note = f"flask classifier retrain, trained with {len(training)} decisions"
        row = models.register(session, registry, output, actor, note).row
        same_model_as = models.same_artifact(session, row)
        candidate = registry.load(row)
        say(f"registered {candidate.version} in the model store (the folder above is temporary)")
        held_csv = Path(scratch) / "held-back.csv"
        _write_held_back(held_back, held_csv)
        say(f"judging {candidate.version} against {active.version}")
        report = classifier.evaluate(
            candidate, held_csv, compare=[active], anchor=False, bootstrap=200, seed=settings.seed
        )
    comparison, recommend, reason = _compare(report, f"model {active.version}", settings.tolerance)
    return RetrainResult(
        candidate=candidate.version,
        active=active.version,
        trained_on=len(training),
        held_back=len(held_back),
        comparison=comparison,
        unjudged=_unjudged_heads(report),
        recommend=recommend,
        reason=reason,
        report=report,
        same_model_as=same_model_as,
    )
