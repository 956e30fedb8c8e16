"""The anchor's validation cache and the combined validation pool change no result."""

from __future__ import annotations

import json
from pathlib import Path

import classifier


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
