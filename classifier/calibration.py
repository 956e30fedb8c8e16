"""Per-site thresholds from targets stated in words, chosen on labelled validation data.

Site owners think in outcomes ("at most 1% of toxic comments published without review"), not
in scores, so each target is turned into the threshold that meets it on validation data, and
the price is stated: the share of comments that will wait for a moderator.  Validation sets
have artificial prevalence (a spam corpus can be half spam), so spam-folder precision and the
cost are re-weighted to a stated expected prevalence from per-class rates, which do not
depend on it; the figures on the validation data as-is are reported beside them.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .data import LABEL_HELP, MISSING, Corpus, concat, read_csv
from .model import HEADS, Model
from .targets import CalibrationError, Target, percent

Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int8]

#: Thresholds are tidied to this grid wherever that changes no decision on the validation data.
GRID = 1e-6
#: Fewest validation comments in the spam folder before its precision may decide a threshold.
MIN_SUPPORT = 30
BATCH = 1000


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """The three per-site thresholds the policy uses."""

    toxicity_hold: float
    spam_hold: float
    spam_file: float


@dataclass(frozen=True, slots=True)
class Prevalence:
    """Expected share of toxic and of spam comments on the site (the rest are ordinary)."""

    toxicity: float = 0.05
    spam: float = 0.05

    def __post_init__(self) -> None:
        if not (0 < self.toxicity < 1 and 0 < self.spam < 1 and self.toxicity + self.spam < 1):
            raise CalibrationError("prevalences must be above 0 and add up to less than 1")

    def __str__(self) -> str:
        return f"{percent(self.toxicity)} toxic and {percent(self.spam)} spam"


def read_labelled(path: Path) -> Corpus:
    """A labelled CSV (``text,toxic,spam``); one with no label at all cannot calibrate."""
    try:
        corpus = read_csv(Path(path))
    except (ValueError, csv.Error) as exc:
        raise CalibrationError(str(exc)) from exc
    if not ((corpus.toxic != MISSING) | (corpus.spam != MISSING)).any():
        raise CalibrationError(
            f"{path} has no labels: it needs a 'toxic' and/or 'spam' column of {LABEL_HELP}"
        )
    return corpus


@dataclass(frozen=True, slots=True)
class ValidationSet:
    """Labels (1, 0 or ``MISSING``) and the model's scores, per head, for the same comments."""

    labels: dict[str, Labels]
    scores: dict[str, Floats]
    #: Files (and sources of extra examples) the model was trained on: rates there are optimistic.
    seen_in_training: tuple[str, ...] = ()


def score_labelled(
    model: Model, parts: Sequence[Corpus], progress: Callable[[int], None] | None = None
) -> ValidationSet:
    """Score in batches, calling ``progress`` with each batch's size (for a progress bar)."""
    corpus = concat(parts)
    card_data = model.card.get("data", {})
    card_files = card_data.get("files", [])
    trained, given = {f.get("sha256") for f in card_files}, {f.get("sha256") for f in corpus.files}
    seen_files = [str(f["file"]) for f in corpus.files if f.get("sha256") in trained]
    # A sample of a training file has another sha256 but its rows were trained on: go by source,
    # and so for moderators' decisions a retrained model learnt from.
    present = set(corpus.sources) - {
        s for f in card_files if f.get("sha256") in given for s in f.get("sources", {})
    }
    seen_sources = [
        f"a source named {s}" for f in card_files for s in f.get("sources", {}) if s in present
    ]
    extra_sources = (card_data.get("extra") or {}).get("sources", {})
    seen_examples = [f"{n} examples from {s}" for s, n in extra_sources.items() if s in present]
    columns: dict[str, list[float]] = {head: [] for head in HEADS}
    for start in range(0, len(corpus), BATCH):
        batch = corpus.texts[start : start + BATCH]
        for scores in model.score_many(batch):
            for head in HEADS:
                columns[head].append(getattr(scores, head))
        if progress is not None:
            progress(len(batch))
    return ValidationSet(
        {"toxicity": corpus.toxic, "spam": corpus.spam},
        {head: np.array(values, dtype=np.float64) for head, values in columns.items()},
        (*seen_files, *seen_sources, *seen_examples),
    )


@dataclass(frozen=True, slots=True)
class Achieved:
    """What a target came to on the validation data."""

    target: Target
    value: float  # the share the target is about
    count: int
    of: int
    what: str  # what ``count`` counts
    where: str = ""  # qualifies ``value``: precision is at the expected prevalence

    def sentence(self) -> str:
        figure = f"{percent(self.value, 3)}{self.where}"
        return f"{self.target}: {figure} ({self.count} of {self.of} {self.what})"


@dataclass(frozen=True, slots=True)
class Cost:
    """The share of comments held for a moderator, from scores alone (rules hold more)."""

    held: float  # at the expected prevalence
    held_count: int  # on the validation data as-is
    total: int
    #: Classes absent from the validation data, so left out of the prevalence mix.
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Calibration:
    """All three thresholds (targets set ``changed``), what they achieve, and at what cost."""

    thresholds: Cutoffs
    before: Cutoffs
    changed: tuple[str, ...]
    achieved: tuple[Achieved, ...]
    cost: Cost
    cost_before: Cost
    prevalence: Prevalence
    min_support: int
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class _Head:
    """One head's candidate thresholds and, at each, how many positives/negatives fall where."""

    candidates: Floats  # every distinct score of the validation set, then one above them all
    n_pos: int
    n_neg: int
    pos_below: npt.NDArray[np.intp]
    neg_at_or_above: npt.NDArray[np.intp]

    @classmethod
    def of(cls, data: ValidationSet, head: str) -> _Head:
        scores, labels = data.scores[head], data.labels[head]
        pos, neg = np.sort(scores[labels == 1]), np.sort(scores[labels == 0])
        unique = np.unique(scores)
        top = float(unique[-1]) if unique.size else 0.0
        candidates = np.append(unique, _above(top))
        return cls(
            candidates,
            pos.size,
            neg.size,
            np.searchsorted(pos, candidates, side="left"),
            neg.size - np.searchsorted(neg, candidates, side="left"),
        )

    def at(self, threshold: float) -> tuple[int, int]:
        """Positives scoring below ``threshold``, negatives at or above it."""
        # Any threshold flags what the first candidate at or above it flags.
        index = int(np.searchsorted(self.candidates, threshold, side="left"))
        if index == self.candidates.size:
            return self.n_pos, 0
        return int(self.pos_below[index]), int(self.neg_at_or_above[index])

    def tidy(self, index: int) -> float:
        """A round threshold that flags exactly what ``candidates[index]`` flags."""
        exact = float(self.candidates[index])
        lower = float(self.candidates[index - 1]) if index else -math.inf
        rounded = float(f"{exact:.6f}")
        if rounded > exact:
            rounded = float(f"{rounded - GRID:.6f}")
        return rounded if lower < rounded <= exact else exact


def _above(score: float) -> float:
    """The first round value above every score (a threshold nothing reaches)."""
    above = float(f"{score:.6f}")
    if above <= score:
        above = float(f"{above + GRID:.6f}")
    return above if above > score else math.nextafter(score, math.inf)


def _allowed(share: float, n: int) -> int:
    """How many of ``n`` make up at most ``share`` (tolerant of 0.29 * 100 = 28.999...)."""
    return math.floor(share * n + 1e-9)


def _need(n: int, what: str, target: Target) -> None:
    if n == 0:
        raise CalibrationError(f"no {what} in the validation data to check '{target}' on")


def _at_most_below(head: _Head, target: Target) -> int:
    """Highest candidate with at most ``target.value`` of positives scoring below it."""
    _need(head.n_pos, f"{target.goal.head}-positive comments", target)
    allowed = _allowed(target.value, head.n_pos)
    return int(np.flatnonzero(head.pos_below <= allowed)[-1])


def _at_most_above(head: _Head, target: Target) -> int:
    """Lowest candidate with at most ``target.value`` of negatives at or above it."""
    _need(head.n_neg, "non-toxic comments", target)
    allowed = _allowed(target.value, head.n_neg)
    return int(np.flatnonzero(head.neg_at_or_above <= allowed)[0])


def _precise_folder(head: _Head, target: Target, prior: float, min_support: int) -> int:
    """Lowest candidate whose spam folder is precise enough at ``prior`` spam prevalence and
    holds at least ``min_support`` validation comments."""
    _need(head.n_pos, "spam comments", target)
    _need(head.n_neg, "comments labelled not spam", target)
    filed = head.n_pos - head.pos_below
    support = filed + head.neg_at_or_above
    weighted = prior * filed / head.n_pos  # precision re-weighted to ``prior``
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted = weighted / (weighted + (1 - prior) * head.neg_at_or_above / head.n_neg)
    precision = np.nan_to_num(weighted, nan=0.0)
    enough = support >= min_support
    passing = np.flatnonzero(enough & (precision >= target.value - 1e-9))
    if passing.size:
        return int(passing[0])
    if not enough.any():
        raise CalibrationError(
            f"cannot check '{target}': only {head.n_pos + head.n_neg} comments are labelled "
            f"for spam, and the spam folder must hold at least {min_support} (--min-support)"
        )
    best = int(np.argmax(np.where(enough, precision, -1.0)))
    raise CalibrationError(
        f"cannot meet '{target}' at {percent(prior)} spam prevalence with at least "
        f"{min_support} validation comments in the folder: the best is "
        f"{percent(float(precision[best]), 3)} at threshold {head.tidy(best)} "
        f"({int(support[best])} filed)"
    )


def _check_both(tox: _Head, index: int, published: Target, held: Target) -> None:
    """Both toxicity targets given: the threshold meeting the first must meet the second."""
    allowed = _allowed(held.value, tox.n_neg)
    if tox.neg_at_or_above[index] <= allowed:
        return
    other = _at_most_above(tox, held)
    raise CalibrationError(
        f"cannot have both '{published}' and '{held}': the first needs a toxicity threshold "
        f"of at most {tox.tidy(index)}, which holds "
        f"{percent(tox.neg_at_or_above[index] / tox.n_neg, 3)} of ordinary comments; the "
        f"second needs at least {tox.tidy(other)}, which publishes "
        f"{percent(tox.pos_below[other] / tox.n_pos, 3)} of toxic comments"
    )


def cost(data: ValidationSet, cutoffs: Cutoffs, prevalence: Prevalence) -> Cost:
    """Held share at ``prevalence`` (a mix of per-class rates) and as-is, as the policy
    decides: filed as spam at or above spam_file, else held at or above either hold."""
    toxicity, spam_scores = data.scores["toxicity"], data.scores["spam"]
    held = (spam_scores < cutoffs.spam_file) & (
        (toxicity >= cutoffs.toxicity_hold) | (spam_scores >= cutoffs.spam_hold)
    )
    toxic, spam = data.labels["toxicity"] == 1, data.labels["spam"] == 1
    labelled = (data.labels["toxicity"] != MISSING) | (data.labels["spam"] != MISSING)
    classes = {
        "spam": (spam, prevalence.spam),
        "toxic": (toxic & ~spam, prevalence.toxicity),
        "ordinary": (labelled & ~toxic & ~spam, 1 - prevalence.spam - prevalence.toxicity),
    }
    present = [(rows, weight) for rows, weight in classes.values() if rows.any()]
    if not present:
        raise CalibrationError("no labelled comments in the validation data")
    mixed = sum(w * float(held[rows].mean()) for rows, w in present) / sum(w for _, w in present)
    return Cost(
        held=mixed,
        held_count=int((held & labelled).sum()),
        total=int(labelled.sum()),
        missing=tuple(name for name, (rows, _) in classes.items() if not rows.any()),
    )


def _achieved(heads: dict[str, _Head], cutoffs: Cutoffs, target: Target, prior: float) -> Achieved:
    head = heads[target.goal.head]
    if target.kind == "spam_published":  # published: below the hold and the file thresholds
        below, _ = head.at(min(cutoffs.spam_hold, cutoffs.spam_file))
        return Achieved(target, below / head.n_pos, below, head.n_pos, "spam comments")
    below, above = head.at(getattr(cutoffs, target.goal.threshold))
    if target.kind == "toxic_published":
        return Achieved(target, below / head.n_pos, below, head.n_pos, "toxic comments")
    if target.kind == "ordinary_held":
        return Achieved(target, above / head.n_neg, above, head.n_neg, "non-toxic comments")
    filed = head.n_pos - below
    precision = prior * filed / head.n_pos
    precision /= precision + (1 - prior) * above / head.n_neg
    return Achieved(
        target,
        precision,
        filed,
        filed + above,
        f"filed validation comments are spam; {above} of {head.n_neg} non-spam comments filed",
        f" at {percent(prior)} spam prevalence",
    )


def calibrate(
    data: ValidationSet,
    targets: Sequence[Target],
    current: Cutoffs,
    prevalence: Prevalence | None = None,
    min_support: int = MIN_SUPPORT,
) -> Calibration:
    """Thresholds meeting ``targets`` on ``data``; thresholds no target sets stay ``current``.

    The toxicity hold comes from "toxic published" (the highest threshold meeting it, so as
    few comments wait as possible), else from "ordinary held"; given both, the second is
    checked.  The spam hold never goes above the spam-file threshold.
    """
    prevalence = prevalence or Prevalence()
    by_kind: Mapping[str, Target] = {target.kind: target for target in targets}
    if not by_kind or len(by_kind) != len(targets):
        raise CalibrationError("give each target at most once, and at least one")
    if min_support < 1:
        raise CalibrationError("the minimum support is at least one comment")
    chosen = asdict(current)
    changed: list[str] = []
    notes: list[str] = []
    tox, spam = _Head.of(data, "toxicity"), _Head.of(data, "spam")
    published, held = by_kind.get("toxic_published"), by_kind.get("ordinary_held")
    if published is not None:
        index = _at_most_below(tox, published)
        if held is not None:
            _check_both(tox, index, published, held)
        chosen["toxicity_hold"] = tox.tidy(index)
    elif held is not None:
        chosen["toxicity_hold"] = tox.tidy(_at_most_above(tox, held))
    if "spam_folder_precision" in by_kind:
        target = by_kind["spam_folder_precision"]
        chosen["spam_file"] = spam.tidy(_precise_folder(spam, target, prevalence.spam, min_support))
        notes.append(
            f"the spam folder had to hold at least {min_support} validation comments "
            "(--min-support), so a few lucky comments cannot decide its threshold"
        )
    if "spam_published" in by_kind:
        chosen["spam_hold"] = spam.tidy(_at_most_below(spam, by_kind["spam_published"]))
    spam_targets = by_kind.keys() & {"spam_published", "spam_folder_precision"}
    if spam_targets and chosen["spam_hold"] > chosen["spam_file"]:
        chosen["spam_hold"] = chosen["spam_file"]
        changed.append("spam_hold")
        notes.append("spam_hold capped at spam_file: no 'possible spam' band is left")
    for target in by_kind.values():
        head = tox if target.goal.head == "toxicity" else spam
        n = head.n_neg if target.kind == "ordinary_held" else head.n_pos
        if target.goal.direction == "at most" and 0 < target.value * n < 1:
            notes.append(
                f"'{target}': {percent(target.value)} of {n} comments is less than one, "
                "so the target was met with none"
            )
    if data.seen_in_training:
        notes.append(
            f"the model was trained on {', '.join(data.seen_in_training)}: rates measured there "
            "are optimistic; calibrate on comments it has not seen for figures to rely on"
        )
    changed += [target.goal.threshold for target in by_kind.values()]
    thresholds = Cutoffs(**chosen)
    return Calibration(
        thresholds=thresholds,
        before=current,
        changed=tuple(name for name in chosen if name in changed),
        achieved=tuple(
            _achieved({"toxicity": tox, "spam": spam}, thresholds, target, prevalence.spam)
            for target in by_kind.values()
        ),
        cost=cost(data, thresholds, prevalence),
        cost_before=cost(data, current, prevalence),
        prevalence=prevalence,
        min_support=min_support,
        notes=tuple(notes),
    )
