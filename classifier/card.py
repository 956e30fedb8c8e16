"""The model card: what the model was trained on, how, how well, and where it should not be used."""

from __future__ import annotations

import platform
import re
from collections import Counter
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .data import Corpus
from .features import FeatureConfig
from .fitting import MIN_DF, ORDINARY_SPAM_WEIGHT, SPAM_PARAMS, TOXICITY_PARAMS
from .thresholds import TOXICITY_PREVALENCE
from .validation import Validation

LABEL_POLICY = {
    "toxicity": (
        "toxic=1 as each corpus labels it, all four combined: Jigsaw (any of its six labels; "
        "rude or disrespectful, closest to our meaning) weighted x3; OLID 'offensive' and Davidson "
        "'hate or offensive' (both include plain profanity); Stormfront 'hate' (narrow: an attack "
        "on a group). During training every corpus has its own intercept, which absorbs its "
        "artificial prevalence and labelling strictness so words do not have to; at inference the "
        "mean of those intercepts is used."
    ),
    "spam": (
        "spam=1 from the YouTube Spam Collection (comment spam) and SMS Spam Collection "
        "(auxiliary, different domain); each source class-balanced. Every text of the toxicity "
        "corpora is an ordinary, non-spam comment and is used as a spam negative (together "
        f"weighing {ORDINARY_SPAM_WEIGHT} times the spam sources' negatives), except texts that "
        "are only a link, whose spam status those corpora do not tell."
    ),
}
SELECTION = (
    "Chosen by the leave-one-source-out protocol below (mean held-out ROC-AUC/PR-AUC per head, "
    "and for spam the YouTube recall at 0.1% of ordinary comments flagged), never a random "
    "split. Tried: class-balancing each corpus (worse on Jigsaw) vs per-corpus intercepts "
    "(kept); NB log-count-ratio scaling (+0.008 toxicity ROC-AUC, kept for toxicity; worse for "
    "spam); Jigsaw weight x1/x3 (x3); C 1/4/16 (4); char n-grams 1-4/2-5/2-6/3-5 (equal; 3-5 is "
    "cheapest); casing tokens (neutral, kept for explanations); ordinary-comment spam negatives "
    "at weight 0/0.1/0.3/1 (0.3); char n-grams per whitespace chunk vs per word token (token: "
    "equal or better, and faster to score); word-only and additive char-vector variants "
    "(faster, clearly worse)."
)
SCORE_SEMANTICS = (
    "Probabilities from logistic regression. Toxicity is on the scale of the mean training "
    "corpus, spam on a class-balanced scale; neither is calibrated to a site's prevalence, so "
    "decide with the thresholds below (chosen for realistic prevalence), not with 0.5."
)
LIMITATIONS = [
    "English only; trained on tweets, Wikipedia talk pages, forum sentences, YouTube comments "
    "and SMS, not on news or blog comments.",
    "Davidson et al. report dialect bias (African-American English over-labelled offensive); "
    "profanity and identity terms raise toxicity regardless of intent.",
    "Spam from the text alone: link domains, author fields and posting speed are not seen here "
    "and should be combined by the service.",
    "Thresholds come from out-of-fold models, slightly weaker than the final one trained on all "
    "sources; re-check them on the site's own moderated comments.",
]


#: Why a card names no seed: nothing in training is random. (Cards written before this say
#: "seed", which changed nothing either.)
RANDOMNESS = (
    "none: the folds are leave-one-source-out and liblinear's primal solver for L2-regularised "
    "logistic regression draws no random numbers, so the same data, code and library versions "
    "give the same model.npz bytes, and version, whatever seed train() is given"
)


def _library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "scikit-learn", "joblib"):
        versions[name] = metadata.version(name)
    return versions


def _provenance(data_dir: Path, stem: str) -> dict[str, str]:
    """Licence and citation lines from ``raw/<dataset>/SOURCE.md`` when present."""
    path = data_dir / "raw" / stem / "SOURCE.md"
    if not path.is_file():
        return {}
    out = {}
    for key, label in (("licence", "License"), ("citation", "Citation")):
        match = re.search(rf"^- {label}:\s*(.+)$", path.read_text(encoding="utf-8"), re.M)
        if match:
            out[key] = match.group(1).strip()
    return out


def _by_source(corpus: Corpus) -> dict[str, dict[str, int]]:
    sources = np.array(corpus.sources)
    out = {}
    for source in sorted(set(corpus.sources)):
        rows = sources == source
        out[source] = {
            "rows": int(rows.sum()),
            "toxic_labelled": int((corpus.toxic[rows] >= 0).sum()),
            "toxic_positive": int((corpus.toxic[rows] == 1).sum()),
            "spam_labelled": int((corpus.spam[rows] >= 0).sum()),
            "spam_positive": int((corpus.spam[rows] == 1).sum()),
        }
    return out


def _compare(ours: Validation, anchor: Validation | None) -> dict[str, Any]:
    table: dict[str, Any] = {}
    means: dict[str, Any] = {}
    for head, per_source in ours.metrics.items():
        table[head] = {}
        for source, values in per_source.items():
            row = {"ours": values}
            if anchor is not None and source in anchor.metrics.get(head, {}):
                row["tfidf_anchor"] = anchor.metrics[head][source]
            table[head][source] = row
        means[head] = {}
        for name, validation in (("ours", ours), ("tfidf_anchor", anchor)):
            if validation is None:
                continue
            rows = list(validation.metrics.get(head, {}).values())
            means[head][name] = {}
            for key in ("roc_auc", "pr_auc"):
                found = [float(v) for row in rows if (v := row[key]) is not None]
                if found:
                    means[head][name][key] = round(float(np.mean(found)), 4)
    return {"per_source": table, "mean_over_sources": means}


EXTRA_POLICY = (
    "Labelled examples from outside the base corpora (moderators' decisions: approve = not toxic "
    "and not spam, reject = toxic, spam = spam; reversed decisions already removed), oldest "
    "first, deduplicated by normalised text with the latest label winning; rows without any "
    "label dropped. Each is used only for the head it is labelled for and weighs `weight` times "
    "an average base row of that head. Their dataset (e.g. 'moderation') gets its own toxicity "
    "intercept, which absorbs the queue's prevalence (moderators mostly see comments the model "
    "held) and is left out of the mean intercept used at inference. They join the training rows "
    "of every validation fold and are never held out, so the held-out metrics below are on the "
    "base corpora only."
)


def extra_summary(extra: Corpus, weight: float, dropped: int, sha256: str) -> dict[str, Any]:
    """What the card records about extra examples: counts per label, weight and fingerprint."""
    return {
        "rows": len(extra),
        "labels": {
            "toxic": int((extra.toxic == 1).sum()),
            "not_toxic": int((extra.toxic == 0).sum()),
            "spam": int((extra.spam == 1).sum()),
            "not_spam": int((extra.spam == 0).sum()),
        },
        "sources": dict(sorted(Counter(extra.sources).items())),
        "weight": float(weight),
        "dropped_duplicates_or_unlabelled": dropped,
        "sha256": sha256,
        "policy": EXTRA_POLICY,
    }


def _vocabulary_sizes(arrays: dict[str, npt.NDArray[Any]]) -> dict[str, int]:
    sizes = {}
    for name, array in arrays.items():
        if name.endswith("_vocabulary"):
            sizes[name.removesuffix("_vocabulary")] = int(np.count_nonzero(array == 10)) + 1
    return sizes


def build(
    *,
    corpus: Corpus,
    data_dir: Path,
    extra: dict[str, Any] | None,
    data_fingerprint: str,
    config: FeatureConfig,
    arrays: dict[str, npt.NDArray[Any]],
    ours: Validation,
    anchor: Validation | None,
    chosen: dict[str, Any],
    anchor_chosen: dict[str, Any] | None,
    command: str,
    trained_at: datetime,
    trained_by: str,
    seconds: float,
    lean_difference: float,
    stage_seconds: dict[str, float] | None = None,
    anchor_cache: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The card as JSON-ready data; ``corpus`` includes any extra rows, ``extra`` describes them."""
    files = [{**f, **_provenance(data_dir, Path(str(f["file"])).stem)} for f in corpus.files]
    metrics: dict[str, Any] = {
        "protocol": (
            "leave-one-source-out: each toxicity corpus held out in turn (both heads refitted "
            "without it), then each YouTube video and the SMS corpus; vocabulary and IDF refitted "
            "on each fold's training rows. ROC-AUC and PR-AUC (average precision) on the "
            "held-out source; extra examples (if any) are in every fold's training rows and "
            "never held out. tfidf_anchor = raw-text TF-IDF word 1-2 + char 2-5 grams, "
            "logistic regression (C=4) on each head's labelled rows only."
        ),
        **_compare(ours, anchor),
        "operating_point": chosen.get("held_out_operating_point"),
        "lean_vs_sklearn_max_abs_difference": lean_difference,
    }
    if anchor_cache is not None:
        metrics["tfidf_anchor_cache"] = anchor_cache
    if anchor_chosen is not None:
        metrics["tfidf_anchor_same_threshold_rule"] = {
            "thresholds": anchor_chosen["thresholds"],
            "operating_point": anchor_chosen.get("held_out_operating_point"),
        }
    return {
        "name": "comments-ml toxicity and spam classifier",
        "trained_at": trained_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "trained_by": trained_by,
        "randomness": RANDOMNESS,
        "training_command": command,
        "training_seconds": round(seconds, 1),
        "training_stage_seconds": stage_seconds or {},
        "library_versions": _library_versions(),
        "data_fingerprint": data_fingerprint,
        "data": {
            "rows": len(corpus),
            "fingerprint_rule": (
                "data_fingerprint = sha256 of one line per base file ('<file> <sha256>') and a "
                "last line 'extra <extra.sha256 or ->'"
            ),
            "files": files,
            "extra": extra,
            "by_source": _by_source(corpus),
            "label_policy": LABEL_POLICY,
        },
        "features": {
            "normalisation": (
                "classifier.text.normalize: HTML entities and tags, zero-width/format characters, "
                "NFKD accents, fullwidth and look-alike letters, RT prefixes, @mentions -> @user, "
                "links -> 'url <host>', hashtags split, wiki markup, Penn-Treebank spacing, "
                "leetspeak between letters, spaced-out letters, runs of 4+ characters -> 3"
            ),
            "blocks": {
                "word": "unigrams + bigrams of tokens (words and punctuation/symbol runs), plus "
                "casing tokens",
                "char": f"char {config.char_min}-{config.char_max}-grams of each space-padded word",
            },
            "weighting": f"sublinear TF-IDF, min_df={MIN_DF}, L2-normalised per block",
            "config": config.to_dict(),
            "vocabulary": _vocabulary_sizes(arrays),
        },
        "heads": {
            "toxicity": {
                "model": "logistic regression (liblinear, L2) on NB log-count-ratio scaled TF-IDF",
                "C": TOXICITY_PARAMS.C,
                "nb_alpha": TOXICITY_PARAMS.nb_alpha,
                "per_source_intercepts": TOXICITY_PARAMS.source_offsets,
                "upweight": dict(TOXICITY_PARAMS.upweight),
            },
            "spam": {"model": "logistic regression (liblinear, L2) on TF-IDF", "C": SPAM_PARAMS.C},
            "selection": SELECTION,
        },
        "scores": SCORE_SEMANTICS,
        "thresholds": chosen["thresholds"],
        "threshold_rule": {
            "rules": chosen["rule"],
            **({"warnings": chosen["warnings"]} if chosen.get("warnings") else {}),
            "realistic_toxicity_prevalence": TOXICITY_PREVALENCE,
            "decision": (
                "toxicity >= toxicity.hold: held for moderators; spam >= spam.file: filed as "
                "spam; spam.hold <= spam < spam.file: held"
            ),
        },
        "metrics": metrics,
        "limitations": LIMITATIONS,
    }


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _render_extra(extra: dict[str, Any] | None) -> list[str]:
    if not extra:
        return ["", "No extra examples (base corpora only)."]
    labels = ", ".join(f"{name} {count}" for name, count in extra["labels"].items())
    sources = ", ".join(f"{name} {count}" for name, count in extra["sources"].items())
    return [
        "",
        f"Extra examples: {extra['rows']} rows ({labels}; from {sources or '-'}) at weight "
        f"{extra['weight']}, sha256 `{extra['sha256']}`; "
        f"{extra['dropped_duplicates_or_unlabelled']} duplicate or unlabelled rows dropped. "
        f"{extra['policy']}",
    ]


def render_markdown(card: dict[str, Any]) -> str:
    """A short human-readable summary generated from the card (the JSON is authoritative)."""
    lines = [
        f"# Model card: {card['name']}",
        "",
        f"Version `{card['version']}`, trained {card['trained_at']} "
        f"by {card.get('trained_by', 'an unrecorded user')}"
        + (f" with seed {card['seed']}" if "seed" in card else "")  # cards before RANDOMNESS
        + f" in {card['training_seconds']} s (`{card['training_command']}`).  ",
        *([f"Randomness: {card['randomness']}.  "] if "randomness" in card else []),
        f"Data fingerprint `{card.get('data_fingerprint', '-')}`.  ",
        f"Artifact sha256 `{card['sha256']}` ({card['artifact_bytes']:,} bytes). Libraries: "
        + ", ".join(f"{k} {v}" for k, v in card["library_versions"].items())
        + ".",
        "",
        "## Scores and thresholds",
        "",
        card["scores"],
        "",
        "| threshold | value | rule |",
        "|---|---|---|",
    ]
    rules = card["threshold_rule"]["rules"]
    for head, values in card["thresholds"].items():
        for name, value in values.items():
            rule = rules.get(f"{head}.{name}", "") if isinstance(rules, dict) else rules
            lines.append(f"| {head}.{name} | {value} | {rule} |")
    lines += ["", "## Held-out metrics (leave-one-source-out)", "", card["metrics"]["protocol"], ""]
    lines += [
        "| head | held-out source | n | ROC-AUC ours | ROC-AUC anchor | PR-AUC ours "
        "| PR-AUC anchor |",
        "|---|---|---|---|---|---|---|",
    ]
    for head, per_source in card["metrics"]["per_source"].items():
        for source, row in per_source.items():
            ours, anchor = row["ours"], row.get("tfidf_anchor", {})
            lines.append(
                f"| {head} | {source} | {ours['n']} | {_fmt(ours['roc_auc'])} | "
                f"{_fmt(anchor.get('roc_auc'))} | {_fmt(ours['pr_auc'])} | "
                f"{_fmt(anchor.get('pr_auc'))} |"
            )
    for head, means in card["metrics"]["mean_over_sources"].items():
        ours, anchor = means.get("ours", {}), means.get("tfidf_anchor", {})
        lines.append(
            f"| {head} | **mean** | | {_fmt(ours.get('roc_auc'))} | {_fmt(anchor.get('roc_auc'))} "
            f"| {_fmt(ours.get('pr_auc'))} | {_fmt(anchor.get('pr_auc'))} |"
        )
    lines += ["", "## Data", ""]
    lines += ["| file | rows | licence | citation |", "|---|---|---|---|"]
    for f in card["data"]["files"]:
        lines.append(
            f"| {f['file']} | {f['rows']} | {f.get('licence', '-')} | {f.get('citation', '-')} |"
        )
    lines += _render_extra(card["data"].get("extra"))
    lines += ["", "Label policy:", ""]
    lines += [f"- **{head}**: {text}" for head, text in card["data"]["label_policy"].items()]
    lines += ["", "## Features", "", card["features"]["normalisation"] + ".", ""]
    lines += [f"- {name}: {text}" for name, text in card["features"]["blocks"].items()]
    lines += [f"- {card['features']['weighting']}; vocabulary {card['features']['vocabulary']}", ""]
    lines += ["## Limitations", ""] + [f"- {item}" for item in card["limitations"]] + [""]
    return "\n".join(lines)
