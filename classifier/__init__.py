"""Toxicity and spam scoring for comments: a library with no web-framework dependencies.

Scoring (``load``, ``Model``) needs only numpy and scipy; ``train``, ``evaluate`` and the report
helpers (``Scorer``, ``write_report``) are imported on first use, so a web worker that only scores
does not pay for scikit-learn.
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
from .calibration import (
    MIN_SUPPORT,
    Calibration,
    Cutoffs,
    Prevalence,
    ValidationSet,
    calibrate,
    read_labelled,
    score_labelled,
)
from .data import LABEL_HELP, Corpus, DataError, parse_label
from .model import Model, Scores
from .targets import CalibrationError, Target, parse_share, parse_target
from .text import normalize

if TYPE_CHECKING:
    from .evaluation import evaluate
    from .report import write_report
    from .report_scorers import Scorer
    from .training import train

__all__ = [
    "ARTIFACT_FILES",
    "LABEL_HELP",
    "MIN_SUPPORT",
    "Calibration",
    "CalibrationError",
    "Corpus",
    "Cutoffs",
    "DataError",
    "Model",
    "ModelLoadError",
    "Prevalence",
    "Scorer",
    "Scores",
    "Target",
    "ValidationSet",
    "calibrate",
    "default_model_path",
    "evaluate",
    "load",
    "normalize",
    "parse_label",
    "parse_share",
    "parse_target",
    "read_card",
    "read_labelled",
    "score_labelled",
    "sign",
    "train",
    "write_report",
]


def __getattr__(name: str) -> object:
    """Import the scikit-learn-backed entry points lazily."""
    if name == "train":
        from .training import train

        return train
    if name == "evaluate":
        from .evaluation import evaluate

        return evaluate
    if name == "write_report":
        from .report import write_report

        return write_report
    if name == "Scorer":
        from .report_scorers import Scorer

        return Scorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
