"""The rephrase nudge: a comment the policy would hold as toxic is shown back to its poster
with the words that drove the score, instead of being stored.

The decision is the normal one (``submit_comment``), taken inside the request's transaction;
when it is "held, and the model found it toxic", the view rolls that transaction back, so
nothing of the comment is stored, and records only a nudge: site, thread, a keyed fingerprint
of the text (enough to tell whether the resubmission is the same text), the score and the
model version. The resubmission names the nudge and always goes through the normal decision.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from comments.models import Comment, CommentScore, CommentSignal, Nudge
from comments.text import fingerprint

#: A nudge nobody answered within this time counts as abandoned.
ABANDONED_AFTER = timedelta(hours=1)
MESSAGE = (
    "Our filter would hold this comment for a moderator because of the highlighted words. "
    "You can rephrase it, or post it as it is and a moderator will decide."
)
#: A feature is shown to the poster only if it raised the toxicity score by at least this share
#: of what the strongest one did. The explanation also lists words that barely count ("are" in
#: "you are an idiot"), and a reader told to rephrase "are" would rightly distrust the filter.
HIGHLIGHT_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Draft:
    """What a nudge needs from the comment that is about to be rolled back."""

    site_id: int
    thread_key: str
    body: str
    toxicity: float
    model_version: str | None
    words: list[dict[str, Any]]


def text_fingerprint(secret_key: str, body: str) -> str:
    """Keyed, so the stored value cannot be matched against guessed texts."""
    return hmac.new(secret_key.encode(), fingerprint(body).encode(), hashlib.sha256).hexdigest()


def _words(explanation: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every occurrence of every feature that did much to raise the toxicity score, in text
    order."""
    raising = [
        feature
        for feature in (explanation or {}).get("toxicity") or []
        if feature.get("weight", 0) > 0
    ]
    strongest = max((feature["weight"] for feature in raising), default=0)
    found = {
        (feature["feature"], start, end)
        for feature in raising
        if feature["weight"] >= HIGHLIGHT_SHARE * strongest
        for start, end in feature.get("spans") or [(feature["start"], feature["end"])]
    }
    return [
        {"feature": name, "start": start, "end": end}
        for name, start, end in sorted(found, key=lambda word: (word[1], word[2]))
    ]


def draft_for(session: Session, comment: Comment, thread_key: str) -> Draft | None:
    """A draft when the policy held the new comment and the model found it toxic.

    Spam, and holds by rules alone, are never nudged: telling a spammer what tripped the
    filter would only teach them to avoid it.
    """
    if comment.status != "pending" or comment.toxicity is None:
        return None
    names = set(
        session.scalars(select(CommentSignal.name).where(CommentSignal.comment_id == comment.id))
    )
    if "toxic" not in names:
        return None
    explanation = session.scalar(
        select(CommentScore.explanation).where(
            CommentScore.comment_id == comment.id, CommentScore.role == "decision"
        )
    )
    return Draft(
        site_id=comment.site_id,
        thread_key=thread_key,
        body=comment.body_raw,
        toxicity=comment.toxicity,
        model_version=comment.model_version,
        words=_words(explanation),
    )


def record(session: Session, secret_key: str, draft: Draft, now: datetime) -> Nudge:
    nudge = Nudge(
        public_id=secrets.token_urlsafe(16),
        site_id=draft.site_id,
        thread_key=draft.thread_key,
        fingerprint=text_fingerprint(secret_key, draft.body),
        toxicity=draft.toxicity,
        model_version=draft.model_version,
        created_at=now,
    )
    session.add(nudge)
    session.flush()
    return nudge


def answer(nudge: Nudge, draft: Draft) -> dict[str, Any]:
    """The 202 body: the words with offsets into ``text``, the text as the service read it."""
    return {
        "nudge": {
            "id": nudge.public_id,
            "words": draft.words,
            "text": draft.body,
            "message": MESSAGE,
        }
    }


def resolve(
    session: Session,
    secret_key: str,
    public_id: str,
    comment: Comment,
    *,
    thread_key: str,
    now: datetime,
) -> Nudge | None:
    """Record how an open nudge of the same site and thread ended; others are ignored (the
    comment is decided normally either way)."""
    nudge = session.scalar(
        select(Nudge).where(
            Nudge.public_id == public_id,
            Nudge.site_id == comment.site_id,
            Nudge.thread_key == thread_key,
            Nudge.outcome.is_(None),
        )
    )
    if nudge is None:
        return None
    same = hmac.compare_digest(nudge.fingerprint, text_fingerprint(secret_key, comment.body_raw))
    nudge.outcome = "posted_unchanged" if same else "edited"
    nudge.comment_id = comment.id
    nudge.resolved_at = now
    session.flush()
    return nudge


@dataclass(frozen=True, slots=True)
class NudgeCounts:
    """Nudges shown over a period and how they ended."""

    shown: int = 0
    edited: int = 0
    posted_unchanged: int = 0
    abandoned: int = 0
    #: Shown recently and not answered yet.
    open: int = 0

    @property
    def edit_rate(self) -> float | None:
        """Share of answered or abandoned nudges that led to an edit."""
        ended = self.edited + self.posted_unchanged + self.abandoned
        return self.edited / ended if ended else None


def nudge_counts(
    session: Session,
    site_ids: frozenset[int] | None = None,
    *,
    days: int = 30,
    now: datetime | None = None,
) -> NudgeCounts:
    """Nudges created in the last ``days`` days, by outcome, in one query."""
    now = now or datetime.now(UTC)
    unanswered = Nudge.outcome.is_(None)
    stale = Nudge.created_at < now - ABANDONED_AFTER

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = select(
        func.count(),
        count(Nudge.outcome == "edited"),
        count(Nudge.outcome == "posted_unchanged"),
        count(and_(unanswered, stale)),
        count(and_(unanswered, ~stale)),
    ).where(Nudge.created_at >= now - timedelta(days=days))
    if site_ids is not None:
        query = query.where(Nudge.site_id.in_(site_ids))
    shown, edited, unchanged, abandoned, still_open = session.execute(query).one()
    return NudgeCounts(int(shown), int(edited), int(unchanged), int(abandoned), int(still_open))
