"""Targets stated in words ("at most 1% of toxic comments published without review").

Site owners think in outcomes, not scores; this module reads and prints such targets, and
:mod:`classifier.calibration` turns them into thresholds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class CalibrationError(ValueError):
    """A target that cannot be read or met, or data that cannot calibrate it."""


@dataclass(frozen=True, slots=True)
class Goal:
    direction: str  # "at most" or "at least"
    head: str
    threshold: str  # the Cutoffs field it sets
    phrase: str


GOALS = {
    "toxic_published": Goal(
        "at most", "toxicity", "toxicity_hold", "of toxic comments published without review"
    ),
    "ordinary_held": Goal(
        "at most", "toxicity", "toxicity_hold", "of ordinary (non-toxic) comments held for review"
    ),
    "spam_published": Goal("at most", "spam", "spam_hold", "of spam published without review"),
    "spam_folder_precision": Goal("at least", "spam", "spam_file", "of the spam folder is spam"),
}
_WORDS = re.compile(r"^(?:(at most|at least|<=|>=)\s*)?(\d+(?:\.\d*)?|\.\d+)\s*(%?)$")


def percent(value: float, digits: int = 4) -> str:
    return f"{value * 100:.{digits}g}%"


@dataclass(frozen=True, slots=True)
class Target:
    """One of :data:`GOALS` with its level as a fraction."""

    kind: str
    value: float

    @property
    def goal(self) -> Goal:
        return GOALS[self.kind]

    def __str__(self) -> str:
        return f"{self.goal.direction} {percent(self.value)} {self.goal.phrase}"


def parse_target(kind: str, words: str) -> Target:
    """Read "at most 1%", "at least 99%", "1%" or "0.01"; a direction against the goal is
    refused, since "at least 1% of toxic comments published" is surely a slip, and so is a bare
    number of 1 or more, which could mean a fraction or a percentage."""
    if kind not in GOALS:
        raise CalibrationError(f"unknown target {kind!r}; known: {', '.join(GOALS)}")
    goal = GOALS[kind]
    match = _WORDS.match(" ".join(words.lower().split()))
    if match is None:
        raise CalibrationError(
            f"{words!r} is not a target; write it like '{goal.direction} 5%', '5%' or '0.05'"
        )
    direction = {"<=": "at most", ">=": "at least"}.get(match[1], match[1])
    if direction and direction != goal.direction:
        raise CalibrationError(
            f"{words!r} points the wrong way: the share {goal.phrase} is a "
            f"{'ceiling' if goal.direction == 'at most' else 'floor'}; "
            f"write '{goal.direction} {match[2]}{match[3]}'"
        )
    number = float(match[2])
    # A bare 1 reads as 1% as easily as 100%: ask, as for any bare number above 1.
    if not match[3] and number >= 1:
        raise CalibrationError(f"{words!r}: write a percentage ({match[2]}%) or a fraction < 1")
    value = number / 100 if match[3] else number
    if value > 1:
        raise CalibrationError(f"{words!r}: a share cannot exceed 100%")
    return Target(kind, value)
