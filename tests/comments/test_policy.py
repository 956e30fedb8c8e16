"""The moderation policy alone: scores, signals and thresholds to a status."""

from __future__ import annotations

import pytest

from comments.policy import ModelScores, Signal, Thresholds, decide

THRESHOLDS = Thresholds(toxicity_hold=0.6, spam_hold=0.5, spam_file=0.9)


def scores(toxicity: float = 0.01, spam: float = 0.01) -> ModelScores:
    return ModelScores(toxicity=toxicity, spam=spam, model_version="test")


@pytest.mark.parametrize(
    ("toxicity", "spam", "status"),
    [
        (0.01, 0.01, "published"),
        (0.59, 0.49, "published"),
        (0.60, 0.01, "pending"),
        (0.01, 0.50, "pending"),
        (0.01, 0.90, "spam"),
        (0.99, 0.95, "spam"),
    ],
)
def test_thresholds(toxicity: float, spam: float, status: str) -> None:
    assert decide([], scores(toxicity, spam), THRESHOLDS).status == status


def test_no_model_means_pending_never_published() -> None:
    outcome = decide([], None, None)
    assert outcome.status == "pending"
    assert [s.name for s in outcome.signals] == ["model_unavailable"]


def test_hard_rules_file_spam_even_with_clean_scores() -> None:
    for name in ("honeypot_filled", "blocked_domain"):
        assert decide([Signal(name)], scores(), THRESHOLDS).status == "spam"


def test_soft_rules_hold() -> None:
    for name in ("too_many_links", "blocked_word", "submitted_too_fast", "duplicate"):
        assert decide([Signal(name)], scores(), THRESHOLDS).status == "pending"


def test_informational_signals_do_not_hold() -> None:
    assert decide([Signal("form_token_missing")], scores(), THRESHOLDS).status == "published"


def test_every_fired_signal_is_kept() -> None:
    outcome = decide(
        [Signal("too_many_links", {"links": 5}), Signal("honeypot_filled")],
        scores(toxicity=0.9, spam=0.95),
        THRESHOLDS,
    )
    assert [s.name for s in outcome.signals] == [
        "too_many_links",
        "honeypot_filled",
        "toxic",
        "spam_likely",
    ]
    assert outcome.reason == "too_many_links, honeypot_filled, toxic, spam_likely"


def test_approved_author_gets_benefit_of_doubt_on_spam_only() -> None:
    assert decide([], scores(spam=0.95), THRESHOLDS, author_approved=True).status == "pending"
    assert decide([], scores(spam=0.6), THRESHOLDS, author_approved=True).status == "published"
    assert decide([], scores(toxicity=0.9), THRESHOLDS, author_approved=True).status == "pending"
    assert (
        decide([Signal("honeypot_filled")], scores(), THRESHOLDS, author_approved=True).status
        == "spam"
    )


def test_site_values_override_model_defaults() -> None:
    defaults = {"toxicity": {"hold": 0.7}, "spam": {"hold": 0.5, "file": 0.9}}
    resolved = Thresholds.resolve(
        {"toxicity_hold": 0.3, "spam_hold": None, "spam_file": None}, defaults
    )
    assert resolved == Thresholds(toxicity_hold=0.3, spam_hold=0.5, spam_file=0.9)


def test_approved_authors_record_does_not_publish_possible_spam_with_links() -> None:
    links = Signal("has_links", {"links": 1})
    held = decide([links], scores(spam=0.6), THRESHOLDS, author_approved=True)
    assert held.status == "pending"
    assert held.signals[-1] == Signal(
        "author_approved", {"applied": False, "because": ["spam_possible", "has_links"]}
    )
    # Links alone, from anyone, hold nothing; nor does the record turn likely spam into spam.
    assert decide([links], scores(), THRESHOLDS).status == "published"
    assert decide([links], scores(spam=0.95), THRESHOLDS, author_approved=True).status == (
        "pending"
    )
