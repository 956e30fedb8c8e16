"""Moderation policy: model scores, rule signals and site thresholds in, a status out.

Pure functions with explicit inputs, so the policy is testable without a database or model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Signals that file a comment as spam on their own: no human writes into a hidden field.
SPAM_SIGNALS = frozenset({"honeypot_filled", "blocked_domain", "author_banned"})
#: A trusted author is held only when the model is at least this sure.
TRUSTED_HOLD = 0.9
#: Signals that the body links somewhere: an earlier approved comment does not vouch for a
#: possible-spam comment that carries a link, since the link is what spam is posted for.
LINK_SIGNALS = frozenset({"has_links", "too_many_links"})
#: Signals that hold a comment for a moderator.
HOLD_SIGNALS = frozenset(
    {
        "too_many_links",
        "blocked_word",
        "commercial_terms",
        "submitted_too_fast",
        "form_token_invalid",
        "form_token_required",
        "duplicate",
        "model_unavailable",
        "site_holds_all",
    }
)


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    detail: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score cut-offs; spam_hold <= spam_file."""

    toxicity_hold: float
    spam_hold: float
    spam_file: float

    @classmethod
    def resolve(
        cls, site_values: Mapping[str, float | None], model_defaults: Mapping[str, Any]
    ) -> Thresholds:
        """Per-site values where set, else the defaults chosen by the model's evaluation."""
        defaults = {
            "toxicity_hold": float(model_defaults["toxicity"]["hold"]),
            "spam_hold": float(model_defaults["spam"]["hold"]),
            "spam_file": float(model_defaults["spam"]["file"]),
        }
        values = {
            name: site_values[name] if site_values.get(name) is not None else default
            for name, default in defaults.items()
        }
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ModelScores:
    toxicity: float
    spam: float
    model_version: str


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    #: Every signal that fired, rules and scores alike, in the order they were checked.
    signals: tuple[Signal, ...] = field(default_factory=tuple)

    @property
    def reason(self) -> str:
        return ", ".join(signal.name for signal in self.signals) or "no signal"


def score_signals(scores: ModelScores, thresholds: Thresholds) -> list[Signal]:
    """Name each threshold a score crossed, with the score and the cut-off."""
    fired: list[Signal] = []
    if scores.toxicity >= thresholds.toxicity_hold:
        fired.append(
            Signal("toxic", {"score": scores.toxicity, "threshold": thresholds.toxicity_hold})
        )
    if scores.spam >= thresholds.spam_file:
        fired.append(
            Signal("spam_likely", {"score": scores.spam, "threshold": thresholds.spam_file})
        )
    elif scores.spam >= thresholds.spam_hold:
        fired.append(
            Signal("spam_possible", {"score": scores.spam, "threshold": thresholds.spam_hold})
        )
    return fired


def decide(
    rule_signals: list[Signal],
    scores: ModelScores | None,
    thresholds: Thresholds | None,
    *,
    author_approved: bool = False,
    author_trusted: bool = False,
) -> Outcome:
    """published, pending or spam, with every reason.

    An author with an earlier approved comment gets the benefit of the doubt on spam scores
    alone, never on toxicity or on hard rules: a likely-spam comment is held, not filed, and
    a possible-spam one is published, unless it carries a link (``LINK_SIGNALS``), which the
    record does not vouch for; ``author_approved`` then says so in its detail. A trusted
    author skips the queue unless a hard rule fires or the model is very sure.
    """
    signals = list(rule_signals)
    if scores is None or thresholds is None:
        if not any(s.name == "model_unavailable" for s in signals):
            signals.append(Signal("model_unavailable"))
    else:
        signals.extend(score_signals(scores, thresholds))
    names = {signal.name for signal in signals}
    # The record publishes a possible-spam comment only without links (as WordPress holds a
    # "previously approved" author's comment that reaches its link limit).
    withheld = sorted(names & LINK_SIGNALS) if "spam_possible" in names else []
    if author_approved:
        detail = {"applied": False, "because": ["spam_possible", *withheld]}
        signals.append(Signal("author_approved", detail if withheld else None))
    if author_trusted:
        signals.append(Signal("author_trusted"))
    names = {signal.name for signal in signals}

    if author_trusted and not names & SPAM_SIGNALS:
        very_sure = scores is not None and max(scores.toxicity, scores.spam) >= TRUSTED_HOLD
        status = "pending" if very_sure or scores is None else "published"
        return Outcome(status=status, signals=tuple(signals))
    if names & SPAM_SIGNALS or ("spam_likely" in names and not author_approved):
        status = "spam"
    elif names & (HOLD_SIGNALS | {"toxic", "spam_likely"}) or (
        "spam_possible" in names and (not author_approved or withheld)
    ):
        status = "pending"
    else:
        status = "published"
    return Outcome(status=status, signals=tuple(signals))
