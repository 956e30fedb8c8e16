"""``classifier.calibrate``: thresholds from targets in words, on arrays with obvious answers."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import classifier
from classifier import CalibrationError, Cutoffs, Prevalence, ValidationSet, parse_target
from classifier.calibration import cost

CURRENT = Cutoffs(toxicity_hold=0.7, spam_hold=0.8, spam_file=0.99)
UNLABELLED = -1


def validation(
    toxicity: Sequence[float] = (),
    toxic: Sequence[int] = (),
    spam: Sequence[float] = (),
    is_spam: Sequence[int] = (),
) -> ValidationSet:
    """Comments labelled for one head each: the toxicity ones first, then the spam ones."""
    n_tox, n_spam = len(toxicity), len(spam)
    return ValidationSet(
        labels={
            "toxicity": np.array([*toxic, *[UNLABELLED] * n_spam], dtype=np.int8),
            "spam": np.array([*[UNLABELLED] * n_tox, *is_spam], dtype=np.int8),
        },
        scores={
            "toxicity": np.array([*toxicity, *[0.0] * n_spam]),
            "spam": np.array([*[0.0] * n_tox, *spam]),
        },
    )


# Ten toxic comments scored 0.1 ... 1.0 and ten ordinary ones at 0.05.
TENTHS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
TOXIC = validation([*TENTHS, *[0.05] * 10], [1] * 10 + [0] * 10)


def test_targets_are_read_from_words() -> None:
    for words in ("at most 1%", "1%", "0.01", "  AT   MOST 1 %", "<= 1%"):
        assert parse_target("toxic_published", words).value == pytest.approx(0.01)
    assert parse_target("spam_folder_precision", "at least 99.5%").value == pytest.approx(0.995)
    target = parse_target("toxic_published", "at most 1%")
    assert str(target) == "at most 1% of toxic comments published without review"


@pytest.mark.parametrize(
    ("kind", "words", "message"),
    [
        ("toxic_published", "at least 1%", "points the wrong way"),
        ("spam_folder_precision", "at most 99%", "write 'at least 99%'"),
        ("toxic_published", "about 1%", "not a target"),
        ("toxic_published", "5", "write a percentage (5%)"),
        ("toxic_published", "1", "write a percentage (1%)"),  # 1% or 100%? ask
        ("toxic_published", "at most 1.0", "write a percentage (1.0%)"),
        ("ordinary_held", "150%", "cannot exceed 100%"),
        ("nonsense", "1%", "unknown target"),
    ],
)
def test_bad_wording_is_refused(kind: str, words: str, message: str) -> None:
    with pytest.raises(CalibrationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_target(kind, words)


def test_toxic_published_is_met_exactly_at_the_boundary() -> None:
    # At most 20% of ten = 2 may score below: the highest such threshold is the third score.
    result = classifier.calibrate(TOXIC, [parse_target("toxic_published", "20%")], CURRENT)
    assert result.thresholds.toxicity_hold == 0.3
    achieved = result.achieved[0]
    assert (achieved.count, achieved.of, achieved.value) == (2, 10, 0.2)
    assert achieved.sentence() == (
        "at most 20% of toxic comments published without review: 20% (2 of 10 toxic comments)"
    )
    # One point lower and a third toxic comment would get through, so 0.3 is the highest.
    lower = classifier.calibrate(TOXIC, [parse_target("toxic_published", "19.9%")], CURRENT)
    assert lower.thresholds.toxicity_hold == 0.2
    assert result.changed == ("toxicity_hold",)
    assert (result.thresholds.spam_hold, result.thresholds.spam_file) == (0.8, 0.99)


def test_shares_that_are_not_round_in_binary_still_count_exactly() -> None:
    scores = [(i + 0.5) / 100 for i in range(100)]  # 29% * 100 = 28.999... in floating point
    data = validation(scores, [1] * 100)
    result = classifier.calibrate(data, [parse_target("toxic_published", "29%")], CURRENT)
    assert result.achieved[0].count == 29
    assert result.thresholds.toxicity_hold == 0.295


def test_thresholds_are_rounded_only_where_no_decision_changes() -> None:
    data = validation([0.123456789, 0.9, 0.01], [1, 1, 0])
    result = classifier.calibrate(data, [parse_target("toxic_published", "0%")], CURRENT)
    assert result.thresholds.toxicity_hold == 0.123456
    assert result.achieved[0].count == 0
    # Two scores closer than the rounding grid: the exact score is kept.
    data = validation([0.1234561, 0.1234569], [0, 1])
    result = classifier.calibrate(data, [parse_target("toxic_published", "0%")], CURRENT)
    assert result.thresholds.toxicity_hold == 0.1234569


def test_ordinary_held_sets_the_lowest_threshold_holding_few_enough() -> None:
    ordinary = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
    data = validation([*ordinary, 0.99], [0] * 10 + [1])
    result = classifier.calibrate(data, [parse_target("ordinary_held", "20%")], CURRENT)
    assert result.achieved[0].count == 2  # 0.9 and 0.95 held
    assert 0.8 < result.thresholds.toxicity_hold <= 0.9


def test_both_toxicity_targets_must_hold() -> None:
    published, held = parse_target("toxic_published", "0%"), parse_target("ordinary_held", "25%")
    fits = classifier.calibrate(TOXIC, [published, held], CURRENT)  # ordinary ones score lowest
    assert fits.thresholds.toxicity_hold == 0.1
    data = validation([0.5, 0.8, 0.6, 0.7, 0.1, 0.2], [1, 1, 0, 0, 0, 0])
    with pytest.raises(CalibrationError) as error:
        classifier.calibrate(data, [published, held], CURRENT)
    assert str(error.value) == (
        "cannot have both 'at most 0% of toxic comments published without review' and "
        "'at most 25% of ordinary (non-toxic) comments held for review': the first needs a "
        "toxicity threshold of at most 0.5, which holds 50% of ordinary comments; the second "
        "needs at least 0.7, which publishes 50% of toxic comments"
    )


# Spam: one lucky spam alone at the top, an ordinary comment, then 40 spam and 110 ordinary
# (41 spam and 111 ordinary in all).
SPAM = validation(
    spam=[0.99, 0.95, *[0.9] * 40, *[0.5] * 10, *[0.1] * 100],
    is_spam=[1, 0, *[1] * 40, *[0] * 110],
)
AS_IS = Prevalence(toxicity=0.01, spam=41 / 152)  # the data's own prevalence: plain precision


def test_spam_folder_precision_needs_minimum_support() -> None:
    target = [parse_target("spam_folder_precision", "at least 99%")]
    lucky = classifier.calibrate(SPAM, target, CURRENT, AS_IS, min_support=1)
    assert lucky.thresholds.spam_file == 0.99  # decided by one comment
    with pytest.raises(CalibrationError) as error:
        classifier.calibrate(SPAM, target, CURRENT, AS_IS, min_support=30)
    assert "the best is 97.6% at threshold 0.9 (42 filed)" in str(error.value)

    result = classifier.calibrate(
        SPAM, [parse_target("spam_folder_precision", "97%")], CURRENT, AS_IS, min_support=30
    )
    assert result.thresholds.spam_file == 0.9
    achieved = result.achieved[0]
    assert (achieved.count, achieved.of) == (41, 42)
    assert "1 of 111 non-spam comments filed" in achieved.sentence()
    assert any("at least 30 validation comments" in note for note in result.notes)
    assert result.changed == ("spam_file",) and result.thresholds.spam_hold == 0.8
    # A folder starting below the current hold threshold leaves no "possible spam" band.
    high_hold = Cutoffs(toxicity_hold=0.7, spam_hold=0.95, spam_file=0.99)
    lowered = classifier.calibrate(
        SPAM, [parse_target("spam_folder_precision", "97%")], high_hold, AS_IS
    )
    assert lowered.thresholds.spam_hold == lowered.thresholds.spam_file == 0.9
    assert lowered.changed == ("spam_hold", "spam_file")
    assert "spam_hold capped at spam_file: no 'possible spam' band is left" in lowered.notes


def test_a_hold_threshold_chosen_above_the_folder_is_capped_not_said_lowered() -> None:
    """Publishing every spam comment allowed, the hold rises from 0.8 to the folder's 0.99."""
    data = validation(spam=[0.995, 0.999, 0.2, 0.1, 0.05], is_spam=[1, 1, 0, 0, 0])
    result = classifier.calibrate(data, [parse_target("spam_published", "at most 100%")], CURRENT)
    assert result.thresholds.spam_hold == result.thresholds.spam_file == 0.99
    assert result.notes == ("spam_hold capped at spam_file: no 'possible spam' band is left",)


def test_precision_is_judged_at_the_expected_prevalence() -> None:
    target = [parse_target("spam_folder_precision", "97%")]
    with pytest.raises(CalibrationError, match=r"at 5% spam prevalence .* the best is 85.4%"):
        classifier.calibrate(SPAM, target, CURRENT, Prevalence(0.05, 0.05))


def test_too_little_spam_data_is_a_clear_error() -> None:
    data = validation(spam=[0.9, 0.1], is_spam=[1, 0])
    with pytest.raises(CalibrationError, match="only 2 comments are labelled for spam"):
        classifier.calibrate(data, [parse_target("spam_folder_precision", "90%")], CURRENT)
    with pytest.raises(CalibrationError, match="no toxicity-positive comments"):
        classifier.calibrate(data, [parse_target("toxic_published", "1%")], CURRENT)


def test_spam_published_sets_the_hold_below_the_file_threshold() -> None:
    data = validation(spam=[0.2, 0.6, 0.7, 0.1, 0.05], is_spam=[1, 1, 1, 0, 0])
    result = classifier.calibrate(data, [parse_target("spam_published", "at most 34%")], CURRENT)
    assert result.thresholds.spam_hold == 0.6
    assert result.achieved[0].count == 1


def test_cost_at_prevalence_and_as_is() -> None:
    # 10 toxic (all held), 10 spam scored between hold and file (held), 80 ordinary of which
    # 8 held: at 5% toxic and 5% spam, 5% + 5% + 90% * 10% = 19% wait for a moderator.
    toxicity = [0.9] * 10 + [0.0] * 10 + [0.9] * 8 + [0.1] * 72
    spam = [0.0] * 10 + [0.7] * 10 + [0.0] * 80
    data = ValidationSet(
        labels={
            "toxicity": np.array([1] * 10 + [UNLABELLED] * 10 + [0] * 80, dtype=np.int8),
            "spam": np.array([UNLABELLED] * 10 + [1] * 10 + [0] * 80, dtype=np.int8),
        },
        scores={"toxicity": np.array(toxicity), "spam": np.array(spam)},
    )
    cutoffs = Cutoffs(toxicity_hold=0.6, spam_hold=0.5, spam_file=0.95)
    result = cost(data, cutoffs, Prevalence(0.05, 0.05))
    assert result.held == pytest.approx(0.19)
    assert (result.held_count, result.total, result.missing) == (28, 100, ())
    # Filed comments do not wait: above spam_file the spam leaves the queue.
    filed = cost(data, Cutoffs(0.6, 0.5, 0.6), Prevalence(0.05, 0.05))
    assert filed.held == pytest.approx(0.05 + 0.9 * 0.1)
    # Without spam in the data, the mix is toxic and ordinary comments only.
    toxic_only = cost(TOXIC, Cutoffs(0.35, 0.5, 0.95), Prevalence(0.05, 0.05))
    assert toxic_only.missing == ("spam",)
    assert toxic_only.held == pytest.approx((0.05 * 0.7 + 0.9 * 0.0) / 0.95)


def test_the_result_reports_the_cost_before_and_after() -> None:
    result = classifier.calibrate(
        TOXIC, [parse_target("toxic_published", "0%")], CURRENT, Prevalence(0.1, 0.05)
    )
    assert result.cost.held == pytest.approx(0.1 / 0.95)  # every toxic comment held
    assert result.cost_before.held == pytest.approx(0.1 * 0.4 / 0.95)  # 0.7 ... 1.0 held


def test_deterministic_whatever_the_order() -> None:
    order = np.random.default_rng(0).permutation(len(SPAM.scores["spam"]))
    shuffled = ValidationSet(
        {head: labels[order] for head, labels in SPAM.labels.items()},
        {head: scores[order] for head, scores in SPAM.scores.items()},
    )
    target = [parse_target("spam_folder_precision", "97%")]
    first = classifier.calibrate(SPAM, target, CURRENT, AS_IS)
    assert classifier.calibrate(shuffled, target, CURRENT, AS_IS) == first
    assert classifier.calibrate(SPAM, target, CURRENT, AS_IS) == first


def test_scoring_a_labelled_csv_in_batches(
    tiny_model: classifier.Model, tiny_data: Path, tmp_path: Path
) -> None:
    steps: list[int] = []
    corpus = classifier.read_labelled(tiny_data / "tox.csv")
    data = classifier.score_labelled(tiny_model, [corpus], steps.append)
    assert sum(steps) == len(corpus) == len(data.scores["toxicity"])
    assert data.seen_in_training == ("tox.csv",)
    result = classifier.calibrate(data, [parse_target("toxic_published", "5%")], CURRENT)
    assert any("trained on tox.csv" in note for note in result.notes)

    unlabelled = tmp_path / "texts.csv"
    with unlabelled.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["text"], ["hello"], ["world"]])
    with pytest.raises(CalibrationError, match=r"no 'toxic' or 'spam' column \(columns"):
        classifier.read_labelled(unlabelled)
    with unlabelled.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["text", "toxic", "spam"], ["hello", "", ""]])
    with pytest.raises(CalibrationError, match="has no labels"):
        classifier.read_labelled(unlabelled)


def test_a_sample_of_a_training_file_is_noted_as_seen_by_its_sources(
    tiny_model: classifier.Model, tiny_data: Path, tmp_path: Path
) -> None:
    """A trial sample has its own sha256, but every row of it was trained on."""
    with (tiny_data / "tox.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["source"] == "forum-a"][:20]
    sample = tmp_path / "sample.csv"
    with sample.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    data = classifier.score_labelled(tiny_model, [classifier.read_labelled(sample)])
    assert data.seen_in_training == ("a source named forum-a",)
    result = classifier.calibrate(data, [parse_target("toxic_published", "10%")], CURRENT)
    assert any("trained on a source named forum-a" in note for note in result.notes)
