"""The anchor's validation cache and the combined validation pool change no result."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

import classifier
from classifier.validation import CACHE_KEEP, Validation, load_cached, store_cached


def _card(output: Path) -> dict[str, object]:
    return dict(json.loads((output / "model-card.json").read_text(encoding="utf-8")))


def test_anchor_cache_reuses_identical_figures(tiny_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = classifier.train(tiny_data, tmp_path / "cold", seed=0, n_jobs=2, cache_dir=cache)
    warm = classifier.train(tiny_data, tmp_path / "warm", seed=0, n_jobs=1, cache_dir=cache)
    plain = classifier.train(tiny_data, tmp_path / "plain", seed=0, n_jobs=1, cache_dir=None)
    assert cold["metrics"]["tfidf_anchor_cache"]["used"] is False
    assert cold["metrics"]["tfidf_anchor_cache"]["stored"] is True
    assert warm["metrics"]["tfidf_anchor_cache"]["used"] is True
    assert plain["metrics"]["tfidf_anchor_cache"]["used"] is False
    for card in (warm, plain):
        assert card["metrics"]["per_source"] == cold["metrics"]["per_source"]
        assert card["metrics"]["mean_over_sources"] == cold["metrics"]["mean_over_sources"]
        assert card["thresholds"] == cold["thresholds"]
        assert card["sha256"] == cold["sha256"]  # same model.npz bytes
    assert set(cold["training_stage_seconds"]) >= {"count", "validate", "final_fit"}
    assert _card(tmp_path / "warm")["metrics"] == warm["metrics"]


def test_cache_is_keyed_by_rows(tiny_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    classifier.train(tiny_data, tmp_path / "a", seed=0, n_jobs=1, cache_dir=cache)
    other = classifier.train(tiny_data, tmp_path / "b", seed=1, n_jobs=1, cache_dir=cache)
    assert other["metrics"]["tfidf_anchor_cache"]["used"] is False
    extra = classifier.Corpus.from_labels(["you are an idiot"], [True], [None], ["moderation"])
    again = classifier.train(
        tiny_data, tmp_path / "c", seed=0, n_jobs=1, cache_dir=cache, extra=extra
    )
    assert again["metrics"]["tfidf_anchor_cache"]["used"] is False


def test_the_cache_keeps_the_most_recently_used_validations(tmp_path: Path) -> None:
    groups = ["a", "b"]
    oof = {"toxicity": np.array([0.1, 0.9]), "spam": np.array([0.2, 0.8])}
    keys = [{"seed": seed} for seed in range(CACHE_KEEP + 3)]
    for age, key in enumerate(keys):
        assert store_cached(tmp_path, key, Validation(groups, oof, {"seed": key["seed"]}))
        # Distinct, increasing times without sleeping: storing sets the newest.
        for entry in tmp_path.glob("*.json"):
            if json.loads(entry.read_text())["key"] == key:
                os.utime(entry, (1_000_000 + age, 1_000_000 + age))
    assert len(list(tmp_path.glob("*.json"))) == CACHE_KEEP
    assert len(list(tmp_path.glob("*.npz"))) == CACHE_KEEP
    assert load_cached(tmp_path, keys[0]) is None, "the oldest went first"
    survivor = keys[3]  # the oldest still kept: using it makes it the newest
    assert load_cached(tmp_path, survivor) is not None
    store_cached(tmp_path, {"seed": 99}, Validation(groups, oof, {}))
    assert load_cached(tmp_path, survivor) is not None, "a used validation outlives older ones"
    assert load_cached(tmp_path, keys[4]) is None
