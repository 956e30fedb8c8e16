"""``evaluate()``: how a model version and its comparators do on a labelled CSV, per source.

The result is a JSON-able dict (rendered by :func:`classifier.write_report`):

- ``heads.<head>.sources.<source>`` for each source with labelled rows, plus ``all`` (pooled)
  when there are several: ``n``, ``positives``, ``negatives``, the bootstrap outcome, and per
  scorer ROC-AUC and PR-AUC with percentile 95% intervals, precision/recall/F1 and the confusion
  matrix at each of its operating thresholds, calibration bins and score histograms.
- Bootstrap resamples are drawn within each source (the pooled figure keeps every source's
  share) and are the same for every scorer, so differences to the evaluated model are paired:
  ``roc_auc_minus_evaluated`` and ``pr_auc_minus_evaluated`` come with their own intervals.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .data import read_csv
from .metrics import (
    WeightedRanking,
    at_threshold,
    calibration,
    histogram,
    percentile_interval,
    ranking,
    resample_weights,
)
from .model import HEADS, Model
from .report_scorers import ScoreFunction, Scorer, profanity_check_scorer

Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int8]
Indices = npt.NDArray[np.intp]
Progress = Callable[[str, int, int], None]  # stage, done, total
Scores = Mapping[str, Mapping[str, Floats]]  # scorer name -> head -> one score per CSV row

FORMAT = 1
BATCH = 1000
LEVEL = 0.95
CALIBRATION_BINS = 10
HISTOGRAM_BINS = 20
PRIMARY = "evaluated"
POOLED = "all"
_TICK = 50  # resamples between progress reports


def evaluate(
    model: Model,
    csv_path: str | Path,
    *,
    compare: Sequence[Model | Scorer] = (),
    anchor: bool = True,
    bootstrap: int = 1000,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Evaluate ``model`` and, on the same rows, every scorer in ``compare`` (a bare model is
    named ``model <version>``) and, with ``anchor``, alt-profanity-check.

    Rows whose label for a head is empty are left out of that head; a file without a ``source``
    column counts as one source named after the file.  ``bootstrap=0`` skips the intervals.
    Raises ``ValueError`` for a file that cannot be read or that has no labelled row at all.
    """
    csv_path = Path(csv_path)
    corpus = read_csv(csv_path)
    labels = {"toxicity": corpus.toxic, "spam": corpus.spam}
    labelled = {head for head in HEADS if (labels[head] >= 0).any()}
    if not labelled:
        raise ValueError(f"{csv_path}: no row has a toxic or spam label (1, 0, true or false)")
    scorers = [Scorer.from_model(model, PRIMARY)]
    scorers += [
        c if isinstance(c, Scorer) else Scorer.from_model(c, f"model {c.version}") for c in compare
    ]
    scorers += [profanity_check_scorer()] if anchor else []
    if len({s.name for s in scorers}) < len(scorers):
        raise ValueError(f"scorer names must differ: {[s.name for s in scorers]}")
    scores = {
        s.name: _score(s.name, s.score, corpus.texts, progress)
        for s in scorers
        if s.score and not _not_run(s, labelled)
    }
    sha256 = str(corpus.files[0]["sha256"])
    sources = np.array(corpus.sources, dtype=object)
    report: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_version": model.version,
        "data": {
            "file": csv_path.name,
            "sha256": sha256,
            "rows": len(corpus),
            "sources": dict(sorted(Counter(corpus.sources).items())),
        },
        "settings": {
            "bootstrap": bootstrap,
            "seed": seed,
            "level": LEVEL,
            "calibration_bins": CALIBRATION_BINS,
            "histogram_bins": HISTOGRAM_BINS,
        },
        "scorers": [_describe(s, scores, sha256, set(corpus.sources), labelled) for s in scorers],
        "heads": {
            head: _head(head, labels[head], sources, scorers, scores, bootstrap, seed, progress)
            for head in HEADS
        },
    }
    report["warnings"] = _warnings(report)
    return report


def _score(
    name: str, score: ScoreFunction, texts: Sequence[str], progress: Progress | None
) -> dict[str, Floats]:
    """Per head, one probability per text, scored in batches so progress can be shown."""
    parts: dict[str, list[Floats]] = {}
    tick = partial(_tick, progress, f"scoring {len(texts)} texts with {name}", 0, len(texts))
    tick(0)  # the stage is named before its first batch, not after it
    for start in range(0, len(texts), BATCH):
        batch = texts[start : start + BATCH]
        for head, values in score(batch).items():
            if values is None:
                continue
            values = np.asarray(values, dtype=np.float64)
            if values.shape != (len(batch),):
                raise ValueError(f"{name} returned {values.shape} scores for {len(batch)} texts")
            parts.setdefault(head, []).append(values)
        tick(start + len(batch))
    return {head: np.concatenate(values) for head, values in parts.items()}


def _not_run(scorer: Scorer, labelled: set[str]) -> str | None:
    """Why a scorer is left out although it loaded: the file labels none of its heads (the
    toxicity-only anchor on a spam corpus would score every text for nothing)."""
    if scorer.score is None or labelled & set(scorer.heads):
        return None
    return f"no row is labelled for {' or '.join(scorer.heads)}, which is all it scores"


def _describe(
    scorer: Scorer, scores: Scores, sha256: str, sources: set[str], labelled: set[str]
) -> dict[str, Any]:
    return {
        "name": scorer.name,
        "version": scorer.version,
        "available": scorer.score is not None,
        "not_run": _not_run(scorer, labelled),
        "heads": [head for head in HEADS if head in scores.get(scorer.name, {})],
        "thresholds": {h: dict(t) for h, t in scorer.thresholds.items()},
        "note": scorer.note,
        "trained_on_this_file": sha256 in scorer.training_files,
        "training_sources_in_data": sorted(sources & scorer.training_sources),
    }


def _head(
    head: str,
    labels: Labels,
    sources: npt.NDArray[Any],
    scorers: Sequence[Scorer],
    scores: Scores,
    bootstrap: int,
    seed: int,
    progress: Progress | None,
) -> dict[str, Any]:
    """Every source with labelled rows for ``head``, then the pooled rows."""
    labelled = np.flatnonzero(labels >= 0)
    names = sorted(set(sources[labelled].tolist()))
    groups = {name: labelled[sources[labelled] == name] for name in names}
    entries = [(name, [groups[name]]) for name in names]
    pooled = POOLED if POOLED not in groups else f"{POOLED} (pooled)"  # a source named "all"
    entries += [(pooled, list(groups.values()))] if len(names) > 1 else []
    result: dict[str, Any] = {"labelled_rows": len(labelled), "sources": {}}
    per_entry = max(bootstrap, 1)
    stage = (
        f"{head} figures: {len(names)} source{'s' if len(names) > 1 else ''}"
        f"{' + pool' if len(names) > 1 else ''}, {bootstrap or 'no'} resamples"
    )
    if entries:
        _tick(progress, stage, 0, len(entries) * per_entry, 0)  # before the first resample
    for index, (name, members) in enumerate(entries):
        tick = partial(_tick, progress, stage, index * per_entry, len(entries) * per_entry)
        rows = np.concatenate(members)
        offsets = np.cumsum([0, *(len(m) for m in members)])
        local = [np.arange(a, b) for a, b in pairwise(offsets)]
        head_scores = {
            s.name: scores[s.name][head][rows] for s in scorers if head in scores.get(s.name, {})
        }
        seed_sequence = np.random.SeedSequence(seed, spawn_key=(_key(head), _key(name)))
        result["sources"][name] = _entry(
            head, labels[rows], local, scorers, head_scores, bootstrap, seed_sequence, tick
        )
        tick(per_entry)
    return result


def _tick(progress: Progress | None, stage: str, offset: int, total: int, done: int) -> None:
    if progress:
        progress(stage, offset + done, total)


def _key(text: str) -> int:
    """A stable number for a name (Python's ``hash`` of a str changes between runs)."""
    return zlib.crc32(text.encode("utf-8"))


def _entry(
    head: str,
    y: Labels,
    groups: list[Indices],
    scorers: Sequence[Scorer],
    scores: Mapping[str, Floats],
    bootstrap: int,
    seed: np.random.SeedSequence,
    tick: Callable[[int], None],
) -> dict[str, Any]:
    positives = int((y == 1).sum())
    entry: dict[str, Any] = {"n": len(y), "positives": positives, "negatives": len(y) - positives}
    per_scorer: dict[str, Any] = {}
    for scorer in scorers:
        if scorer.name not in scores:
            per_scorer[scorer.name] = None  # unavailable, or does not score this head
            continue
        s = scores[scorer.name]
        figures = ranking(y, s)
        per_scorer[scorer.name] = {
            "roc_auc": figures["roc_auc"],
            "pr_auc": figures["pr_auc"],
            "thresholds": {
                name: at_threshold(y, s, value)
                for name, value in scorer.thresholds.get(head, {}).items()
            },
            "calibration": calibration(y, s, CALIBRATION_BINS),
            "histogram": histogram(y, s, HISTOGRAM_BINS),
        }
    entry["scorers"] = per_scorer
    two_classes = 0 < positives < len(y)
    entry["bootstrap"] = _bootstrap(
        y, groups, scores, per_scorer, bootstrap if two_classes else 0, seed, tick
    )
    return entry


def _bootstrap(
    y: Labels,
    groups: list[Indices],
    scores: Mapping[str, Floats],
    per_scorer: dict[str, Any],
    resamples: int,
    seed: np.random.SeedSequence,
    tick: Callable[[int], None],
) -> dict[str, Any]:
    """Add ``<metric>_ci`` (and the paired ``<metric>_minus_evaluated``) to each scorer.

    Resamples left with one class have no ROC-AUC: they are skipped and counted; with fewer
    than half of them usable the intervals are ``None`` rather than misleadingly narrow.
    """
    names = list(scores)
    rankers = [WeightedRanking(y, scores[name]) for name in names]
    values = np.full((resamples, len(names), 2), np.nan)
    is_positive = (y == 1).astype(np.float64)
    for b, weights in enumerate(resample_weights(groups, len(y), resamples, seed)):
        if 0 < weights @ is_positive < weights.sum():
            for j, ranker in enumerate(rankers):
                values[b, j] = ranker(weights) or (np.nan, np.nan)
        if (b + 1) % _TICK == 0:
            tick(b + 1)
    usable = int((~np.isnan(values[:, 0, 0])).sum())
    ok = resamples > 0 and usable >= resamples / 2
    primary = names.index(PRIMARY)  # the evaluated model scores every head
    for j, name in enumerate(names):
        figures = per_scorer[name]
        for m, metric in enumerate(("roc_auc", "pr_auc")):
            kept = values[:, j, m][~np.isnan(values[:, j, m])]
            figures[f"{metric}_ci"] = percentile_interval(kept, LEVEL) if ok else None
            if j == primary or figures[metric] is None:
                continue
            base = per_scorer[PRIMARY][metric]
            delta = values[:, j, m] - values[:, primary, m]
            figures[f"{metric}_minus_evaluated"] = {
                "value": round(figures[metric] - base, 4),
                "ci": percentile_interval(delta[~np.isnan(delta)], LEVEL) if ok else None,
            }
    return {"resamples": resamples, "one_class_skipped": resamples - usable, "intervals": ok}


def _warnings(report: dict[str, Any]) -> list[str]:
    """What a reader must know before trusting the figures."""
    notes: list[str] = []
    for scorer in report["scorers"]:
        label = f"{scorer['name']} ({scorer['version']})"
        if not scorer["available"]:
            notes.append(f"{label} is missing from this report: {scorer['note']}")
        elif scorer["not_run"]:
            notes.append(f"{label} was not run: {scorer['not_run']}")
        elif scorer["trained_on_this_file"]:
            notes.append(
                f"{label} was trained on this very file: its figures are in-sample and optimistic"
            )
        elif scorer["training_sources_in_data"]:
            notes.append(
                f"{label} was trained on sources with the same names as this file's "
                f"({', '.join(scorer['training_sources_in_data'])}): those may be in-sample"
            )
    for head, result in report["heads"].items():
        if not result["sources"]:
            notes.append(f"no row is labelled for {head}: that head is not evaluated")
        for name, entry in result["sources"].items():
            if entry["positives"] in (0, entry["n"]):
                notes.append(f"{head} / {name}: one class only, so no ROC-AUC or PR-AUC")
            elif entry["bootstrap"]["one_class_skipped"]:
                skipped = entry["bootstrap"]["one_class_skipped"]
                total = entry["bootstrap"]["resamples"]
                notes.append(
                    f"{head} / {name}: {skipped} of {total} bootstrap resamples had one class "
                    "and were skipped"
                    + ("" if entry["bootstrap"]["intervals"] else "; no intervals")
                )
    return notes
