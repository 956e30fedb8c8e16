"""``flask classifier ...``: thin command-line wrappers around the ``classifier`` library.

One module per part of the ML staff's workflow; each adds its commands to ``classifier_cli``.
"""

from __future__ import annotations

from comments.cli.classifier import evaluation, scoring, training  # noqa: F401  (registers)
from comments.cli.classifier.group import classifier_cli

__all__ = ["classifier_cli"]
