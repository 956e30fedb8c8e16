"""``flask classifier ...``: thin command-line wrappers around the ``classifier`` library.

One module per part of the ML staff's workflow; each adds its commands to ``classifier_cli``.
"""

from __future__ import annotations

from comments.cli.classifier import (  # noqa: F401  (importing registers the commands)
    calibration,
    evaluation,
    examples,
    registry,
    retraining,
    scoring,
    training,
)
from comments.cli.classifier.group import classifier_cli

__all__ = ["classifier_cli"]
