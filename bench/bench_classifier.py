"""Benchmark the classifier: load time, single-comment latency, batch throughput, size.

Prints one JSON object.  Comments are "real-ish": 200-400 character texts drawn from the training
corpora (``--data``, default ``$TRAINING_DATA_DIR`` or ``../shared/data``), or synthetic ones if
those are not available.  The scorer first sees 2,000 other texts, as a running service would
have.  ``reference_loop_us`` times a fixed pure-Python loop, to compare machines (on shared VMs
the same code measures up to ~1.5x apart from run to run).

The anchors are timed in the same run on the same texts, so ratios are meaningful even on a
noisy machine: alt-profanity-check (the most used off-the-shelf scikit-learn model; toxicity
only) and the plain TF-IDF anchor (word 1-2 + char 2-5 grams, logistic regression, one head),
fitted for timing on ``--anchor-rows`` rows of the corpora (its speed barely depends on that).

    python bench/bench_classifier.py [--model DIR] [--data DIR] [--n 5000] [--no-anchors]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import target  # noqa: E402

import classifier  # noqa: E402
from classifier.data import read_dir  # noqa: E402

WARM_UP = 2000
#: The classifier issue's targets: one comment, both heads, in-process; batches; artifact size.
SINGLE_P50_MS_TARGET = 0.3
BATCH_PER_S_TARGET = 20_000
ARTIFACT_MB_TARGET = 20
SENTENCES = [
    "the council voted on the budget last night and many residents think it was wrong",
    "the park will close while the new road costs more than anyone expected this year",
    "thanks for writing this article, I learned a lot",
    "you are an idiot, shut up",
    "check out my channel http://example.com and subscribe",
    "really great video, love it",
]


def comments(data_dir: Path | None, n: int, seed: int) -> tuple[list[str], list[str], str]:
    """(warm-up texts, measured texts, source): measured are 200-400 characters long, warm-up
    texts are other texts, so the measured ones are all unseen."""
    rng = random.Random(seed)
    if data_dir is not None and data_dir.is_dir():
        texts = read_dir(data_dir).texts
        pool = [t for t in texts if 200 <= len(t) <= 400]
        others = [t for t in texts if not 200 <= len(t) <= 400]
        warm = rng.sample(others, min(WARM_UP, len(others)))
        return warm, rng.sample(pool, min(n, len(pool))), f"corpora in {data_dir}"
    texts = []
    for _ in range(n + WARM_UP):
        parts: list[str] = []
        while len(" ".join(parts)) < rng.randint(200, 400):
            parts.append(rng.choice(SENTENCES).capitalize() + ".")
        texts.append(" ".join(parts))
    return texts[:WARM_UP], texts[WARM_UP:], "synthetic"


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def _time_each(score: Callable[[str], object], texts: list[str]) -> list[float]:
    clock = time.perf_counter
    out = []
    for text in texts:
        start = clock()
        score(text)
        out.append(clock() - start)
    out.sort()
    return out


def _summary(latencies: list[float], batch_seconds: float, n: int) -> dict[str, object]:
    return {
        "single_comment_latency_ms": {
            "median": round(percentile(latencies, 0.5) * 1e3, 4),
            "p99": round(percentile(latencies, 0.99) * 1e3, 4),
        },
        "batch_throughput_comments_per_s": round(n / batch_seconds),
    }


def anchors(
    data_dir: Path | None, warm: list[str], measured: list[str], rows: int, seed: int
) -> dict[str, object]:
    """Time the two anchors on the same texts (single calls on a sample, and one batch)."""
    out: dict[str, object] = {}
    sample = measured[: min(len(measured), 1000)]
    try:
        from profanity_check import predict_prob
    except ImportError:
        out["alt_profanity_check"] = "not installed (pip install -e '.[ml]')"
    else:
        predict_prob(warm[:100])
        latencies = _time_each(lambda text: predict_prob([text]), sample)
        start = time.perf_counter()
        predict_prob(measured)
        out["alt_profanity_check"] = _summary(latencies, time.perf_counter() - start, len(measured))
    if data_dir is None or not data_dir.is_dir():
        return out
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    corpus = read_dir(data_dir)
    labelled = [i for i, label in enumerate(corpus.toxic) if label >= 0]
    chosen = random.Random(seed).sample(labelled, min(rows, len(labelled)))
    texts = [corpus.texts[i] for i in chosen]
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
    char = TfidfVectorizer(analyzer="char", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    char.fit(texts)

    def features(batch: list[str]) -> object:
        return hstack([word.transform(batch), char.transform(batch)]).tocsr()

    head = LogisticRegression(max_iter=1000).fit(
        features(texts), [int(corpus.toxic[i]) for i in chosen]
    )
    latencies = _time_each(lambda text: head.predict_proba(features([text])), sample)
    start = time.perf_counter()
    head.predict_proba(features(measured))
    out["tfidf_anchor_one_head"] = {
        **_summary(latencies, time.perf_counter() - start, len(measured)),
        "fitted_on_rows": len(chosen),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    default_data = os.environ.get("TRAINING_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-anchors", action="store_true", help="Skip timing the anchors.")
    parser.add_argument("--anchor-rows", type=int, default=20000)
    args = parser.parse_args()

    loads = []
    for _ in range(3):
        start = time.perf_counter()
        model = classifier.load(args.model)
        loads.append(time.perf_counter() - start)
    model_dir = args.model or classifier.default_model_path()
    size = sum(p.stat().st_size for p in Path(model_dir).iterdir() if p.is_file())

    warm, measured, source = comments(args.data, args.n, args.seed)
    for text in warm:
        model.score(text)

    latencies = []
    clock = time.perf_counter
    for text in measured:
        start = clock()
        model.score(text)
        latencies.append(clock() - start)
    latencies.sort()

    start = clock()
    model.score_many(measured)
    batch_seconds = clock() - start

    explain = []
    for text in measured[:500]:
        start = clock()
        model.explain(text)
        explain.append(clock() - start)
    explain.sort()

    compared = (
        {} if args.no_anchors else anchors(args.data, warm, measured, args.anchor_rows, args.seed)
    )
    reference = min(
        timeit.repeat("[s[i:i+4] for i in range(300)]", 's="a"*310', number=500, repeat=5)
    )
    single_p50_ms = round(percentile(latencies, 0.5) * 1e3, 4)
    batch_per_s = round(len(measured) / batch_seconds)
    print(
        json.dumps(
            {
                "model_version": model.version,
                "comments": {
                    "n": len(measured),
                    "source": source,
                    "mean_chars": round(statistics.mean(map(len, measured)), 1),
                },
                "single_comment_latency_ms": {
                    "median": single_p50_ms,
                    "p90": round(percentile(latencies, 0.9) * 1e3, 4),
                    "p99": round(percentile(latencies, 0.99) * 1e3, 4),
                },
                "batch_throughput_comments_per_s": batch_per_s,
                "explain_latency_ms": {
                    "median": round(percentile(explain, 0.5) * 1e3, 3),
                    "p99": round(percentile(explain, 0.99) * 1e3, 3),
                },
                "load_seconds": {"first": round(loads[0], 3), "median": round(sorted(loads)[1], 3)},
                "artifact_bytes": size,
                "training_seconds": model.card.get("training_seconds"),
                "reference_loop_us": round(reference / 500 * 1e6, 1),
                "anchors_same_run": compared,
                "targets": {
                    "single_comment_p50_ms": target(single_p50_ms, SINGLE_P50_MS_TARGET),
                    "batch_comments_per_s": target(batch_per_s, BATCH_PER_S_TARGET, at_least=True),
                    "artifact_mb": target(round(size / 1e6, 2), ARTIFACT_MB_TARGET),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
