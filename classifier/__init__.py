"""Toxicity and spam scoring for comments: a library with no web-framework dependencies.

Scoring (``load``, ``Model``) needs only numpy; ``train`` and ``evaluate`` import scikit-learn
on first use, so a web worker that only scores does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .artifact import (
    ARTIFACT_FILES,
    ModelLoadError,
    default_model_path,
    load,
    read_card,
    sign,
)
from .model import Model, Scores
from .text import normalize

if TYPE_CHECKING:
    from .evaluation import evaluate
    from .training import train

__all__ = [
    "ARTIFACT_FILES",
    "Model",
    "ModelLoadError",
    "Scores",
    "default_model_path",
    "evaluate",
    "load",
    "normalize",
    "read_card",
    "sign",
    "train",
]


def __getattr__(name: str) -> object:
    """Import the scikit-learn-backed entry points lazily."""
    if name == "train":
        from .training import train

        return train
    if name == "evaluate":
        from .evaluation import evaluate

        return evaluate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
