"""A reader edits or deletes their own comment while the site's edit window is open.

Authority comes from an edit token handed to the poster in the answer to their POST, never
from the e-mail address (anyone can type someone else's). The token is an itsdangerous
signature over the comment's id and creation time, salted for this one purpose, so nothing is
stored, a token of one comment never opens another (nor a comment that later reuses the id),
and the window itself is enforced from the database, not the token. An edit is scored and
decided by the same policy as a new comment; the text it replaces is kept as a revision.

The window is a time limit, so (WCAG 2.2.1, Timing Adjustable) its author may extend it while
it is open: by ``EXTENSION_SECONDS`` each time, at most ``MAX_EXTENSIONS`` times, counted on
the comment so every deadline is computed from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, exists, false, select, update
from sqlalchemy.orm import Session

from comments.models import (
    Comment,
    CommentRevision,
    CommentScore,
    CommentSignal,
    Decision,
    Report,
    Site,
)
from comments.policy import Outcome, Signal
from comments.rendering import RENDERER_VERSION, render
from comments.services import webhooks
from comments.services.deciding import content_signals, decide_for_site
from comments.services.mail import notifications
from comments.services.moderation.authors import active_bans, is_trusted
from comments.services.moderation.decisions import TRANSITIONS
from comments.services.registry import ensure_version
from comments.services.scoring import ModelProvider, ScoreResult, explain, score_with
from comments.text import fingerprint

_SALT = "comments.edit-token"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
#: Staff actions that decide a comment's status (a ban is about its author).
_MODERATING = tuple(TRANSITIONS)
#: One extension of the edit window: time to finish an edit (the widget warns 60 s before
#: the end), whatever the site's window, which may be seconds or hours long.
EXTENSION_SECONDS = 300
#: WCAG 2.2.1 asks for at least ten; after them a comment is settled (50 minutes at most).
MAX_EXTENSIONS = 10


class EditRefused(Exception):
    """The edit or delete is not allowed; ``status`` is the HTTP answer (403 or 409)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Posted:
    """A comment as its poster is told about it: with its edit token and window."""

    comment: Comment
    edit_token: str
    editable_until: datetime
    edit_extensions_left: int

    def __getattr__(self, name: str) -> Any:
        return getattr(self.comment, name)


def _stamp(comment: Comment) -> int:
    return (comment.created_at.astimezone(UTC) - _EPOCH) // _MICROSECOND


@lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


def issue_token(secret_key: str, comment: Comment) -> str:
    return _serializer(secret_key).dumps([comment.id, _stamp(comment)])


def token_matches(secret_key: str, token: str | None, comment: Comment) -> bool:
    if not token:
        return False
    try:
        value = _serializer(secret_key).loads(token)
    except BadSignature:
        return False
    return bool(value == [comment.id, _stamp(comment)])


def editable_until(site: Site, comment: Comment) -> datetime:
    """The site's window after posting, plus the extensions; a window of 0 turns editing off,
    extensions included."""
    created = comment.created_at.astimezone(UTC)
    if site.edit_window_seconds <= 0:
        return created
    extended = comment.edit_extensions * EXTENSION_SECONDS
    return created + timedelta(seconds=site.edit_window_seconds + extended)


def extensions_left(comment: Comment) -> int:
    return max(0, MAX_EXTENSIONS - comment.edit_extensions)


def posted(secret_key: str, comment: Comment, site: Site) -> Posted:
    """The answer to the poster: the comment, its edit token, when the window closes and how
    many more times it may be extended."""
    token = issue_token(secret_key, comment)
    return Posted(comment, token, editable_until(site, comment), extensions_left(comment))


def authorise(
    session: Session, secret_key: str, comment: Comment, token: str | None, now: datetime
) -> Site:
    """403 for a missing or wrong token, 409 for a deleted comment or a closed window."""
    if not token:
        raise EditRefused(403, "Send the comment's edit token in the X-Edit-Token header.")
    if not token_matches(secret_key, token, comment):
        raise EditRefused(403, "The edit token is not valid for this comment.")
    if comment.status == "deleted":
        raise EditRefused(409, "The comment was deleted.")
    site = session.get(Site, comment.site_id)
    assert site is not None, "a comment's site exists (foreign key)"
    if now >= editable_until(site, comment):
        raise EditRefused(409, "The time for editing or deleting this comment is over.")
    return site


def extend_window(session: Session, comment: Comment) -> None:
    """Add ``EXTENSION_SECONDS`` to an open window (``authorise`` first): 409 once a moderator
    has decided on the comment (its author may still edit, but not keep it open longer) or
    after ``MAX_EXTENSIONS``. Counted in one UPDATE, so two requests at once cannot both pass
    the limit."""
    if moderated(session, comment.id):
        raise EditRefused(
            409, "A moderator has decided on this comment: its editing time cannot be extended."
        )
    counted = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.edit_extensions < MAX_EXTENSIONS)
        .values(edit_extensions=Comment.edit_extensions + 1)
        .execution_options(synchronize_session=False)
    )
    if not counted.rowcount:  # type: ignore[attr-defined]
        raise EditRefused(
            409,
            f"The editing time of this comment was already extended {MAX_EXTENSIONS} times, "
            "the most allowed.",
        )
    session.refresh(comment, ["edit_extensions"])


def moderated(session: Session, comment_id: int) -> bool:
    """Whether a moderator has decided on the comment's status (bans do not count)."""
    decided = exists().where(
        Decision.comment_id == comment_id,
        Decision.actor == "staff",
        Decision.action.in_(_MODERATING),
    )
    return bool(session.scalar(select(decided)))


def status_after_edit(current: str, policy: str, *, moderator_decided: bool) -> str:
    """An undecided comment is decided again like a new one; a moderator's decision stands,
    except that a published comment whose new text the policy would not publish is held."""
    if not moderator_decided and current in ("published", "pending", "spam"):
        return policy
    if current == "published" and policy != "published":
        return "pending"
    return current


def _rule_signals(
    session: Session, site: Site, comment: Comment, body: str, body_html: str
) -> list[Signal]:
    """The rules of a new comment, less the form token: the edit token proves more."""
    signals: list[Signal] = []
    bans = active_bans(session, site.id, comment.author_email, comment.ip_hash)
    if bans:
        signals.append(Signal("author_banned", {"bans": [ban.id for ban in bans]}))
    signals += content_signals(site, body, body_html, comment.author_name, comment.author_url or "")
    same_author = _same_author(comment)
    others = [Comment.site_id == site.id, Comment.id != comment.id, same_author]
    if session.scalar(
        select(exists().where(*others, Comment.body_fingerprint == fingerprint(body)))
    ):
        signals.append(Signal("duplicate"))
    return signals


def _same_author(comment: Comment) -> Any:
    if comment.author_email:
        return Comment.author_email == comment.author_email
    if comment.ip_hash:
        return Comment.ip_hash == comment.ip_hash
    return false()  # no identity: nobody else is the same author


def policy_outcome(
    session: Session, site: Site, comment: Comment, body: str, body_html: str, scored: ScoreResult
) -> Outcome:
    """What the policy decides for ``body`` (rendered: ``body_html``) as a comment of this
    author on this site."""
    signals = _rule_signals(session, site, comment, body, body_html)
    others = [Comment.site_id == site.id, Comment.id != comment.id, _same_author(comment)]
    approved = session.scalar(select(exists().where(*others, Comment.status == "published")))
    trusted = is_trusted(session, site.id, comment.author_email)
    return decide_for_site(
        site, signals, scored, author_approved=bool(approved), author_trusted=trusted
    )


def edit_comment(
    session: Session,
    comment: Comment,
    site: Site,
    *,
    body: str,
    author_name: str | None,
    provider: ModelProvider,
    now: datetime,
) -> Comment:
    """Keep the current text as a revision, then score, decide and store the new one."""
    serving = provider.serving(session)
    scored = score_with(serving.active, body, serving.error)
    old_signals = session.scalars(
        select(CommentSignal.name).where(CommentSignal.comment_id == comment.id)
    ).all()
    session.add(
        CommentRevision(
            comment_id=comment.id,
            body_raw=comment.body_raw,
            body_html=comment.body_html,
            author_name=comment.author_name,
            toxicity=comment.toxicity,
            spam=comment.spam,
            model_version=comment.model_version,
            status=comment.status,
            signals=list(old_signals),
            edited_at=now,
        )
    )
    if author_name is not None:
        comment.author_name = author_name
    body_html = render(body)
    outcome = policy_outcome(session, site, comment, body, body_html, scored)
    before = comment.status
    status = status_after_edit(
        before, outcome.status, moderator_decided=moderated(session, comment.id)
    )
    if scored.model is not None:
        ensure_version(session, scored.model)
    comment.body_raw = body
    comment.body_html = body_html
    comment.renderer_version = RENDERER_VERSION
    comment.body_fingerprint = fingerprint(body)
    comment.toxicity = scored.scores.toxicity if scored.scores else None
    comment.spam = scored.scores.spam if scored.scores else None
    comment.model_version = scored.scores.model_version if scored.scores else None
    comment.status = status
    comment.updated_at = now
    first_publication = status == "published" and comment.published_at is None
    if first_publication:
        comment.published_at = now
    session.execute(delete(CommentSignal).where(CommentSignal.comment_id == comment.id))
    session.add_all(
        CommentSignal(comment_id=comment.id, name=signal.name, detail=signal.detail)
        for signal in outcome.signals
    )
    if scored.scores is not None:
        session.add(
            CommentScore(
                comment_id=comment.id,
                model_version=scored.scores.model_version,
                role="decision",
                toxicity=scored.scores.toxicity,
                spam=scored.scores.spam,
                status=status,
                explanation=explain(scored.model, body) if status != "published" else None,
                created_at=now,
            )
        )
    decision = Decision.about(
        comment,
        actor="author",
        action="edit",
        from_status=before,
        to_status=status,
        reason=outcome.reason,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    webhooks.record_author_events(session, comment, decision)
    notifications.comment_edited(
        session, comment, before=before, first_publication=first_publication
    )
    return comment


def delete_comment(session: Session, comment: Comment, now: datetime) -> Comment:
    """Take the comment out of every public view; its row stays for moderators.

    Readers' open reports on it are closed with it: nothing is left for a moderator to keep
    or take down, and the Reported queue would otherwise hold it until someone restored it.
    """
    session.execute(
        update(Report)
        .where(Report.comment_id == comment.id, Report.resolved_at.is_(None))
        .values(resolved_at=now)
    )
    decision = Decision.about(
        comment,
        actor="author",
        action="delete",
        to_status="deleted",
        reason="deleted by its author",
        created_at=now,
    )
    session.add(decision)
    comment.status = "deleted"
    comment.updated_at = now
    session.flush()
    webhooks.record_author_events(session, comment, decision)
    notifications.comment_deleted(session, comment)
    return comment


def revisions(session: Session, comment_id: int) -> list[CommentRevision]:
    """Earlier versions of a comment, oldest first (moderators only)."""
    query = select(CommentRevision).where(CommentRevision.comment_id == comment_id)
    return list(session.scalars(query.order_by(CommentRevision.id)))


def describe_revisions(session: Session, comment_id: int) -> list[dict[str, Any]]:
    return [
        {
            "body": revision.body_raw,
            "html": revision.body_html,
            "author_name": revision.author_name,
            "status": revision.status,
            "signals": revision.signals,
            "scores": {
                "toxicity": revision.toxicity,
                "spam": revision.spam,
                "model_version": revision.model_version,
            },
            "edited_at": revision.edited_at,
        }
        for revision in revisions(session, comment_id)
    ]
