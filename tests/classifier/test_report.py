"""The evaluation report: figures that agree with each other, and HTML that is safe to open.

A tiny model trained on the synthetic corpus is evaluated on a fresh labelled CSV with two
sources (one named like an XSS payload) and some flipped labels, so ranking is good but not
perfect and the bootstrap intervals have width.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import classifier
from classifier.metrics import WeightedRanking
from classifier.report_html import render_html
from tests.classifier.synthetic import ADJECTIVES, CLEAN, HAM, INSULTS, NOUNS, SITES, SPAM, TOXIC

EVIL = "<script>alert(1)</script>"
SOURCES = ("forum", EVIL)
ANCHOR = "alt-profanity-check"


def _text(templates: list[str], rng: random.Random) -> str:
    return rng.choice(templates).format(
        insult=rng.choice(INSULTS),
        noun=rng.choice(NOUNS),
        adjective=rng.choice(ADJECTIVES),
        site=rng.choice(SITES),
    )


def write_labelled(path: Path) -> Path:
    """Per source: 80 toxicity rows, 60 spam rows (one label in ten flipped) and one row
    without labels, which no head may count."""
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "toxic", "spam", "source"])
        for source in SOURCES:
            for i in range(80):
                toxic = i % 4 == 0
                text = _text(TOXIC if toxic else CLEAN, rng)
                writer.writerow([text, int(toxic != (i % 10 == 3)), "", source])
            for i in range(60):
                spam = i % 2 == 0
                text = _text(SPAM if spam else HAM, rng)
                writer.writerow([text, "", int(spam != (i % 10 == 3)), source])
            writer.writerow(["an unlabelled comment", "", "", source])
    return path


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_labelled(tmp_path_factory.mktemp("eval") / "labelled.csv")


@pytest.fixture(scope="module")
def report(tiny_model: classifier.Model, labelled: Path) -> dict[str, Any]:
    return classifier.evaluate(tiny_model, labelled, bootstrap=300, seed=3)


@pytest.fixture(scope="module")
def html(report: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> str:
    _, html_path = classifier.write_report(report, tmp_path_factory.mktemp("out"))
    return html_path.read_text(encoding="utf-8")


def _figures(report: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (head, source, name, figures)
        for head, result in report["heads"].items()
        for source, entry in result["sources"].items()
        for name, figures in entry["scorers"].items()
        if figures is not None
    ]


def test_every_source_and_the_pool_with_counts_that_add_up(report: dict[str, Any]) -> None:
    assert report["data"]["rows"] == 2 * 141
    for head, per_source in (("toxicity", 80), ("spam", 60)):
        entries = report["heads"][head]["sources"]
        assert set(entries) == {*SOURCES, "all"}
        assert [entries[s]["n"] for s in SOURCES] == [per_source, per_source]
        assert entries["all"]["n"] == 2 * per_source == report["heads"][head]["labelled_rows"]
        assert entries["all"]["positives"] == sum(entries[s]["positives"] for s in SOURCES)
        for entry in entries.values():
            assert entry["positives"] + entry["negatives"] == entry["n"]
            assert 0 < entry["positives"] < entry["n"]
            for figures in entry["scorers"].values():
                if figures is None:
                    continue
                assert sum(b["n"] for b in figures["calibration"]) == entry["n"]
                assert sum(figures["histogram"]["positive"]) == entry["positives"]
                assert sum(figures["histogram"]["negative"]) == entry["negatives"]
                for at in figures["thresholds"].values():
                    cm = at["confusion"]
                    assert cm["tp"] + cm["fn"] == entry["positives"]
                    assert cm["fp"] + cm["tn"] == entry["negatives"]


def test_estimates_lie_within_intervals_that_have_width(report: dict[str, Any]) -> None:
    checked = 0
    for _, _, _, figures in _figures(report):
        for metric in ("roc_auc", "pr_auc"):
            low, high = figures[f"{metric}_ci"]
            assert 0.0 <= low < high <= 1.0
            assert low <= figures[metric] <= high
            checked += 1
    assert checked == 2 * (2 * 3 + 1 * 3)  # toxicity: 2 scorers x 3 entries; spam: 1 x 3


def test_precision_recall_f1_follow_from_the_confusion_matrix(report: dict[str, Any]) -> None:
    for _, _, _, figures in _figures(report):
        for at in figures["thresholds"].values():
            tp, fp, fn, tn = (at["confusion"][k] for k in ("tp", "fp", "fn", "tn"))
            assert at["precision"] == pytest.approx(tp / (tp + fp), abs=1e-4)
            assert at["recall"] == pytest.approx(tp / (tp + fn), abs=1e-4)
            assert at["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn), abs=1e-4)
            assert at["false_positive_rate"] == pytest.approx(fp / (fp + tn), abs=1e-5)


def test_operating_thresholds_per_scorer(
    report: dict[str, Any], tiny_model: classifier.Model
) -> None:
    entry = report["heads"]["toxicity"]["sources"]["forum"]["scorers"]
    card = tiny_model.card["thresholds"]
    assert {k: v["threshold"] for k, v in entry["evaluated"]["thresholds"].items()} == card[
        "toxicity"
    ]
    assert {k: v["threshold"] for k, v in entry[ANCHOR]["thresholds"].items()} == {"predict": 0.5}
    spam = report["heads"]["spam"]["sources"]["forum"]["scorers"]["evaluated"]["thresholds"]
    assert set(spam) == {"hold", "file"}


def test_alt_profanity_check_scores_toxicity_only(report: dict[str, Any]) -> None:
    anchor = next(s for s in report["scorers"] if s["name"] == ANCHOR)
    assert anchor["available"] and anchor["heads"] == ["toxicity"]
    for source, entry in report["heads"]["toxicity"]["sources"].items():
        assert entry["scorers"][ANCHOR]["roc_auc"] is not None, source
    for entry in report["heads"]["spam"]["sources"].values():
        assert entry["scorers"][ANCHOR] is None


def test_alt_profanity_check_is_not_run_on_a_file_without_toxicity_labels(
    tiny_model: classifier.Model, labelled: Path, report: dict[str, Any], tmp_path: Path
) -> None:
    """A spam corpus (SMS, YouTube) leaves its toxic column empty: scoring every text with a
    toxicity-only anchor would cost seconds and show nothing."""
    spam_only = tmp_path / "spam-only.csv"
    with labelled.open(newline="", encoding="utf-8") as source:
        rows = [row for row in csv.DictReader(source) if not row["toxic"]]
    with spam_only.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    stages: list[str] = []
    result = classifier.evaluate(
        tiny_model, spam_only, bootstrap=0, progress=lambda stage, *_: stages.append(stage)
    )
    assert not any(ANCHOR in stage for stage in stages)
    assert any("evaluated" in stage for stage in stages)
    anchor = next(s for s in result["scorers"] if s["name"] == ANCHOR)
    assert anchor["heads"] == [] and anchor["available"]
    assert anchor["not_run"] == "no row is labelled for toxicity, which is all it scores"
    assert f"{ANCHOR} ({anchor['version']}) was not run: no row is labelled for toxicity" in (
        " ".join(result["warnings"])
    )
    for entry in result["heads"]["spam"]["sources"].values():
        assert entry["scorers"][ANCHOR] is None and entry["scorers"]["evaluated"]["roc_auc"]
    assert "was not run" in render_html(result)
    # With toxicity labels it runs as before, and nothing says it was not.
    assert next(s for s in report["scorers"] if s["name"] == ANCHOR)["not_run"] is None


def test_same_seed_same_figures_and_paired_differences(
    report: dict[str, Any], tiny_model: classifier.Model, labelled: Path
) -> None:
    again = classifier.evaluate(tiny_model, labelled, compare=[tiny_model], bootstrap=300, seed=3)
    twin = f"model {tiny_model.version}"
    for head, result in again["heads"].items():
        for source, entry in result["sources"].items():
            first = report["heads"][head]["sources"][source]["scorers"]["evaluated"]
            assert entry["scorers"]["evaluated"] == first
            # The same model on the same resamples: every paired difference is exactly zero.
            for metric in ("roc_auc", "pr_auc"):
                assert entry["scorers"][twin][f"{metric}_minus_evaluated"] == {
                    "value": 0.0,
                    "ci": [0.0, 0.0],
                }
    other = classifier.evaluate(tiny_model, labelled, anchor=False, bootstrap=300, seed=4)
    seed_3, seed_4 = (
        r["heads"]["toxicity"]["sources"]["forum"]["scorers"]["evaluated"] for r in (report, other)
    )
    assert seed_3["roc_auc"] == seed_4["roc_auc"]
    assert seed_3["roc_auc_ci"] != seed_4["roc_auc_ci"]


def test_weighted_ranking_equals_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.3).astype(np.int8)
    scores = np.round(rng.random(400) * 0.6 + 0.3 * y, 2)  # rounded: many ties
    weights = rng.integers(0, 4, 400).astype(np.float64)
    result = WeightedRanking(y, scores)(weights)
    assert result is not None
    assert result[0] == pytest.approx(roc_auc_score(y, scores, sample_weight=weights))
    assert result[1] == pytest.approx(average_precision_score(y, scores, sample_weight=weights))
    assert WeightedRanking(y, scores)(weights * (y == 1)) is None  # one class left


def test_html_has_a_plot_per_source_and_no_script(report: dict[str, Any], html: str) -> None:
    entries = sum(len(result["sources"]) for result in report["heads"].values())
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 2 * entries  # calibration and histograms for each
    assert all('src="data:image/svg+xml;base64,' in image for image in images)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    links = re.findall(r"""\b(?:src|href)\s*=\s*(\S{0,6})""", html)
    assert links and all(link == '"data:' for link in links)  # nothing external
    assert "alt-profanity-check" in html and report["model_version"] in html


def test_a_missing_comparator_is_reported_not_fatal(
    tiny_model: classifier.Model, labelled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "profanity_check", None)  # as if not installed
    result = classifier.evaluate(tiny_model, labelled, bootstrap=0)
    anchor = next(s for s in result["scorers"] if s["name"] == ANCHOR)
    assert not anchor["available"] and "not available" in anchor["note"]
    assert any(w.startswith(f"{ANCHOR} (unavailable) is missing") for w in result["warnings"])
    forum = result["heads"]["toxicity"]["sources"]["forum"]["scorers"]
    assert forum[ANCHOR] is None and forum["evaluated"]["roc_auc_ci"] is None
    assert "not available" in render_html(result)


def test_without_matplotlib_the_report_says_so(
    report: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    page = render_html(report)
    assert "Plots need matplotlib" in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_file_without_labels_is_refused(tiny_model: classifier.Model, tmp_path: Path) -> None:
    path = tmp_path / "unlabelled.csv"
    path.write_text("text,toxic,spam,source\nhello,,,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no row has a toxic or spam label"):
        classifier.evaluate(tiny_model, path)
