"""Leave-one-source-out validation of a training recipe.

Each toxicity corpus is held out in turn (both heads are refitted without it, so its texts also
measure how often ordinary comments from an unseen source look like spam), then each YouTube video
and the SMS corpus.  Vocabulary and IDF are refitted on the training rows of every fold.  Extra
rows (moderators' labels) join every fold's training rows and are never held out: they are few,
not a comparable "source", and the metrics stay measured on the same public corpora as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from joblib import Parallel, delayed

from .data import Corpus, DataError, fingerprint, group_of
from .fitting import (
    MIN_DF,
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
    n_jobs: int = 1,
) -> tuple[sp.csr_matrix, dict[str, Head], object]:
    """Fit TF-IDF on ``rows`` and the requested heads; returns (all-row matrix, heads, tfidf).

    With ``n_jobs`` > 1 the heads are fitted in parallel threads (liblinear releases the GIL);
    each fit is independent, so the weights are the same as fitting them one after the other.
    """
    tfidf = fit_tfidf(counts, rows)
    x = tfidf.transform(counts)

    def toxicity() -> Head:
        index, weights = toxicity_rows(corpus, rows, extra)
        sources = [corpus.sources[i] for i in index]
        return fit_head(
            x[index],
            corpus.toxic[index],
            weights,
            sources,
            recipe.toxicity,
            seed,
            _extra_among(extra, index),
        )

    def spam() -> Head:
        if recipe.ordinary_spam_negatives:
            index, weights = spam_rows(corpus, rows, link_only, extra)
        else:
            index, weights = labelled_rows(corpus.spam, rows, extra)
        sources = [corpus.sources[i] for i in index]
        return fit_head(
            x[index],
            spam_labels(corpus, index),
            weights,
            sources,
            recipe.spam,
            seed,
            _extra_among(extra, index),
        )

    both = (("toxicity", toxicity), ("spam", spam))
    wanted = [(name, fit) for name, fit in both if name in heads]
    if n_jobs > 1 and len(wanted) > 1:
        heads_fitted = Parallel(n_jobs=min(n_jobs, len(wanted)), prefer="threads")(
            delayed(fit)() for _, fit in wanted
        )
    else:
        heads_fitted = [fit() for _, fit in wanted]
    fitted = {name: head for (name, _), head in zip(wanted, heads_fitted, strict=True)}
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


def check_sources(corpus: Corpus, extra: Extra | None = None) -> None:
    """Raise ``DataError`` unless each head has labelled rows from two sources at least.

    Features, weights and thresholds are chosen by holding each source out in turn: with one
    source, the fold that holds it out has nothing to learn from (scikit-learn used to stop
    with "Found array with 0 sample(s)" minutes into training).
    """
    groups = np.array([group_of(s) for s in corpus.sources])
    base = np.ones(len(corpus), dtype=bool) if extra is None else ~extra.rows
    for head, labels in (("toxicity", corpus.toxic), ("spam", corpus.spam)):
        found = sorted(set(groups[base & (labels >= 0)]))
        if len(found) < 2:
            named = f"only {found[0]}" if found else "none"
            raise DataError(
                f"{head}: leave-one-source-out validation needs rows labelled for {head} from at "
                f"least two sources (a file, or a YouTube video), found {named}"
            )


def _viable(corpus: Corpus, rows: Mask, head: str) -> bool:
    labels = (corpus.toxic if head == "toxicity" else corpus.spam)[rows]
    return bool((labels == 1).any() and (labels == 0).any())


def cross_validate_many(
    tasks: Sequence[tuple[Recipe, Counts]],
    corpus: Corpus,
    link_only: Mask,
    *,
    seed: int,
    n_jobs: int,
    say: Callable[[str], None],
    extra: Extra | None = None,
) -> list[Validation]:
    """:func:`cross_validate` for several (recipe, counts) at once, all folds in one thread pool.

    Sharing the pool keeps both cores busy where one recipe's last fold would leave one idle.
    Folds that refit both heads (the slow ones) of every recipe are queued first.
    """
    groups = [group_of(s) for s in corpus.sources]
    group_array = np.array(groups)
    plan = plan_folds(corpus, extra)
    total = len(plan) * len(tasks)
    done = [0]
    lock = threading.Lock()

    def run(
        recipe: Recipe, counts: Counts, group: str, heads: tuple[str, ...]
    ) -> tuple[npt.NDArray[np.intp], dict[str, Floats]]:
        rows = group_array != group
        if extra is not None:
            rows |= extra.rows
        usable = tuple(h for h in heads if _viable(corpus, rows, h))
        x, fitted, _ = fit_heads(recipe, corpus, counts, rows, link_only, usable, seed, extra)
        test = np.flatnonzero(~rows)
        with lock:  # folds finish in any order: count them, so a reader sees how far it is
            done[0] += 1
            say(f"{recipe.name}: held out {group} ({done[0]} of {total} folds)")
        return test, {head: fitted[head].decision(x[test]) for head in fitted}

    jobs = [
        (t, recipe, counts, group, heads)
        for t, (recipe, counts) in enumerate(tasks)
        for group, heads in plan
    ]
    jobs.sort(key=lambda job: -len(job[4]))  # stable: plan order within each kind of fold
    say(f"validating: {total} folds, each holding out one source, {n_jobs} at a time")
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(run)(recipe, counts, group, heads) for _, recipe, counts, group, heads in jobs
    )
    out = []
    for t in range(len(tasks)):
        oof = {head: np.full(len(corpus), np.nan) for head in ("toxicity", "spam")}
        for job, (test, scores) in zip(jobs, results, strict=True):
            if job[0] == t:
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
        out.append(validation)
    return out


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
    return cross_validate_many(
        [(recipe, counts)], corpus, link_only, seed=seed, n_jobs=n_jobs, say=say, extra=extra
    )[0]


# Caching a validation (the anchor's): it depends only on the exact rows, the recipe, the seed,
# the validation code and the library versions, all of which are in the key.
CACHE_ENV = "COMMENTS_ML_CACHE_DIR"
_CACHE_FORMAT = "validation-cache-1"
#: Validations kept (a few MB each): every change of data, recipe, code or library makes a new
#: key, so the least recently used beyond these are deleted when one is stored.
CACHE_KEEP = 8
_CODE = ("fitting.py", "validation.py", "metrics.py")


def default_cache_dir() -> Path | None:
    """``$COMMENTS_ML_CACHE_DIR`` (empty or ``off`` disables), else ``~/.cache/comments-ml``."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return None if value.strip() in ("", "off", "0") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "comments-ml"


def cache_key(
    recipe: Recipe,
    vectorizers: dict[str, Any],
    corpus: Corpus,
    seed: int,
    extra: Extra | None,
) -> dict[str, Any]:
    """What a cached validation is valid for (its sha256 names the cache file)."""
    here = Path(__file__).parent
    code = hashlib.sha256(b"".join((here / name).read_bytes() for name in _CODE)).hexdigest()
    return {
        "format": _CACHE_FORMAT,
        "recipe": repr(recipe),
        "vectorizers": {
            name: repr(sorted(v.get_params().items())) for name, v in vectorizers.items()
        },
        "min_df": MIN_DF,
        "rows_sha256": fingerprint(corpus),
        "extra_rows": None
        if extra is None
        else hashlib.sha256(np.packbits(extra.rows).tobytes()).hexdigest(),
        "extra_weight": None if extra is None else extra.weight,
        "seed": seed,
        "code_sha256": code,
        "libraries": {n: metadata.version(n) for n in ("numpy", "scipy", "scikit-learn")},
    }


def _digest(key: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()


def load_cached(cache_dir: Path, key: dict[str, Any]) -> Validation | None:
    """The validation stored under ``key``, or None (missing, unreadable or not for this key)."""
    stem = cache_dir / _digest(key)
    try:
        meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        if meta["key"] != key:
            return None
        with np.load(stem.with_suffix(".npz"), allow_pickle=False) as arrays:
            oof = {head: np.asarray(arrays[head], dtype=np.float64) for head in meta["heads"]}
        groups = [str(g) for g in meta["groups"]]
        if any(len(v) != len(groups) for v in oof.values()):
            return None
        os.utime(stem.with_suffix(".json"))  # used: the last to be pruned
        return Validation(groups, oof, meta["metrics"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store_cached(cache_dir: Path, key: dict[str, Any], validation: Validation) -> bool:
    """Write atomically (temp file + rename); a cache that cannot be written is not an error."""
    stem = cache_dir / _digest(key)
    meta = {
        "key": key,
        "groups": validation.groups,
        "heads": sorted(validation.oof),
        "metrics": validation.metrics,
    }
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = stem.with_suffix(f".{os.getpid()}.tmp.npz")
        with tmp.open("wb") as handle:
            np.savez(handle, toxicity=validation.oof["toxicity"], spam=validation.oof["spam"])
        os.replace(tmp, stem.with_suffix(".npz"))
        tmp_json = stem.with_suffix(f".{os.getpid()}.tmp")
        tmp_json.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp_json, stem.with_suffix(".json"))
    except OSError:
        return False
    prune_cache(cache_dir, CACHE_KEEP)
    return True


def prune_cache(cache_dir: Path, keep: int) -> list[str]:
    """Delete all but the ``keep`` most recently stored or used validations; their digests."""

    def last_used(entry: Path) -> float:
        try:
            return entry.stat().st_mtime
        except OSError:  # removed meanwhile by another training run
            return 0.0

    entries = sorted(cache_dir.glob("*.json"), key=last_used, reverse=True)
    removed = []
    for entry in entries[keep:]:
        for path in (entry, entry.with_suffix(".npz")):
            path.unlink(missing_ok=True)
        removed.append(entry.stem)
    return removed
