"""A reader's comment, from validated input to a stored, scored and decided row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comments.errors import FieldErrors, NotAllowed
from comments.models import Comment, CommentScore, CommentSignal, Decision, Site
from comments.policy import ModelScores, Outcome, Signal, Thresholds, decide
from comments.rendering import RENDERER_VERSION, render
from comments.rules import check_honeypot, check_links, check_words
from comments.services import form_tokens
from comments.services.moderation.authors import active_bans, is_trusted
from comments.services.origins import origin_allowed
from comments.services.registry import ensure_version
from comments.services.scoring import ModelProvider, ScoreResult, explain, score_with
from comments.services.threads import find_thread, get_or_create_thread, get_site
from comments.text import fingerprint


@dataclass(frozen=True, slots=True)
class Submission:
    """What the widget sent, already cleaned and validated field by field."""

    site: str
    thread: str
    body: str
    thread_title: str = ""
    thread_url: str | None = None
    parent_id: int | None = None
    author_name: str = ""
    author_email: str | None = None
    author_url: str | None = None
    form_token: str | None = None
    honeypot: str = ""
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Client:
    ip_hash: str
    user_agent: str
    #: The browser's Origin header, if any, and the service's own origin.
    origin: str | None = None
    own_origin: str | None = None


@dataclass(frozen=True, slots=True)
class FormTokenSettings:
    secret_key: str
    max_age: int


@dataclass(frozen=True, slots=True)
class Submitted:
    comment: Comment
    #: False when an idempotency key matched an earlier submission, which is returned instead.
    created: bool


def _find_by_idempotency_key(session: Session, site: Site, key: str) -> Comment | None:
    return session.scalar(
        select(Comment).where(Comment.site_id == site.id, Comment.idempotency_key == key)
    )


def _check_parent(session: Session, parent_id: int, thread_id: int | None) -> None:
    parent = session.get(Comment, parent_id)
    if parent is None or parent.status != "published" or parent.thread_id != thread_id:
        raise FieldErrors({"parent_id": ["Not a published comment of this thread."]})


def _author_filter(submission: Submission, client: Client) -> ColumnElement[bool]:
    if submission.author_email:
        return Comment.author_email == submission.author_email
    return Comment.ip_hash == client.ip_hash


@dataclass(frozen=True, slots=True)
class AuthorStanding:
    approved: bool
    trusted: bool


def rule_signals(
    session: Session,
    site: Site,
    submission: Submission,
    client: Client,
    tokens: FormTokenSettings,
    body_fingerprint: str,
) -> tuple[list[Signal], AuthorStanding]:
    """Every rule that fires, and what moderators decided about the author before."""
    signals = check_honeypot(submission.honeypot)
    bans = active_bans(session, site.id, submission.author_email, client.ip_hash)
    if bans:
        signals.append(Signal("author_banned", {"bans": [ban.id for ban in bans]}))
    signals += form_tokens.check(
        tokens.secret_key,
        form_tokens.FormCheck(
            site_name=site.name,
            thread_key=submission.thread,
            token=submission.form_token,
            min_seconds=site.min_form_seconds,
            max_age=tokens.max_age,
            required=site.require_form_token,
        ),
    )
    signals += check_links(
        submission.body,
        submission.author_url or "",
        max_links=site.max_links,
        blocked_domains=site.blocked_domains,
    )
    signals += check_words([submission.body, submission.author_name], site.blocked_words)
    same_author = _author_filter(submission, client)
    duplicate = session.scalar(
        select(
            exists().where(
                Comment.site_id == site.id,
                Comment.body_fingerprint == body_fingerprint,
                same_author,
            )
        )
    )
    if duplicate:
        signals.append(Signal("duplicate"))
    if site.moderation == "all":
        signals.append(Signal("site_holds_all"))
    approved = bool(
        session.scalar(
            select(
                exists().where(
                    Comment.site_id == site.id, Comment.status == "published", same_author
                )
            )
        )
    )
    trusted = is_trusted(session, site.id, submission.author_email)
    return signals, AuthorStanding(approved=approved, trusted=trusted)


def _decide(
    site: Site, signals: list[Signal], scored: ScoreResult, author: AuthorStanding
) -> Outcome:
    thresholds = None
    if scored.model is not None:
        defaults = scored.model.card["thresholds"]
        thresholds = Thresholds.resolve(
            {
                "toxicity_hold": site.toxicity_hold,
                "spam_hold": site.spam_hold,
                "spam_file": site.spam_file,
            },
            defaults,
        )
    if scored.error:
        signals = [*signals, Signal("model_unavailable", {"error": scored.error[:200]})]
    return decide(
        signals,
        scored.scores,
        thresholds,
        author_approved=author.approved,
        author_trusted=author.trusted,
    )


def submit_comment(
    session: Session,
    submission: Submission,
    client: Client,
    *,
    provider: ModelProvider,
    tokens: FormTokenSettings,
    now: datetime | None = None,
) -> Submitted:
    """Validate against stored state, score, decide and store; the caller commits."""
    now = now or datetime.now(UTC)
    site = get_site(session, submission.site)
    if not origin_allowed(site, client.origin, client.own_origin):
        raise NotAllowed(f"Comments from {client.origin} are not accepted for this site.")
    if submission.idempotency_key:
        earlier = _find_by_idempotency_key(session, site, submission.idempotency_key)
        if earlier is not None:
            return Submitted(earlier, created=False)
    if submission.parent_id is not None:
        # Checked before the thread is created: a reply can only go into an existing thread.
        existing = find_thread(session, site, submission.thread)
        _check_parent(session, submission.parent_id, existing.id if existing else None)

    body_fingerprint = fingerprint(submission.body)
    signals, author = rule_signals(session, site, submission, client, tokens, body_fingerprint)
    serving = provider.serving(session)
    scored = score_with(serving.active, submission.body, serving.error)
    outcome = _decide(site, signals, scored, author)
    shadow: tuple[ModelScores, str] | None = None
    if serving.shadow is not None:
        candidate = score_with(serving.shadow, submission.body)
        if candidate.scores is not None:
            # Same rules and standing, the candidate's scores: what it would have decided.
            shadow = (candidate.scores, _decide(site, signals, candidate, author).status)

    if scored.model is not None:
        ensure_version(session, scored.model)
    thread = get_or_create_thread(
        session,
        site,
        submission.thread,
        title=submission.thread_title,
        url=submission.thread_url,
    )
    comment = Comment(
        site_id=site.id,
        thread_id=thread.id,
        parent_id=submission.parent_id,
        status=outcome.status,
        body_raw=submission.body,
        body_html=render(submission.body),
        renderer_version=RENDERER_VERSION,
        body_fingerprint=body_fingerprint,
        author_name=submission.author_name,
        author_email=submission.author_email,
        author_url=submission.author_url,
        ip_hash=client.ip_hash,
        user_agent=client.user_agent,
        idempotency_key=submission.idempotency_key,
        created_at=now,
        updated_at=now,
        published_at=now if outcome.status == "published" else None,
        toxicity=scored.scores.toxicity if scored.scores else None,
        spam=scored.scores.spam if scored.scores else None,
        model_version=scored.scores.model_version if scored.scores else None,
    )
    try:
        with session.begin_nested():
            session.add(comment)
    except IntegrityError:
        # The same idempotency key won a race in another request: answer with its comment.
        if submission.idempotency_key:
            earlier = _find_by_idempotency_key(session, site, submission.idempotency_key)
            if earlier is not None:
                return Submitted(earlier, created=False)
        raise
    _record(session, comment, outcome, scored, now)
    if shadow is not None:
        shadow_scores, shadow_status = shadow
        session.add(
            CommentScore(
                comment_id=comment.id,
                model_version=shadow_scores.model_version,
                role="shadow",
                toxicity=shadow_scores.toxicity,
                spam=shadow_scores.spam,
                status=shadow_status,
                created_at=now,
            )
        )
    return Submitted(comment, created=True)


def _record(
    session: Session,
    comment: Comment,
    outcome: Outcome,
    scored: ScoreResult,
    now: datetime,
) -> None:
    """Signals, scores and the automatic decision, each naming the model version."""
    if scored.scores is not None:
        session.add(
            CommentScore(
                comment_id=comment.id,
                model_version=scored.scores.model_version,
                role="decision",
                toxicity=scored.scores.toxicity,
                spam=scored.scores.spam,
                status=outcome.status,
                # Moderators look at held comments; published ones are explained on demand.
                explanation=explain(scored.model, comment.body_raw)
                if outcome.status != "published"
                else None,
                created_at=now,
            )
        )
    session.add_all(
        CommentSignal(comment_id=comment.id, name=signal.name, detail=signal.detail)
        for signal in outcome.signals
    )
    session.add(
        Decision.about(
            comment,
            actor="model",
            action={"published": "publish", "pending": "hold", "spam": "file_spam"}[outcome.status],
            to_status=outcome.status,
            from_status=None,
            reason=outcome.reason,
            created_at=now,
        )
    )
    session.flush()
