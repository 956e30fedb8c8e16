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
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)\s*(%?)$"
_WORDS = re.compile(r"^(?:(at most|at least|<=|>=)\s*)?" + _NUMBER)
_SHARE = re.compile("^" + _NUMBER)


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
    return Target(kind, _share(words, match[2], match[3]))


def _share(words: str, digits: str, percent_sign: str) -> float:
    number = float(digits)
    # A bare 1 reads as 1% as easily as 100%: ask, as for any bare number above 1.
    if not percent_sign and number >= 1:
        raise CalibrationError(f"{words!r}: write a percentage ({digits}%) or a fraction < 1")
    value = number / 100 if percent_sign else number
    if value > 1:
        raise CalibrationError(f"{words!r}: a share cannot exceed 100%")
    return value


def parse_share(words: str) -> float:
    """Read a share strictly between 0 and 1 written like a target's level, "5%" or "0.05",
    so that a prevalence is written the way the targets beside it are."""
    match = _SHARE.match(" ".join(words.lower().split()))
    if match is None:
        raise CalibrationError(f"{words!r} is not a share; write it like '5%' or '0.05'")
    value = _share(words, match[1], match[2])
    if not 0 < value < 1:
        raise CalibrationError(f"{words!r}: a share must be above 0% and below 100%")
    return value
