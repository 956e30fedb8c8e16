"""Leave-one-source-out validation of a training recipe.

Each toxicity corpus is held out in turn (both heads are refitted without it, so its texts also
measure how often ordinary comments from an unseen source look like spam), then each YouTube video
and the SMS corpus.  Vocabulary and IDF are refitted on the training rows of every fold.  Extra
rows (moderators' labels) join every fold's training rows and are never held out: they are few,
not a comparable "source", and the metrics stay measured on the same public corpora as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from joblib import Parallel, delayed

from .data import Corpus, group_of
from .fitting import (
    SPAM_PARAMS,
    TOXICITY_PARAMS,
    Counts,
    Extra,
    Head,
    HeadParams,
    Mask,
    fit_head,
    fit_tfidf,
    labelled_rows,
    spam_labels,
    spam_rows,
    toxicity_rows,
)
from .metrics import ranking

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Recipe:
    """How heads are trained from a count matrix: our model, or the plain TF-IDF anchor."""

    name: str
    toxicity: HeadParams
    spam: HeadParams
    ordinary_spam_negatives: bool  # toxicity corpora as (balanced) spam negatives


OURS = Recipe("ours", TOXICITY_PARAMS, SPAM_PARAMS, ordinary_spam_negatives=True)
ANCHOR = Recipe("tfidf-anchor", HeadParams(C=4.0), HeadParams(C=4.0), ordinary_spam_negatives=False)


@dataclass
class Validation:
    """Out-of-fold logits (NaN where a row was never held out) and per-source metrics."""

    groups: list[str]
    oof: dict[str, Floats]
    metrics: dict[str, dict[str, dict[str, float | int | None]]] = field(default_factory=dict)


def _extra_among(extra: Extra | None, index: npt.NDArray[np.intp]) -> Mask | None:
    """Which of the rows ``index`` selects are extra rows."""
    return None if extra is None else extra.rows[index]


def fit_heads(
    recipe: Recipe,
    corpus: Corpus,
    counts: Counts,
    rows: Mask,
    link_only: Mask,
    heads: tuple[str, ...],
    seed: int,
    extra: Extra | None = None,
) -> tuple[sp.csr_matrix, dict[str, Head], object]:
    """Fit TF-IDF on ``rows`` and the requested heads; returns (all-row matrix, heads, tfidf)."""
    tfidf = fit_tfidf(counts, rows)
    x = tfidf.transform(counts)
    fitted: dict[str, Head] = {}
    if "toxicity" in heads:
        index, weights = toxicity_rows(corpus, rows, extra)
        sources = [corpus.sources[i] for i in index]
        fitted["toxicity"] = fit_head(
            x[index],
            corpus.toxic[index],
            weights,
            sources,
            recipe.toxicity,
            seed,
            _extra_among(extra, index),
        )
    if "spam" in heads:
        if recipe.ordinary_spam_negatives:
            index, weights = spam_rows(corpus, rows, link_only, extra)
        else:
            index, weights = labelled_rows(corpus.spam, rows, extra)
        sources = [corpus.sources[i] for i in index]
        fitted["spam"] = fit_head(
            x[index],
            spam_labels(corpus, index),
            weights,
            sources,
            recipe.spam,
            seed,
            _extra_among(extra, index),
        )
    return x, fitted, tfidf


def plan_folds(corpus: Corpus, extra: Extra | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """(held-out group, heads to refit): toxicity corpora first, then spam sources."""
    groups = np.array([group_of(s) for s in corpus.sources])
    base = np.ones(len(corpus), dtype=bool) if extra is None else ~extra.rows
    plan: list[tuple[str, tuple[str, ...]]] = []
    for group in sorted(set(groups[base & (corpus.toxic >= 0)])):
        plan.append((group, ("toxicity", "spam")))
    for group in sorted(set(groups[base & (corpus.spam >= 0)])):
        plan.append((group, ("spam",)))
    return plan


def _viable(corpus: Corpus, rows: Mask, head: str) -> bool:
    labels = (corpus.toxic if head == "toxicity" else corpus.spam)[rows]
    return bool((labels == 1).any() and (labels == 0).any())


def cross_validate(
    recipe: Recipe,
    corpus: Corpus,
    counts: Counts,
    link_only: Mask,
    *,
    seed: int,
    n_jobs: int,
    say: Callable[[str], None],
    extra: Extra | None = None,
) -> Validation:
    """Out-of-fold scores for every base row; extra rows are in every fold's training rows."""
    groups = [group_of(s) for s in corpus.sources]
    group_array = np.array(groups)
    plan = plan_folds(corpus, extra)

    def run(group: str, heads: tuple[str, ...]) -> tuple[npt.NDArray[np.intp], dict[str, Floats]]:
        rows = group_array != group
        if extra is not None:
            rows |= extra.rows
        usable = tuple(h for h in heads if _viable(corpus, rows, h))
        x, fitted, _ = fit_heads(recipe, corpus, counts, rows, link_only, usable, seed, extra)
        test = np.flatnonzero(~rows)
        say(f"{recipe.name}: held out {group}")
        return test, {head: fitted[head].decision(x[test]) for head in fitted}

    results = Parallel(n_jobs=n_jobs, prefer="threads")(delayed(run)(g, h) for g, h in plan)
    oof = {head: np.full(len(corpus), np.nan) for head in ("toxicity", "spam")}
    for test, scores in results:
        for head, values in scores.items():
            oof[head][test] = values
    validation = Validation(groups, oof)
    for head, labels in (("toxicity", corpus.toxic), ("spam", corpus.spam)):
        per_source: dict[str, dict[str, float | int | None]] = {}
        for group in sorted(set(group_array[labels >= 0])):
            members = (group_array == group) & (labels >= 0) & ~np.isnan(oof[head])
            if members.any():
                per_source[group] = ranking(labels[members], oof[head][members])
        validation.metrics[head] = per_source
    return validation
