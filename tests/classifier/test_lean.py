"""The lean scorer reproduces scikit-learn's probabilities for the same fitted model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from classifier.artifact import model_from_arrays
from classifier.data import read_dir
from classifier.features import FeatureConfig
from classifier.fitting import Counts, count_blocks, our_vectorizers
from classifier.model import HEADS
from classifier.text import analyse
from classifier.training import export, link_only
from classifier.validation import OURS, fit_heads

UNSEEN = [
    "You are a complete idiot, shut up",
    "Thanks for the thoughtful article",
    "CHECK OUT MY CHANNEL http://freegifts.com SUBSCRIBE!!!",
    "the the the the interview interview",
    "\uff46\uff52\uff45\uff45 gifts, visit winbig.com",  # fullwidth "free"
    "",
    "🙂",
]


def test_lean_probabilities_equal_sklearn(tiny_data: Path) -> None:
    corpus = read_dir(tiny_data)
    config = FeatureConfig()
    vectorizers = our_vectorizers(config)
    docs = [analyse(t) for t in corpus.texts]
    counts = count_blocks(docs, vectorizers)
    rows = np.ones(len(corpus), dtype=bool)
    _, heads, tfidf = fit_heads(OURS, corpus, counts, rows, link_only(docs), HEADS, seed=0)
    model = model_from_arrays(export(config, counts, tfidf, heads), {}, "test")

    texts = corpus.texts + UNSEEN
    all_docs = docs + [analyse(t) for t in UNSEEN]
    fixed = [
        CountVectorizer(analyzer=v.analyzer, vocabulary=vocab, dtype=np.float64)
        for v, vocab in zip(vectorizers.values(), counts.vocabularies, strict=True)
    ]
    matrices = tuple(sp.csc_matrix(v.transform(all_docs)) for v in fixed)
    x = tfidf.transform(Counts(counts.names, matrices, counts.vocabularies))  # type: ignore[attr-defined]

    lean = np.array([[getattr(model.score(t), h) for h in HEADS] for t in texts])
    reference = np.column_stack([heads[h].predict_proba(x) for h in HEADS])
    assert np.abs(lean - reference).max() < 1e-6
    assert [model.score(t) for t in texts] == model.score_many(texts)


def test_scoring_is_thread_safe(tiny_model) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"{word} number {i} you idiot" for i in range(200) for word in ("foo", "bar")]
    expected = [tiny_model.score(t) for t in texts]
    tiny_model._vocabulary._unseen.clear()
    tiny_model._vocabulary._chunks.clear()  # resolved concurrently too
    tiny_model._vocabulary._packed.clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(tiny_model.score, texts))
    assert got == expected
