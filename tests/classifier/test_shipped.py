"""The shipped default model: loads, ranks obvious cases sensibly, documents itself."""

from __future__ import annotations

import pytest

import classifier


@pytest.fixture(scope="module")
def shipped() -> classifier.Model:
    return classifier.load()


def test_loads_with_a_version(shipped: classifier.Model) -> None:
    assert shipped.version.endswith(shipped.card["sha256"][:8])


def test_ranks_toxicity(shipped: classifier.Model) -> None:
    rude = shipped.score("You are a complete idiot, shut up")
    polite = shipped.score("Thanks for the thoughtful article")
    assert rude.toxicity > polite.toxicity
    assert rude.toxicity >= shipped.card["thresholds"]["toxicity"]["hold"]
    assert polite.toxicity < shipped.card["thresholds"]["toxicity"]["hold"]


def test_ranks_spam(shipped: classifier.Model) -> None:
    spam = shipped.score("Check out my channel http://www.youtube.com/user/bestvids subscribe!!!")
    ordinary = shipped.score("I disagree with the council's decision, the budget was fine.")
    assert spam.spam > ordinary.spam
    assert ordinary.spam < shipped.card["thresholds"]["spam"]["hold"]


def test_obfuscation_still_scores_as_toxic(shipped: classifier.Model) -> None:
    plain = shipped.score("you are an idiot").toxicity
    assert shipped.score("you are an 1d10t").toxicity == pytest.approx(plain)
    assert shipped.score("you are an id\u200biot").toxicity == pytest.approx(plain)


def test_thresholds_shape(shipped: classifier.Model) -> None:
    thresholds = shipped.card["thresholds"]
    assert set(thresholds) == {"toxicity", "spam"}
    assert set(thresholds["toxicity"]) == {"hold"}
    assert set(thresholds["spam"]) == {"hold", "file"}
    values = [
        thresholds["toxicity"]["hold"],
        thresholds["spam"]["hold"],
        thresholds["spam"]["file"],
    ]
    assert all(isinstance(v, float) and 0.0 < v < 1.0 for v in values)
    assert thresholds["spam"]["hold"] <= thresholds["spam"]["file"]


def test_card_documents_the_model(shipped: classifier.Model) -> None:
    card = shipped.card
    for key in ("metrics", "data", "features", "library_versions", "sha256", "trained_at"):
        assert key in card
    assert {"python", "numpy", "scikit-learn"} <= set(card["library_versions"])
    assert card["seed"] == 0 and card["training_command"]
    assert all(f["sha256"] and f["rows"] for f in card["data"]["files"])
    per_source = card["metrics"]["per_source"]
    for head in ("toxicity", "spam"):
        for row in per_source[head].values():
            assert {"roc_auc", "pr_auc"} <= set(row["ours"]) and "tfidf_anchor" in row
