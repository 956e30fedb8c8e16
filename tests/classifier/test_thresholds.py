"""Operating thresholds chosen from held-out scores (``classifier.thresholds.choose``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import classifier
from classifier.thresholds import TOXICITY_HOLD_PRECISION, choose
from classifier.validation import Validation


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def held_out(top_negative: bool) -> tuple[classifier.Corpus, Validation]:
    """Two toxicity corpora whose toxic texts score well above the ordinary ones, plus one
    ordinary text scored above everything when ``top_negative`` (the noise a small corpus
    shows at its very top)."""
    rng = np.random.default_rng(0)
    texts, toxic, groups, scores = [], [], [], []
    for source in ("corpus-a", "corpus-b"):
        for label, centre, n in ((True, 0.8, 200), (False, 0.2, 800)):
            for p in np.clip(rng.normal(centre, 0.1, n), 0.01, 0.97):
                texts.append(f"{source} text {len(texts)}")
                toxic.append(label)
                groups.append(source)
                scores.append(_logit(float(p)))
    if top_negative:
        scores[-1] = _logit(0.999)
    corpus = classifier.Corpus.from_labels(texts, toxic, [None] * len(texts), groups)
    oof = {"toxicity": np.array(scores), "spam": np.array([_logit(0.1)] * len(texts))}
    return corpus, Validation(groups, oof)


def test_one_ordinary_text_at_the_very_top_does_not_make_the_threshold_hold_nothing() -> None:
    links = np.zeros(2000, dtype=bool)
    clean = choose(*held_out(top_negative=False), links)
    noisy = choose(*held_out(top_negative=True), links)
    assert clean["thresholds"]["toxicity"]["hold"] < 0.7
    assert noisy["thresholds"]["toxicity"]["hold"] == pytest.approx(
        clean["thresholds"]["toxicity"]["hold"], abs=0.01
    )
    point = noisy["held_out_operating_point"]["toxicity.hold"]
    assert point["mean_tpr"] > 0.5
    assert point["precision_at_5%_prevalence"] >= TOXICITY_HOLD_PRECISION
    assert noisy["warnings"] == []


def test_a_model_that_cannot_reach_the_precision_says_so() -> None:
    corpus, validation = held_out(top_negative=False)
    rng = np.random.default_rng(1)
    validation.oof["toxicity"] = rng.normal(0.0, 1.0, len(validation.groups))  # no signal
    chosen = choose(corpus, validation, np.zeros(2000, dtype=bool))
    assert chosen["warnings"] and "catches" in chosen["warnings"][0]
