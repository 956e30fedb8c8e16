"""What an evaluation report compares: anything that turns texts into per-head probabilities.

Our model versions and the off-the-shelf alt-profanity-check anchor are both a :class:`Scorer`,
so a report can put any number of them side by side on the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata

import numpy as np
import numpy.typing as npt

from .model import HEADS, Model

Floats = npt.NDArray[np.float64]
ScoreFunction = Callable[[Sequence[str]], Mapping[str, Floats | None]]

PROFANITY_CHECK = "alt-profanity-check"


@dataclass(frozen=True)
class Scorer:
    """A named scorer: ``score`` maps a batch of texts to probabilities per head (a head it
    lacks is missing or ``None``); ``score`` is ``None`` when it could not be loaded and ``note``
    says why.  ``thresholds`` are its operating points per head, by name; ``heads`` are the
    heads it can score, so a file labelled for none of them need not be scored with it."""

    name: str
    version: str
    score: ScoreFunction | None
    thresholds: Mapping[str, Mapping[str, float]]
    note: str = ""
    training_files: frozenset[str] = field(default_factory=frozenset)  # sha256 of each CSV
    training_sources: frozenset[str] = field(default_factory=frozenset)
    heads: tuple[str, ...] = HEADS

    @classmethod
    def from_model(cls, model: Model, name: str) -> Scorer:
        """One of our model versions, at the thresholds of its model card."""

        def score(texts: Sequence[str]) -> dict[str, Floats | None]:
            scored = model.score_many(texts)
            return {head: np.array([getattr(s, head) for s in scored]) for head in HEADS}

        data = model.card.get("data", {})
        files = data.get("files", [])
        # Moderators' decisions trained on too: an export of them is in-sample for this model.
        extra_sources = (data.get("extra") or {}).get("sources", {})
        return cls(
            name=name,
            version=model.version,
            score=score,
            thresholds=model.card.get("thresholds", {}),
            training_files=frozenset(str(f.get("sha256")) for f in files),
            training_sources=frozenset(
                [*(str(s) for f in files for s in f.get("sources", {})), *map(str, extra_sources)]
            ),
        )


def profanity_check_scorer() -> Scorer:
    """alt-profanity-check (toxicity only, flagged at 0.5 like its own ``predict``), or an
    unavailable scorer saying why, so a report without it is still written."""
    try:
        version = metadata.version(PROFANITY_CHECK)
        import profanity_check
    except Exception as exc:  # not installed, or its pickled model no longer loads
        return Scorer(
            PROFANITY_CHECK,
            "unavailable",
            None,
            {},
            note=f"{PROFANITY_CHECK} is not available ({exc}); install it with "
            "`pip install -e '.[ml]'`",
        )

    def score(texts: Sequence[str]) -> dict[str, Floats | None]:
        probabilities = np.asarray(profanity_check.predict_prob(list(texts)), dtype=np.float64)
        return {"toxicity": probabilities, "spam": None}

    return Scorer(
        PROFANITY_CHECK,
        version,
        score,
        {"toxicity": {"predict": 0.5}},
        note="off-the-shelf profanity model (calibrated linear SVM on TF-IDF), toxicity only; "
        "its authors trained it on Davidson et al.'s tweets and Jigsaw's Wikipedia comments",
        training_sources=frozenset({"davidson-hate-offensive", "jigsaw-toxic-sample"}),
        heads=("toxicity",),
    )
