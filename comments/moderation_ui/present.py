"""Turning stored values into what a moderator reads: highlighted text, scores in words.

Everything that ends up as markup is built here from escaped segments; a comment body, an
explanation or a signal detail is never trusted to be well-formed or harmless.
"""

from __future__ import annotations

import itertools
import math
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from comments.services.moderation.authors import author_actions
from comments.services.moderation.decisions import legal_actions

#: The scores a model explains, in the order they are shown.
KINDS = ("toxicity", "spam")
STATUS_ORDER = ("published", "pending", "spam", "rejected", "deleted")

#: Scores below this ("very unlikely") get no highlighted words.
HIGHLIGHT_FROM = 0.2
#: Upper bounds of each band: a probability below 0.2 reads "very unlikely", and so on.
_BANDS = ((0.2, "very unlikely"), (0.4, "unlikely"), (0.6, "uncertain"), (0.8, "likely"))


@dataclass(frozen=True, slots=True)
class Driver:
    """One span of the body that pushed a score up."""

    kind: str
    feature: str
    weight: float
    start: int
    end: int
    text: str


def _offset(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _spans(entry: Mapping[str, Any], length: int) -> list[tuple[int, int]]:
    """Every occurrence (``spans``) if given, else ``start``/``end``; only sane ones."""
    pairs = entry.get("spans")
    if not isinstance(pairs, list) or not pairs:
        pairs = [(entry.get("start"), entry.get("end"))]
    found = []
    for pair in pairs[:50]:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        start, end = _offset(pair[0]), _offset(pair[1])
        if start is not None and end is not None and 0 <= start < end <= length:
            found.append((start, end))
    return found


#: Stripped from the edges of a highlighted word: spaces and sentence punctuation.
_EDGES = string.whitespace + ",.;:!?"


def _word(body: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without the spaces and punctuation at its edges: the model's features include
    punctuation (", stupid" is about "stupid"), which read as words of their own in the list.
    A lone mark ("." or ",") is None; a run of them ("!!!") is kept."""
    text = body[start:end]
    edges = _EDGES if any(char.isalnum() for char in text) else string.whitespace
    kept = text.strip(edges)
    if len(kept) < 2 and not kept.isalnum():
        return None
    start += len(text) - len(text.lstrip(edges))
    return start, start + len(kept)


def drivers(body: str, explanation: Mapping[str, Any] | None) -> list[Driver]:
    """The explanation's spans that are well-formed, inside the body and push a score up."""
    if not isinstance(explanation, Mapping):
        return []
    found: list[Driver] = []
    for kind in KINDS:
        entries = explanation.get(kind)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            weight = entry.get("weight", 0.0)
            if not isinstance(weight, int | float) or not math.isfinite(weight) or weight <= 0:
                continue
            feature = str(entry.get("feature", ""))[:80]
            words = (_word(body, start, end) for start, end in _spans(entry, len(body)))
            found.extend(
                Driver(kind, feature, float(weight), start, end, body[start:end])
                for start, end in filter(None, words)
            )
    return found


def highlight(body: str, explanation: Mapping[str, Any] | None) -> Markup:
    """The body as HTML with every driving span wrapped in <mark>; overlaps are split."""
    spans = drivers(body, explanation)
    cuts = sorted({0, len(body)} | {d.start for d in spans} | {d.end for d in spans})
    groups: list[tuple[tuple[str, ...], int, int]] = []
    for start, end in itertools.pairwise(cuts):
        kinds = tuple(
            k for k in KINDS if any(d.kind == k and d.start <= start < d.end for d in spans)
        )
        if groups and groups[-1][0] == kinds and groups[-1][2] == start:
            groups[-1] = (kinds, groups[-1][1], end)
        else:
            groups.append((kinds, start, end))
    parts: list[Markup] = []
    for kinds, start, end in groups:
        text = escape(body[start:end])
        if not kinds:
            parts.append(text)
            continue
        classes = " ".join(f"hl-{kind}" for kind in kinds)
        label = " and ".join(kinds)
        parts.append(
            Markup('<mark class="hl {}" title="raises {}">{}</mark>').format(classes, label, text)
        )
    return Markup("").join(parts)


def top_drivers(
    body: str, explanation: Mapping[str, Any] | None, limit: int = 6
) -> dict[str, list[Driver]]:
    """The strongest distinct words per score, for a list beside the text (readable by all)."""
    by_kind: dict[str, list[Driver]] = {}
    for driver in sorted(drivers(body, explanation), key=lambda d: -d.weight):
        chosen = by_kind.setdefault(driver.kind, [])
        if len(chosen) < limit and all(c.text.lower() != driver.text.lower() for c in chosen):
            chosen.append(driver)
    return by_kind


def score_words(probability: float | None) -> str:
    if probability is None:
        return "not scored"
    for upper, words in _BANDS:
        if probability < upper:
            return words
    return "very likely"


def score_band(probability: float | None) -> str:
    """A CSS class for the band, so colour repeats what the words say."""
    if probability is None:
        return "band-none"
    if probability >= 0.8:
        return "band-high"
    if probability >= 0.6:
        return "band-mid"
    return "band-low"


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def when(moment: datetime | None) -> str:
    moment = as_utc(moment)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def iso(moment: datetime | None) -> str:
    moment = as_utc(moment)
    return moment.isoformat() if moment else ""


def duration(seconds: float | None) -> str:
    """Seconds as a person would say them: "45 s", "12 min", "3 h 20 min", "2 d 4 h"."""
    if seconds is None:
        return "—"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _value_text(value: Any, digits: int = 2) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item) for item in value[:10])
    if isinstance(value, Mapping):
        return detail_text(value)
    return str(value)[:200]


def detail_text(detail: Mapping[str, Any] | None) -> str:
    """A signal's detail as plain text ("score 0.93; threshold 0.70"); escaped by Jinja. A
    score and its threshold get the digits that tell them apart: spam 0.99994 against a
    threshold of 0.995865 read "score 1.00; threshold 1.00", now "1.000; 0.996"."""
    if not detail:
        return ""
    digits = _digits_apart(detail.get("score"), detail.get("threshold"))
    return "; ".join(
        f"{key} {_value_text(value, digits)}" for key, value in list(detail.items())[:10]
    )


def _digits_apart(score: Any, threshold: Any, most: int = 4) -> int:
    if not (isinstance(score, float) and isinstance(threshold, float)):
        return 2
    for digits in range(2, most):
        if f"{score:.{digits}f}" != f"{threshold:.{digits}f}":
            return digits
    return most


def history_text(history: Mapping[str, int], by: str | None = None) -> str:
    """ "2 published · 1 pending"; an author without an e-mail is known by IP address, as the
    rules know them, which a moderator should see (a shared address mixes people)."""
    known = [status for status in STATUS_ORDER if history.get(status)]
    others = sorted(set(history) - set(STATUS_ORDER))
    text = " · ".join(f"{history[s]} {s}" for s in [*known, *others]) or "no comments"
    return f"{text} (by IP address)" if by == "ip_hash" else text


@dataclass(frozen=True, slots=True)
class Standing:
    """What the card says of its author's standing: a class name and the words."""

    name: str
    text: str


def author_standing(author: Mapping[str, Any]) -> Standing:
    """Whether a live ban matches the author (``banned``) and whether they are trusted, in the
    words card.js also uses when it redraws a card from the moderation API."""
    banned, trusted = bool(author.get("banned")), bool(author.get("trusted"))
    if banned and trusted:
        return Standing("banned", "banned; trusted once the ban is lifted")
    if banned:
        return Standing("banned", "banned")
    if trusted:
        return Standing("trusted", "trusted")
    return Standing("none", "—")


def web_link(url: str | None) -> str | None:
    """Only http(s) addresses become links; anything else is shown as text."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


#: The ban form's choices, the default first (comments.services.moderation.authors.BAN_SCOPES).
#: What readers chose in the widget's report form, as moderators read it.
REPORT_REASON_LABELS = {
    "spam": "Spam",
    "abusive": "Abusive",
    "off-topic": "Off-topic",
    "other": "Other",
}


def report_reason(reason: str) -> str:
    return REPORT_REASON_LABELS.get(reason, reason)


BAN_SCOPE_LABELS = (
    ("email_and_ip", "E-mail address and IP address"),
    ("email", "E-mail address only (spares others on the same network)"),
    ("ip", "IP address only"),
)


def relevant(explanation: Mapping[str, Any] | None, scores: Mapping[str, Any]) -> dict[str, Any]:
    """Only the heads worth a moderator's eye: words behind a "very unlikely" score are noise."""
    if not isinstance(explanation, Mapping):
        return {}
    return {
        kind: explanation.get(kind)
        for kind in KINDS
        if isinstance(scores.get(kind), int | float) and scores[kind] >= HIGHLIGHT_FROM
    }


def ban_warning(author: dict[str, Any]) -> str | None:
    """What a ban by address would also hit, in words; None when nobody else shares it."""
    shared = author.get("shared_address") or {}
    comments, authors = shared.get("comments", 0), shared.get("authors", 0)
    if not authors:
        return None
    people = "another author" if authors == 1 else f"{authors} other authors"
    texts = "1 comment" if comments == 1 else f"{comments} comments"
    return (
        f"{texts} by {people} came from the same IP address: a ban that matches the address "
        "rejects them and files their new comments as spam too."
    )


def card(item: dict[str, Any], parent: dict[str, Any] | None) -> dict[str, Any]:
    """One described queue item plus what its card shows: highlights, links, legal buttons."""
    body = item.get("body") or ""
    explanation = relevant(item.get("explanation"), item.get("scores") or {})
    warning = ban_warning(item["author"])
    return {
        **item,
        "ban_warning": warning,
        # Others share the address: the ban offered first spares them, if it can.
        "ban_default": "email" if warning and item["author"].get("email") else "email_and_ip",
        "parent": parent,
        "highlighted": highlight(body, explanation),
        "drivers": top_drivers(body, explanation),
        "actions": legal_actions(item["status"], len(item["reports"]), item["placeholder"]),
        "author_actions": author_actions(
            item["status"],
            item["author"].get("email"),
            item["author"].get("trusted", False),
            item["author"].get("banned", False),
        ),
        "thread_link": web_link(item["thread"].get("url")),
        "author_link": web_link(item["author"].get("url")),
    }


def count_label(count: int, capped: bool = False) -> str:
    """A queue's size; a queue counted only up to its cap reads "1,000+"."""
    return f"{count:,}+" if capped else str(count)
