"""Perspective's AnalyzeComment and SuggestCommentScore, answered by our own two heads.

We score only what our models were trained for: ``TOXICITY`` (our toxicity head) and ``SPAM``
(our spam head; Perspective's experimental ``SPAM`` is another model). Any other attribute,
Perspective's ``SEVERE_TOXICITY``, ``INSULT``, ``THREAT``... included, is refused as unknown
rather than answered with a score that would only be a relabelled toxicity. The models learned
from English comments, so only English is served.

- **Spans** come from the model's explanation of each head: the words and phrases that raised
  the score, each scored by the same head on its own, so a span's value is a probability like
  the summary's. Perspective counts offsets in UTF-16 code units (what JavaScript platforms
  such as Coral index strings by); Python counts code points, so offsets are converted.
- **Nothing is kept by analyze**, whether or not ``doNotStore`` is set: the text is scored in
  memory and dropped, and never logged. Only the key's last use and the rate-limit counter
  (under the key's hash) change.
- **SuggestCommentScore** becomes a labelled example of the key's site (``source="perspective"``;
  a value of 0.5 or more is a positive label), with the rest of the request as its context,
  for ``flask classifier train --with-decisions`` and ``flask classifier export``. Coral sends
  its moderators' decisions as the attributes ``APPROVED`` and ``DELETED``; they are labelled
  like ours (approve = not toxic and not spam, reject = toxic).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

import classifier
from comments.models import LabelledExample, Site
from comments.services.scoring import ModelProvider, explain, score_with
from comments.text import clean_multiline

#: Our attributes and the head that scores each.
HEADS = {"TOXICITY": "toxicity", "SPAM": "spam"}
#: Perspective's documented limit: 20 KB of text (UTF-8 bytes, not characters).
MAX_TEXT_BYTES = 20 * 1024
LANGUAGE = "en"
PROBABILITY = "PROBABILITY"
#: A suggested score at or above this is a positive label.
LABEL_AT = 0.5
#: Moderators' decisions sent as attributes (Coral's feedback), labelled like our own.
DECISIONS: dict[str, dict[str, bool]] = {
    "APPROVED": {"toxic": False, "spam": False},
    "DELETED": {"toxic": True},
}


class PerspectiveError(Exception):
    """A request Perspective would refuse; ``error_type`` is its ``ErrorType`` when it has one."""

    def __init__(
        self,
        message: str,
        error_type: str | None = "INVALID_REQUEST",
        *,
        code: int = 400,
        status: str = "INVALID_ARGUMENT",
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.code = code
        self.status = status
        self.detail = detail or {}


class ModelUnavailable(PerspectiveError):
    """No model could score the text: the platform should retry later."""

    def __init__(self) -> None:
        super().__init__(
            "The model is unavailable; try again shortly.", None, code=503, status="UNAVAILABLE"
        )


@dataclass(frozen=True, slots=True)
class AttributeRequest:
    score_type: str = PROBABILITY
    score_threshold: float | None = None


@dataclass(frozen=True, slots=True)
class AnalyzeRequest:
    text: str
    attributes: dict[str, AttributeRequest]
    text_type: str = "PLAIN_TEXT"
    languages: list[str] = field(default_factory=list)
    span_annotations: bool = False
    do_not_store: bool = False
    #: Perspective's dropUnsupportedAttributes: leave out, rather than refuse, attributes that
    #: do not support the request's languages (for us, every attribute in any but English).
    drop_unsupported: bool = False
    client_token: str = ""


@dataclass(frozen=True, slots=True)
class SuggestRequest:
    text: str
    #: Attribute -> the suggested summary score.
    scores: dict[str, float]
    #: The attributeScores as sent (summary and any span scores), kept with the example.
    suggested: dict[str, Any] = field(default_factory=dict)
    text_type: str = "PLAIN_TEXT"
    languages: list[str] = field(default_factory=list)
    client_token: str = ""
    session_id: str = ""
    community_id: str = ""
    context: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SpanScore:
    begin: int  # UTF-16 code units, as Perspective counts
    end: int
    value: float


@dataclass(frozen=True, slots=True)
class AttributeScore:
    value: float
    spans: list[SpanScore] | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    scores: dict[str, AttributeScore]
    languages: list[str]


# --- checks, in the order Perspective reports them -------------------------------------------


def check_text(text: str, text_type: str) -> None:
    if text_type != "PLAIN_TEXT":
        raise PerspectiveError("Currently, only 'PLAIN_TEXT' comments are supported")
    if not text.strip():
        raise PerspectiveError("Comment must be non-empty.", "COMMENT_EMPTY")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise PerspectiveError("Comment text too long.", "COMMENT_TOO_LONG")


def check_attributes(attributes: dict[str, AttributeRequest]) -> None:
    if not attributes:
        raise PerspectiveError("Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES")
    for name, wanted in attributes.items():
        if name not in HEADS:
            raise PerspectiveError(f"Unknown requested attribute: {name}")
        if wanted.score_type != PROBABILITY:
            raise PerspectiveError(
                f"Requested score type {wanted.score_type} is not supported by attribute {name}"
            )


def served(languages: list[str]) -> bool:
    """Whether we score text in ``languages``: none given, or one of them English (``en``,
    ``en-GB``...)."""
    return not languages or any(
        tag.lower().replace("_", "-").split("-")[0] == LANGUAGE for tag in languages
    )


def effective_languages(languages: list[str], attributes: list[str]) -> list[str]:
    """The languages answered: as requested when one is English, ``en`` when none was given;
    otherwise Perspective's refusal for the first attribute."""
    if served(languages):
        return languages or [LANGUAGE]
    attribute = attributes[0] if attributes else "TOXICITY"
    raise PerspectiveError(
        f"Attribute {attribute} does not support request languages: {', '.join(languages)}",
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        detail={
            "languageNotSupportedByAttributeError": {
                "requestedLanguages": languages,
                "attribute": attribute,
            }
        },
    )


# --- analyze --------------------------------------------------------------------------------


def utf16_offset(text: str, index: int) -> int:
    """A code-point index of ``text`` as a UTF-16 index: characters beyond U+FFFF count twice."""
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)


def span_scores(
    model: classifier.Model, text: str, head: str, explanation: dict[str, Any]
) -> list[SpanScore]:
    """Every span the explanation names for ``head``, each scored on its own by that head."""
    spans = sorted({(a, b) for item in explanation[head] for a, b in item["spans"] if b > a})
    scores = model.score_many([text[a:b] for a, b in spans])
    return [
        SpanScore(utf16_offset(text, a), utf16_offset(text, b), float(getattr(score, head)))
        for (a, b), score in zip(spans, scores, strict=True)
    ]


def analyze(session: Session, provider: ModelProvider, request: AnalyzeRequest) -> Analysis:
    """Scores of the requested attributes by the active model; stores nothing."""
    check_text(request.text, request.text_type)
    check_attributes(request.attributes)
    if request.drop_unsupported and not served(request.languages):
        return Analysis({}, request.languages)
    languages = effective_languages(request.languages, list(request.attributes))
    serving = provider.serving(session)
    scored = score_with(serving.active, request.text, serving.error)
    if scored.scores is None or scored.model is None:
        raise ModelUnavailable()
    # Explaining costs more than scoring: once, and only when spans are asked for. If it
    # fails, the summaries are still answered, without spans.
    explanation = explain(scored.model, request.text) if request.span_annotations else None
    results: dict[str, AttributeScore] = {}
    for name, wanted in request.attributes.items():
        head = HEADS[name]
        value = float(getattr(scored.scores, head))
        threshold = wanted.score_threshold
        if threshold is not None and value < threshold:
            continue  # Perspective leaves out scores below the requested threshold
        spans = None
        if explanation is not None:
            spans = span_scores(scored.model, request.text, head, explanation)
        if spans is not None and threshold is not None:
            spans = [span for span in spans if span.value >= threshold]
        results[name] = AttributeScore(value, spans)
    return Analysis(results, languages)


# --- suggestscore ---------------------------------------------------------------------------


def labels(scores: dict[str, float]) -> dict[str, bool]:
    """``toxic``/``spam`` from suggested scores: a decision attribute first, then TOXICITY and
    SPAM, which say more and win."""
    for name in scores:
        if name not in HEADS and name not in DECISIONS:
            raise PerspectiveError(f"Unknown attribute in attribute_scores: {name}")
    decided = [name for name in DECISIONS if scores.get(name, 0.0) >= LABEL_AT]
    if len(decided) > 1:
        raise PerspectiveError(f"Contradictory attribute_scores: {' and '.join(decided)}")
    found = dict(DECISIONS[decided[0]]) if decided else {}
    for name, head in (("TOXICITY", "toxic"), ("SPAM", "spam")):
        if name in scores:
            found[head] = scores[name] >= LABEL_AT
    if not found:
        raise PerspectiveError("Missing attribute_scores: nothing to learn from")
    return found


def suggest(
    session: Session, site: Site, request: SuggestRequest, now: datetime | None = None
) -> LabelledExample:
    """A suggested score as a labelled example of the site, for retraining."""
    check_text(request.text, request.text_type)
    learned = labels(request.scores)
    languages = effective_languages(request.languages, list(request.scores))
    sent = {
        "attributeScores": request.suggested,
        "languages": languages,
        "clientToken": request.client_token,
        "communityId": request.community_id,
        "sessionId": request.session_id,
        "context": request.context,
    }
    example = LabelledExample(
        site_id=site.id,
        # Scores read the text as sent (offsets); a stored example is cleaned like any other.
        text=clean_multiline(request.text),
        toxic=learned.get("toxic"),
        spam=learned.get("spam"),
        reason="suggestscore",
        source="perspective",
        context={name: value for name, value in sent.items() if value},
        created_at=now or datetime.now(UTC),
    )
    session.add(example)
    session.flush()
    return example
