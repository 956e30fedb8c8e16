"""Extra labelled examples (moderators' decisions) in ``classifier.train``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import classifier
from classifier.artifact import CARD_MARKDOWN, MODEL_FILE
from classifier.card import render_markdown
from classifier.data import MISSING, concat, dedupe, fingerprint
from classifier.fitting import Extra, spam_rows, toxicity_rows
from classifier.text import analyse
from classifier.training import link_only
from tests.classifier.synthetic import ADJECTIVES, NOUNS

PROBE = "I read the zorblax interview yesterday"


def decisions(word: str = "zorblax", n: int = 12) -> classifier.Corpus:
    """Neutral sentences: with ``word`` rejected (toxic, spam unknown), without it approved."""
    texts, toxic, spam = [], [], []
    for i in range(n):
        noun, adjective = NOUNS[i % len(NOUNS)], ADJECTIVES[i % len(ADJECTIVES)]
        texts += [f"the {noun} was {adjective}, {word} #{i}", f"the {noun} was {adjective} #{i}"]
        toxic += [True, False]
        spam += [None, False]
    return classifier.Corpus.from_labels(texts, toxic, spam, ["moderation/blog"] * len(texts))


def train(data: Path, output: Path, **options: Any) -> dict[str, Any]:
    return classifier.train(data, output, seed=0, baseline=False, n_jobs=1, **options)


@pytest.fixture(scope="module")
def with_extra(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("extra")
    card = train(tiny_data, output, extra=decisions(), extra_weight=5.0, trained_by="maria")
    card["_dir"] = str(output)
    return card


def test_a_word_moderators_reject_becomes_toxic(
    with_extra: dict[str, Any], tiny_model: classifier.Model
) -> None:
    model = classifier.load(with_extra["_dir"])
    hold = with_extra["thresholds"]["toxicity"]["hold"]
    assert model.score(PROBE).toxicity > max(hold, 0.5)
    assert tiny_model.score(PROBE).toxicity < tiny_model.card["thresholds"]["toxicity"]["hold"]
    # What the base corpora taught still holds.
    assert model.score("you are a complete idiot, shut up").toxicity > hold
    assert model.score("thanks for the clear essay").toxicity < hold


def test_card_records_the_extra_data_weight_fingerprint_and_trainer(
    with_extra: dict[str, Any], tiny_card: dict[str, Any]
) -> None:
    extra = with_extra["data"]["extra"]
    assert extra["rows"] == 24 and extra["weight"] == 5.0
    assert extra["labels"] == {"toxic": 12, "not_toxic": 12, "spam": 0, "not_spam": 12}
    assert extra["sources"] == {"moderation/blog": 24}
    assert extra["sha256"] == fingerprint(dedupe(decisions())[0])
    assert with_extra["trained_by"] == "maria" and with_extra["trained_at"]
    assert len(with_extra["data_fingerprint"]) == 64
    assert with_extra["data_fingerprint"] != tiny_card["data_fingerprint"]
    assert tiny_card["data"]["extra"] is None and tiny_card["trained_by"]
    assert with_extra["data"]["by_source"]["moderation/blog"]["toxic_positive"] == 12
    markdown = (Path(with_extra["_dir"]) / CARD_MARKDOWN).read_text(encoding="utf-8")
    assert "by maria" in markdown and with_extra["data_fingerprint"] in markdown
    assert f"at weight 5.0, sha256 `{extra['sha256']}`" in markdown


def test_extras_are_never_held_out(with_extra: dict[str, Any]) -> None:
    assert set(with_extra["metrics"]["per_source"]["toxicity"]) == {"forum-a", "forum-b"}
    assert "never held out" in with_extra["metrics"]["protocol"]


def test_same_data_and_seed_give_the_same_bytes(
    with_extra: dict[str, Any], tiny_data: Path, tmp_path: Path
) -> None:
    again = train(tiny_data, tmp_path, extra=decisions(), extra_weight=5.0, trained_by="maria")
    assert again["sha256"] == with_extra["sha256"]
    assert again["data_fingerprint"] == with_extra["data_fingerprint"]
    assert (tmp_path / MODEL_FILE).read_bytes() == (
        Path(with_extra["_dir"]) / MODEL_FILE
    ).read_bytes()


def test_dedupe_keeps_the_latest_label_per_normalised_text() -> None:
    corpus = classifier.Corpus.from_labels(
        ["You ZORBLAX", "nice essay", "you zorblax", "unlabelled", "\u200b"],
        [True, False, False, None, True],
        [None, False, None, None, None],
        ["moderation/a"] * 5,
    )
    kept, dropped = dedupe(corpus)
    assert kept.texts == ["nice essay", "you zorblax"] and dropped == 3
    assert kept.toxic.tolist() == [0, 0] and kept.spam.tolist() == [0, MISSING]


def test_extras_count_only_for_the_heads_they_label() -> None:
    base = classifier.Corpus.from_labels(
        ["a b", "c d", "buy now", "hello"],
        [True, False, None, None],
        [None, None, True, False],
        ["tox", "tox", "youtube-spam-collection/v", "youtube-spam-collection/v"],
    )
    corpus = concat([base, decisions(n=1)])  # rejected (spam unknown), approved
    extra = Extra(np.arange(len(corpus)) >= len(base), 3.0)
    everything = np.ones(len(corpus), dtype=bool)
    links = link_only([analyse(t) for t in corpus.texts])
    index, weights = toxicity_rows(corpus, everything, extra)
    assert index.tolist() == [0, 1, 4, 5] and weights.tolist() == [1, 1, 3, 3]
    index, weights = spam_rows(corpus, everything, links, extra)
    # The rejected comment is no spam negative; the approved one weighs 3x a labelled spam row.
    assert 4 not in index.tolist() and index.tolist()[-1] == 5
    assert weights[-1] == pytest.approx(3 * weights[:2].mean())


@pytest.mark.parametrize("weight", [0.0, -1.0, float("nan"), float("inf")])
def test_extra_weight_must_be_positive(tiny_data: Path, tmp_path: Path, weight: float) -> None:
    with pytest.raises(ValueError, match="extra_weight"):
        train(tiny_data, tmp_path, extra=decisions(), extra_weight=weight)


def test_card_without_extras_still_renders(tiny_card: dict[str, Any]) -> None:
    old = {k: v for k, v in tiny_card.items() if k not in ("trained_by", "data_fingerprint")}
    old["data"] = {k: v for k, v in tiny_card["data"].items() if k != "extra"}
    markdown = render_markdown(json.loads(json.dumps(old)))
    assert "No extra examples" in markdown


def test_an_evaluation_on_the_decisions_it_learnt_from_warns_in_sample(
    with_extra: dict[str, Any], tmp_path: Path
) -> None:
    """An export of moderators' decisions is what a retrained candidate saw: say so."""
    exported = tmp_path / "labels.csv"
    exported.write_text(
        "text,toxic,spam,source\n"
        "the essay was kind zorblax,1,,moderation/blog\nthe essay was kind,0,0,moderation/blog\n",
        encoding="utf-8",
    )
    report = classifier.evaluate(classifier.load(with_extra["_dir"]), exported, anchor=False)
    (evaluated,) = report["scorers"]
    assert evaluated["training_sources_in_data"] == ["moderation/blog"]
    assert any("moderation/blog" in w and "in-sample" in w for w in report["warnings"])


def test_calibrating_on_the_decisions_it_learnt_from_notes_in_sample(
    with_extra: dict[str, Any],
) -> None:
    """The decisions a retrained model saw are no validation data for its thresholds."""
    model = classifier.load(with_extra["_dir"])
    data = classifier.score_labelled(model, [decisions()])
    assert data.seen_in_training == ("24 examples from moderation/blog",)
    target = classifier.parse_target("toxic_published", "10%")
    result = classifier.calibrate(data, [target], classifier.Cutoffs(0.5, 0.8, 0.95))
    assert any("trained on 24 examples from moderation/blog" in note for note in result.notes)


def test_extras_of_one_toxicity_class_are_warned_about(tiny_data: Path, tmp_path: Path) -> None:
    """Only rejections: the moderation intercept fits them all and the word is barely learnt."""
    rejected = decisions()
    only_toxic = classifier.Corpus.from_labels(
        rejected.texts[::2], [True] * 12, [None] * 12, ["moderation/blog"] * 12
    )
    lines: list[str] = []
    train(tiny_data, tmp_path / "m", extra=only_toxic, extra_weight=5.0, progress=lines.append)
    assert any(
        "warning: the extra examples labelled for toxicity are all 12 toxic (rejections)" in line
        for line in lines
    )
    both: list[str] = []
    train(tiny_data, tmp_path / "n", extra=decisions(), extra_weight=5.0, progress=both.append)
    assert not any("warning" in line for line in both)
