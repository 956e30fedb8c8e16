"""``train()``: validate the recipe, pick thresholds, fit the final model and write the artifact."""

from __future__ import annotations

import getpass
import math
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from . import card as model_card
from .artifact import encode_arrays, model_from_arrays, save
from .data import Corpus, concat, data_fingerprint, dedupe, fingerprint, read_dir
from .features import TOKEN_RE, FeatureConfig, is_word
from .fitting import (
    Counts,
    Extra,
    Head,
    Mask,
    Tfidf,
    anchor_vectorizers,
    count_many,
    our_vectorizers,
)
from .model import HEADS, Model
from .text import Analysed, analyse
from .thresholds import choose
from .validation import (
    ANCHOR,
    OURS,
    cache_key,
    check_sources,
    cross_validate_many,
    default_cache_dir,
    fit_heads,
    load_cached,
    store_cached,
)

Progress = bool | Callable[[str], None]
_CHECK_ROWS = 300
_CHECK_TOLERANCE = 1e-6


def _reporter(progress: Progress) -> Callable[[str], None]:
    start = time.perf_counter()

    def say(message: str) -> None:
        line = f"[{time.perf_counter() - start:6.1f}s] {message}"
        if callable(progress):
            progress(line)
        elif progress:
            print(line, file=sys.stderr, flush=True)

    return say


def link_only(docs: list[Analysed]) -> Mask:
    """Texts that are nothing but links: the corpora do not say whether those are spam."""
    out = np.zeros(len(docs), dtype=bool)
    for i, doc in enumerate(docs):
        tokens = doc.norm.split()
        if "url" in tokens:
            rest = re.sub(r"\burl(?: \S+)?", " ", doc.norm)
            out[i] = not any(map(is_word, TOKEN_RE.findall(rest)))
    return out


def export(
    config: FeatureConfig, counts: Counts, tfidf: Tfidf, heads: dict[str, Head]
) -> dict[str, Any]:
    """Fold the fitted vectorizers and heads into the lean model's arrays."""
    blocks = {}
    start = 0
    for name, vocabulary, keep, transformer in zip(
        counts.names, counts.vocabularies, tfidf.keep, tfidf.transformers, strict=True
    ):
        stop = start + len(keep)
        weights = np.column_stack([heads[h].weights[start:stop] for h in HEADS])
        blocks[name] = ([vocabulary[j] for j in keep], transformer.idf_, weights)
        start = stop
    intercepts = np.array([heads[h].intercept for h in HEADS])
    return encode_arrays(config, blocks, intercepts)


def _check_lean(model: Model, corpus: Corpus, x: Any, heads: dict[str, Head]) -> float:
    """Largest |lean - scikit-learn| probability over a spread of training texts; must be tiny."""
    rows = np.unique(np.linspace(0, len(corpus) - 1, min(_CHECK_ROWS, len(corpus))).astype(int))
    lean = np.array([[getattr(model.score(corpus.texts[i]), h) for h in HEADS] for i in rows])
    reference = np.column_stack([heads[h].predict_proba(x[rows]) for h in HEADS])
    difference = float(np.abs(lean - reference).max())
    if difference > _CHECK_TOLERANCE:
        raise RuntimeError(f"lean scorer disagrees with scikit-learn by {difference:.2e}")
    return difference


def _who(trained_by: str | None) -> str:
    if trained_by:
        return trained_by
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no $USER/$LOGNAME and no passwd entry (some containers)
        return "unknown"


def _join_extra(
    base: Corpus, extra: Corpus | None, weight: float
) -> tuple[Corpus, Extra | None, dict[str, Any] | None]:
    """Append the deduplicated extra examples to the base corpora; also what the card says of them.

    Extras are not deduplicated against the base corpora: a moderator's label on a text that a
    public corpus also contains is the site's own judgement and should count.
    """
    if extra is None:
        return base, None, None
    if not (math.isfinite(weight) and weight > 0):
        raise ValueError(f"extra_weight must be a positive number, got {weight!r}")
    kept, dropped = dedupe(extra)
    corpus = concat([base, kept])
    rows = np.arange(len(corpus)) >= len(base)
    summary = model_card.extra_summary(kept, weight, dropped, fingerprint(kept))
    return corpus, Extra(rows, weight), summary


def _one_class_toxicity(labels: dict[str, int]) -> str | None:
    """Why extras of one toxicity class teach little: their own intercept (left out at
    inference) can fit them all, whatever their words."""
    toxic, ordinary = labels["toxic"], labels["not_toxic"]
    if bool(toxic) == bool(ordinary):
        return None
    only = f"all {toxic} toxic (rejections)" if toxic else f"all {ordinary} not toxic (approvals)"
    return (
        f"the extra examples labelled for toxicity are {only}: their own intercept absorbs "
        "them, so they teach the toxicity head almost nothing; it learns from both classes"
    )


def train(
    data_dir: Path,
    output_dir: Path,
    *,
    seed: int = 0,
    progress: Progress = False,
    baseline: bool = True,
    n_jobs: int = 2,
    command: str | None = None,
    extra: Corpus | None = None,
    extra_weight: float = 1.0,
    trained_by: str | None = None,
    cache_dir: Path | bool | None = True,
) -> dict[str, Any]:
    """Train both heads on every ``*.csv`` in ``data_dir``; write the artifact to ``output_dir``.

    ``baseline`` also validates the plain TF-IDF anchor (for the card's comparison); it is the
    slowest step and can be skipped for quick experiments.  ``extra`` adds labelled examples from
    elsewhere (moderators' decisions, oldest first; labels may be missing for a head): they are
    deduplicated by normalised text (the last wins), weigh ``extra_weight`` times a base row,
    join every validation fold's training rows and are never held out.  ``trained_by`` defaults
    to the login name.  Nothing is random (``card.RANDOMNESS``): the same data give the same
    weights and the same ``model.npz`` bytes for any ``seed``, which is accepted for existing
    callers, handed to liblinear (whose primal solver does not use it) and not recorded.

    The anchor's validation depends only on the exact rows, recipe, validation code and library
    versions; it is cached under those and ``seed`` in ``cache_dir`` (True:
    ``$COMMENTS_ML_CACHE_DIR`` or ``~/.cache/comments-ml``; False/None: no cache), so
    re-training on unchanged data skips it. The card records whether the anchor figures came
    from the cache and for which rows. Data that cannot be read raises ``DataError`` before any
    fitting.
    """
    say = _reporter(progress)
    started = time.perf_counter()
    stages: dict[str, float] = {}
    mark = [started]

    def stage(name: str) -> None:
        now = time.perf_counter()
        stages[name] = round(now - mark[0], 2)
        mark[0] = now

    cache = default_cache_dir() if cache_dir is True else (cache_dir or None)
    data_dir, output_dir = Path(data_dir), Path(output_dir)
    base = read_dir(data_dir)
    say(f"read {len(base)} rows from {len(base.files)} files in {data_dir}")
    corpus, added, extra_card = _join_extra(base, extra, extra_weight)
    check_sources(corpus, added)
    if extra_card is not None:
        say(f"added {extra_card['rows']} extra examples at weight {extra_weight}")
        one_class = _one_class_toxicity(extra_card["labels"])
        if one_class:
            say(f"warning: {one_class}")
    stage("read")
    say(f"normalising {len(corpus)} texts and counting word and character n-grams")
    docs = [analyse(text) for text in corpus.texts]
    config = FeatureConfig()
    links = link_only(docs)
    stage("analyse")

    anchor = None
    anchor_cache: dict[str, Any] | None = None
    key: dict[str, Any] | None = None
    if baseline:
        key = cache_key(ANCHOR, anchor_vectorizers(), corpus, seed, added)
        anchor = load_cached(cache, key) if cache is not None else None
        anchor_cache = {
            "used": anchor is not None,
            "dir": str(cache) if cache is not None else None,
            "rows_sha256": key["rows_sha256"],
            "note": (
                "tfidf_anchor figures are for exactly these rows (rows_sha256 = classifier.data."
                "fingerprint of the training rows), this recipe, validation code and library "
                "versions; "
                + ("read from the cache" if anchor is not None else "computed in this run")
            ),
        }
        if anchor is not None:
            say("tfidf-anchor: validation read from the cache (same rows and code)")
    work: list[tuple[Any, Any]] = [(docs, our_vectorizers(config))]
    if baseline and anchor is None:
        work.append((corpus.texts, anchor_vectorizers()))
    counted = count_many(work, n_jobs)
    counts = counted[0]
    sizes = zip(counts.names, map(len, counts.vocabularies), strict=True)
    say("features: " + ", ".join(f"{name} {size}" for name, size in sizes))
    stage("count")

    tasks = [(OURS, counts)] + [(ANCHOR, raw) for raw in counted[1:]]
    validations = cross_validate_many(
        tasks, corpus, links, seed=seed, n_jobs=n_jobs, say=say, extra=added
    )
    del counted, tasks
    ours = validations[0]
    if len(validations) > 1:
        anchor = validations[1]
        if cache is not None and key is not None and anchor_cache is not None:
            anchor_cache["stored"] = store_cached(cache, key, anchor)
    chosen = choose(corpus, ours, links)
    for warning in chosen.get("warnings", []):
        say(f"warning: {warning}")
    stage("validate")

    say("fitting the final model on all rows")
    rows = np.ones(len(corpus), dtype=bool)
    x, heads, tfidf = fit_heads(OURS, corpus, counts, rows, links, HEADS, seed, added, n_jobs)
    assert isinstance(tfidf, Tfidf)
    arrays = export(config, counts, tfidf, heads)
    stage("final_fit")
    difference = _check_lean(model_from_arrays(arrays, {}, "check"), corpus, x, heads)
    say(f"lean scorer matches scikit-learn (max |diff| {difference:.1e})")
    stage("lean_check")

    if command is None:
        command = f"classifier.train({str(data_dir)!r}, {str(output_dir)!r}"
        if extra is not None:
            command += f", extra=<{len(extra)} rows>, extra_weight={extra_weight}"
        command += ")"
    card = model_card.build(
        corpus=corpus,
        data_dir=data_dir,
        extra=extra_card,
        data_fingerprint=data_fingerprint(base.files, extra_card["sha256"] if extra_card else None),
        config=config,
        arrays=arrays,
        ours=ours,
        anchor=anchor,
        chosen=chosen,
        anchor_chosen=choose(corpus, anchor, links) if anchor else None,
        command=command,
        trained_at=datetime.now(UTC),
        trained_by=_who(trained_by),
        seconds=time.perf_counter() - started,
        lean_difference=difference,
        stage_seconds=stages,
        anchor_cache=anchor_cache,
    )
    card = save(output_dir, arrays, card)
    say(f"wrote {output_dir} (version {card['version']})")
    return card
