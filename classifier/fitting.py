"""The scikit-learn side: count matrices, TF-IDF on a subset of rows, and the two heads.

Counts are built once for the whole corpus; :func:`fit_tfidf` then learns vocabulary (``min_df``)
and IDF from *training rows only*, exactly as a ``TfidfVectorizer`` refitted per fold would, so
leave-one-source-out validation is honest without re-tokenising the corpus for every fold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression

from .data import Corpus, group_of
from .features import FeatureConfig, char_features, word_features
from .text import Analysed

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Analyzer = Callable[[Analysed], list[str]]


@dataclass(frozen=True)
class HeadParams:
    """Hyper-parameters chosen by leave-one-source-out validation (see the model card)."""

    C: float = 4.0
    nb_alpha: float | None = None  # NB log-count-ratio feature scaling (NBSVM), None = off
    source_offsets: bool = False  # one intercept per training source, averaged at inference
    upweight: tuple[tuple[str, float], ...] = ()  # (dataset, multiplier) for sample weights


TOXICITY_PARAMS = HeadParams(
    C=4.0, nb_alpha=1.0, source_offsets=True, upweight=(("jigsaw-toxic-sample", 3.0),)
)
SPAM_PARAMS = HeadParams(C=4.0)
MIN_DF = 2
ORDINARY_SPAM_WEIGHT = 0.3  # ordinary comments' total weight, relative to spam sources' negatives
_OFFSET_SCALE = 10.0  # source indicator value: large enough that L2 barely shrinks its weight


@dataclass(frozen=True)
class Counts:
    """Per block: a CSC document-term count matrix and its column -> feature string list."""

    names: tuple[str, ...]
    matrices: tuple[sp.csc_matrix, ...]
    vocabularies: tuple[list[str], ...]


def our_vectorizers(config: FeatureConfig) -> dict[str, CountVectorizer]:
    """Count vectorizers over :class:`Analysed` documents (normalised once, up front)."""
    word: Analyzer = partial(word_features, config=config)  # picklable: counted in parallel
    char: Analyzer = partial(char_features, config=config)
    return {
        "word": CountVectorizer(analyzer=word, min_df=MIN_DF, dtype=np.float64),
        "char": CountVectorizer(analyzer=char, min_df=MIN_DF, dtype=np.float64),
    }


def anchor_vectorizers() -> dict[str, CountVectorizer]:
    """The baseline to beat: plain word 1-2 + char 2-5 grams of the raw text."""
    return {
        "word": CountVectorizer(ngram_range=(1, 2), min_df=MIN_DF, dtype=np.float64),
        "char": CountVectorizer(
            analyzer="char", ngram_range=(2, 5), min_df=MIN_DF, dtype=np.float64
        ),
    }


def _count(vectorizer: CountVectorizer, docs: Sequence[object]) -> tuple[sp.csc_matrix, list[str]]:
    matrix = sp.csc_matrix(vectorizer.fit_transform(docs))
    return matrix, [str(name) for name in vectorizer.get_feature_names_out()]


def count_blocks(
    docs: Sequence[object], vectorizers: dict[str, CountVectorizer], n_jobs: int = 1
) -> Counts:
    """Document-term counts per block; blocks are counted in parallel processes (pure Python
    analyzers hold the GIL)."""
    return count_many([(docs, vectorizers)], n_jobs)[0]


def count_many(
    work: Sequence[tuple[Sequence[object], dict[str, CountVectorizer]]], n_jobs: int = 1
) -> list[Counts]:
    """:func:`count_blocks` for several (docs, vectorizers) in one process pool, so that e.g. our
    blocks and the anchor's share both cores instead of waiting on the slowest block of each."""
    jobs = [(t, name, docs, v) for t, (docs, vs) in enumerate(work) for name, v in vs.items()]
    jobs.sort(key=lambda job: job[1] != "char")  # the slow char blocks first
    results = Parallel(n_jobs=max(1, min(n_jobs, len(jobs))))(
        delayed(_count)(vectorizer, docs) for _, _, docs, vectorizer in jobs
    )
    done = {(t, name): r for (t, name, _, _), r in zip(jobs, results, strict=True)}
    out = []
    for t, (_, vectorizers) in enumerate(work):
        mine = [done[t, name] for name in vectorizers]
        out.append(Counts(tuple(vectorizers), tuple(m for m, _ in mine), tuple(v for _, v in mine)))
    return out


@dataclass(frozen=True)
class Tfidf:
    """Kept columns and a fitted ``TfidfTransformer`` per block (blocks L2-normalised apart)."""

    keep: tuple[npt.NDArray[np.intp], ...]
    transformers: tuple[TfidfTransformer, ...]

    def transform(self, counts: Counts) -> sp.csr_matrix:
        parts = [
            t.transform(m[:, k])
            for m, k, t in zip(counts.matrices, self.keep, self.transformers, strict=True)
        ]
        return sp.csr_matrix(sp.hstack(parts, format="csr"))


def fit_tfidf(counts: Counts, rows: Mask) -> Tfidf:
    keep = []
    transformers = []
    for matrix in counts.matrices:
        train = matrix[rows]
        df = np.diff(sp.csc_matrix(train > 0).indptr)
        columns = np.flatnonzero(df >= MIN_DF)
        transformer = TfidfTransformer(sublinear_tf=True).fit(train[:, columns])
        keep.append(columns)
        transformers.append(transformer)
    return Tfidf(tuple(keep), tuple(transformers))


@dataclass(frozen=True)
class Head:
    """A fitted logistic regression plus what folds into lean weights.

    ``scale`` is the NB ratio (or ones); the lean model's weights are ``coef * scale`` and its
    intercept is the LR intercept plus the mean of the source offsets marked in ``averaged``
    (one flag per offset: empty without offsets, False for datasets of extra rows only).
    """

    lr: LogisticRegression
    scale: Floats
    averaged: Mask

    @property
    def weights(self) -> Floats:
        return np.asarray(self.lr.coef_[0][: self.scale.size] * self.scale, dtype=np.float64)

    @property
    def intercept(self) -> float:
        offsets = self.lr.coef_[0][self.scale.size :] * _OFFSET_SCALE
        mean = offsets[self.averaged].mean() if self.averaged.any() else 0.0
        return float(self.lr.intercept_[0] + mean)

    def decision(self, x: sp.csr_matrix) -> Floats:
        return np.asarray(x @ self.weights + self.intercept, dtype=np.float64)

    def predict_proba(self, x: sp.csr_matrix) -> Floats:
        """scikit-learn's own probabilities (the reference the lean scorer must reproduce)."""
        design = sp.csr_matrix(x @ sp.diags(self.scale))
        if self.averaged.size:
            share = np.where(self.averaged, _OFFSET_SCALE / self.averaged.sum(), 0.0)
            average = np.tile(share, (x.shape[0], 1))
            design = sp.csr_matrix(sp.hstack([design, sp.csr_matrix(average)], format="csr"))
        return np.asarray(self.lr.predict_proba(design)[:, 1], dtype=np.float64)


def _nb_ratio(x: sp.csr_matrix, y: npt.NDArray[np.int8], alpha: float) -> Floats:
    positive = np.asarray(x[y == 1].sum(axis=0)).ravel() + alpha
    negative = np.asarray(x[y == 0].sum(axis=0)).ravel() + alpha
    return np.asarray(np.log(positive / positive.sum()) - np.log(negative / negative.sum()))


def fit_head(
    x: sp.csr_matrix,
    y: npt.NDArray[np.int8],
    weights: Floats,
    sources: Sequence[str],
    params: HeadParams,
    seed: int,
    extra: Mask | None = None,
) -> Head:
    """Fit one head on the given rows; ``sources`` name each row's dataset (for offsets).

    A dataset made only of ``extra`` rows gets its own offset, which absorbs that data's
    prevalence (moderators mostly see comments the model held), but is left out of the average
    used at inference, so extra rows move word weights, not every score.
    """
    weights = weights.copy()
    datasets = np.array([s.split("/")[0] for s in sources])
    for dataset, factor in params.upweight:
        weights[datasets == dataset] *= factor
    weights *= len(weights) / weights.sum()
    scale = np.ones(x.shape[1]) if params.nb_alpha is None else _nb_ratio(x, y, params.nb_alpha)
    design = sp.csr_matrix(x @ sp.diags(scale))
    averaged = np.zeros(0, dtype=bool)
    if params.source_offsets:
        names = sorted(set(datasets))
        columns = np.searchsorted(names, datasets)
        values = np.full(len(datasets), _OFFSET_SCALE)
        indicators = sp.csr_matrix(
            (values, (np.arange(len(datasets)), columns)), (len(datasets), len(names))
        )
        design = sp.csr_matrix(sp.hstack([design, indicators], format="csr"))
        base = set(datasets if extra is None else datasets[~extra]) or set(names)
        averaged = np.array([name in base for name in names], dtype=bool)
    lr = LogisticRegression(C=params.C, solver="liblinear", max_iter=1000, random_state=seed)
    lr.fit(design, y, sample_weight=weights)
    return Head(lr, scale, averaged)


@dataclass(frozen=True)
class Extra:
    """Rows added to the base corpora (e.g. moderators' labels) and their relative weight.

    They are trained on in every fold and never held out, and are used only for the heads they
    carry a label for.  Each weighs ``weight`` times an average base row of that head, before
    ``HeadParams.upweight`` (which applies to base datasets by name).
    """

    rows: Mask
    weight: float


def labelled_rows(
    labels: npt.NDArray[np.int8], rows: Mask, extra: Extra | None = None
) -> tuple[npt.NDArray[np.intp], Floats]:
    """Rows labelled for a head at natural weight 1 (extra rows at ``extra.weight``)."""
    index = np.flatnonzero(rows & (labels >= 0))
    weights = np.ones(len(index))
    if extra is not None:
        weights[extra.rows[index]] = extra.weight
    return index, weights


def toxicity_rows(
    corpus: Corpus, rows: Mask, extra: Extra | None = None
) -> tuple[npt.NDArray[np.intp], Floats]:
    """Toxicity-labelled training rows, natural weights (source offsets absorb prevalence)."""
    return labelled_rows(corpus.toxic, rows, extra)


def spam_rows(
    corpus: Corpus, rows: Mask, link_only: Mask, extra: Extra | None = None
) -> tuple[npt.NDArray[np.intp], Floats]:
    """Spam rows plus every toxicity-corpus text as a negative (ordinary comments are not spam).

    Each spam source (YouTube video, SMS) is class-balanced; the toxicity corpora together weigh
    ``ORDINARY_SPAM_WEIGHT`` times those sources' negatives, equally per corpus.  Link-only texts
    are left out: the corpora do not tell whether a bare link is spam.  Extra rows count only
    where they carry a spam label (a rejected comment says nothing about spam), each weighing
    ``extra.weight`` times the mean weight of a labelled base row.
    """
    base = rows if extra is None else rows & ~extra.rows
    labelled = np.flatnonzero(base & (corpus.spam >= 0))
    ordinary = np.flatnonzero(base & (corpus.spam < 0) & ~link_only)
    groups = np.array([group_of(corpus.sources[i]) for i in labelled])
    y = corpus.spam[labelled]
    weights = np.zeros(len(labelled) + len(ordinary))
    for group in np.unique(groups):
        for label in (0, 1):
            members = np.flatnonzero((groups == group) & (y == label))
            weights[members] = 0.5 / max(len(members), 1)
    n_groups = len(np.unique(groups))
    ordinary_groups = np.array([group_of(corpus.sources[i]) for i in ordinary])
    for group in np.unique(ordinary_groups):
        members = len(labelled) + np.flatnonzero(ordinary_groups == group)
        share = ORDINARY_SPAM_WEIGHT * 0.5 * n_groups / len(np.unique(ordinary_groups))
        weights[members] = share / len(members)
    index = np.concatenate([labelled, ordinary])
    if extra is None:
        return index, weights
    added = np.flatnonzero(rows & extra.rows & (corpus.spam >= 0))
    typical = float(weights[: len(labelled)].mean()) if len(labelled) else 1.0
    return (
        np.concatenate([index, added]),
        np.concatenate([weights, np.full(len(added), extra.weight * typical)]),
    )


def spam_labels(corpus: Corpus, index: npt.NDArray[np.intp]) -> npt.NDArray[np.int8]:
    return np.asarray(np.where(corpus.spam[index] >= 0, corpus.spam[index], 0), dtype=np.int8)
