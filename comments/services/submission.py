"""A reader's comment, from validated input to a stored, scored and decided row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Insert, Select, String, Table, and_, bindparam, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from comments.errors import FieldErrors, NotAllowed
from comments.models import (
    Ban,
    Base,
    Comment,
    CommentScore,
    CommentSignal,
    Decision,
    ModelVersion,
    Site,
    Thread,
    TrustedAuthor,
)
from comments.policy import ModelScores, Outcome, Signal, Thresholds, decide
from comments.rendering import RENDERER_VERSION, render
from comments.rules import check_honeypot, check_links, check_words
from comments.services import form_tokens, webhooks
from comments.services.moderation.authors import active_bans
from comments.services.origins import origin_allowed
from comments.services.registry import ensure_version
from comments.services.scoring import ModelProvider, ScoreResult, explain, score_with
from comments.services.threads import get_or_create_thread, unknown_site
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


@dataclass(frozen=True, slots=True)
class Known:
    """What the database holds about a submission: its site and what the rules ask."""

    site: Site
    #: The comment stored earlier under the same idempotency key, if any.
    earlier_id: int | None
    thread_id: int | None
    #: The thread exists but lacks a title or URL, which this submission may fill in.
    thread_incomplete: bool
    banned: bool
    duplicate: bool
    #: The author has a published comment on the site.
    approved: bool
    trusted: bool
    #: The serving model's version already has its row in model_versions.
    version_known: bool


def _known_statement(by_email: bool) -> Select[Any]:
    """The site and every lookup of a submission in one SELECT, so one round trip.

    Built once per author key (e-mail, else IP hash) with bound parameters; NULL parameters
    match nothing, as the separate queries skipped lookups for missing values.
    """
    email, ip_hash = bindparam("email", type_=String), bindparam("ip_hash", type_=String)
    same_author = Comment.author_email == email if by_email else Comment.ip_hash == ip_hash
    in_site = Comment.site_id == Site.id
    thread = and_(Thread.site_id == Site.id, Thread.key == bindparam("thread"))
    return select(
        Site,
        select(Comment.id)
        .where(in_site, Comment.idempotency_key == bindparam("key"))
        .scalar_subquery(),
        select(Thread.id).where(thread).scalar_subquery(),
        exists().where(thread, or_(Thread.title == "", Thread.url.is_(None), Thread.url == "")),
        exists().where(
            Ban.site_id == Site.id,
            Ban.lifted_at.is_(None),
            or_(Ban.email == email, Ban.ip_hash == ip_hash),
        ),
        exists().where(in_site, Comment.body_fingerprint == bindparam("fingerprint"), same_author),
        exists().where(in_site, Comment.status == "published", same_author),
        exists().where(TrustedAuthor.site_id == Site.id, TrustedAuthor.email == email),
        exists().where(ModelVersion.version == bindparam("version")),
    ).where(Site.name == bindparam("site"))


_KNOWN = {True: _known_statement(True), False: _known_statement(False)}


def look_up(
    session: Session,
    submission: Submission,
    client: Client,
    body_fingerprint: str,
    version: str | None,
) -> Known:
    """Everything submit_comment reads before it writes; 422 for an unknown site."""
    row = session.execute(
        _KNOWN[bool(submission.author_email)],
        {
            "site": submission.site,
            "key": submission.idempotency_key,
            "thread": submission.thread,
            "email": submission.author_email or None,
            "ip_hash": client.ip_hash or None,
            "fingerprint": body_fingerprint,
            "version": version,
        },
    ).one_or_none()
    if row is None:
        raise unknown_site(submission.site)
    site, earlier_id, thread_id, *flags = row
    return Known(site, earlier_id, thread_id, *map(bool, flags))


def _check_parent(session: Session, parent_id: int, thread_id: int | None) -> None:
    parent = session.get(Comment, parent_id)
    if parent is None or parent.status != "published" or parent.thread_id != thread_id:
        raise FieldErrors({"parent_id": ["Not a published comment of this thread."]})


def rule_signals(
    session: Session,
    submission: Submission,
    client: Client,
    tokens: FormTokenSettings,
    known: Known,
) -> list[Signal]:
    """Every rule that fires."""
    site = known.site
    signals = check_honeypot(submission.honeypot)
    if known.banned:  # rare: only then are the bans themselves read, for their ids
        bans = active_bans(session, site.id, submission.author_email, client.ip_hash)
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
    if known.duplicate:
        signals.append(Signal("duplicate"))
    if site.moderation == "all":
        signals.append(Signal("site_holds_all"))
    return signals


def _decide(known: Known, signals: list[Signal], scored: ScoreResult) -> Outcome:
    site = known.site
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
        author_approved=known.approved,
        author_trusted=known.trusted,
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
    """Validate against stored state, score, decide and store; the caller commits.

    Scoring and rendering come first: on SQLite a writing request holds the database's write
    lock from its first query on, so CPU spent before it does not make the other workers wait.
    Reads then take one round trip (``look_up``), and the comment and its record one statement
    per table: every query costs a round trip and ORM bookkeeping on every submission.
    """
    now = now or datetime.now(UTC)
    serving = provider.serving(session)  # reads the database only every few seconds
    scored = score_with(serving.active, submission.body, serving.error)
    candidate = score_with(serving.shadow, submission.body) if serving.shadow else None
    body_html = render(submission.body)
    body_fingerprint = fingerprint(submission.body)
    known = look_up(
        session,
        submission,
        client,
        body_fingerprint,
        serving.active.version if serving.active is not None else None,
    )
    site = known.site
    if not origin_allowed(site, client.origin, client.own_origin):
        raise NotAllowed(f"Comments from {client.origin} are not accepted for this site.")
    if known.earlier_id is not None:
        earlier = session.get(Comment, known.earlier_id)
        if earlier is not None:
            return Submitted(earlier, created=False)
    if submission.parent_id is not None:
        # A reply can only go into an existing thread.
        _check_parent(session, submission.parent_id, known.thread_id)

    signals = rule_signals(session, submission, client, tokens, known)
    outcome = _decide(known, signals, scored)
    shadow: tuple[ModelScores, str] | None = None
    if candidate is not None and candidate.scores is not None:
        # Same rules and standing, the candidate's scores: what it would have decided.
        shadow = (candidate.scores, _decide(known, signals, candidate).status)

    if scored.model is not None and not (known.version_known and scored.model is serving.active):
        ensure_version(session, scored.model)
    thread_id = known.thread_id
    if thread_id is None or (
        known.thread_incomplete and (submission.thread_title or submission.thread_url)
    ):
        thread_id = get_or_create_thread(
            session,
            site,
            submission.thread,
            title=submission.thread_title,
            url=submission.thread_url,
        ).id
    comment = _insert_comment(
        session,
        {
            "site_id": site.id,
            "thread_id": thread_id,
            "parent_id": submission.parent_id,
            "status": outcome.status,
            "body_raw": submission.body,
            "body_html": body_html,
            "renderer_version": RENDERER_VERSION,
            "body_fingerprint": body_fingerprint,
            "author_name": submission.author_name,
            "author_email": submission.author_email,
            "author_url": submission.author_url,
            "ip_hash": client.ip_hash,
            "user_agent": client.user_agent,
            "idempotency_key": submission.idempotency_key,
            "created_at": now,
            "updated_at": now,
            "published_at": now if outcome.status == "published" else None,
            "toxicity": scored.scores.toxicity if scored.scores else None,
            "spam": scored.scores.spam if scored.scores else None,
            "model_version": scored.scores.model_version if scored.scores else None,
        },
    )
    if comment is None:
        # The same idempotency key won a race in another request: answer with its comment.
        key = Comment.idempotency_key == submission.idempotency_key
        earlier = session.scalar(select(Comment).where(Comment.site_id == site.id, key))
        assert earlier is not None, "a conflicting insert leaves its comment behind"
        return Submitted(earlier, created=False)
    _record(session, comment, outcome, scored, shadow, now)
    webhooks.record_comment_events(session, comment, site.name, submission.thread)
    return Submitted(comment, created=True)


_COMMENTS = cast(Table, Comment.__table__)
_AUTOMATIC_ACTIONS = {"published": "publish", "pending": "hold", "spam": "file_spam"}
#: INSERT ... ON CONFLICT (site, idempotency key) DO NOTHING RETURNING id, per dialect.
_COMMENT_INSERTS: dict[str, Insert] = {
    name: insert_into(_COMMENTS)
    .on_conflict_do_nothing(index_elements=["site_id", "idempotency_key"])
    .returning(_COMMENTS.c.id)
    for name, insert_into in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def _insert_comment(session: Session, values: dict[str, Any]) -> Comment | None:
    """Insert the comment in one statement; None when its idempotency key was taken meanwhile.

    Replaces a savepoint, an ORM flush and the savepoint's release; the row is then attached
    to the session as if loaded, so callers get a persistent Comment as before.
    """
    statement = _COMMENT_INSERTS[session.get_bind().dialect.name]
    comment_id = session.connection().execute(statement, values).scalar()
    if comment_id is None:
        return None
    comment = Comment(id=comment_id, **values)
    make_transient_to_detached(comment)
    session.add(comment)
    return comment


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """INSERT rows in one Core statement: no model objects, no unit of work (column defaults
    such as created_at still apply)."""
    if rows:
        session.connection().execute(cast(Table, model.__table__).insert(), rows)


def _record(
    session: Session,
    comment: Comment,
    outcome: Outcome,
    scored: ScoreResult,
    shadow: tuple[ModelScores, str] | None,
    now: datetime,
) -> None:
    """Scores, signals and the automatic decision, each naming the model version, then a
    shadow model's scores; one INSERT per row kind."""
    scores: list[dict[str, Any]] = []
    if scored.scores is not None:
        held = outcome.status != "published"
        scores.append(
            {
                "comment_id": comment.id,
                "model_version": scored.scores.model_version,
                "role": "decision",
                "toxicity": scored.scores.toxicity,
                "spam": scored.scores.spam,
                "status": outcome.status,
                # Moderators look at held comments; published ones are explained on demand.
                "explanation": explain(scored.model, comment.body_raw) if held else None,
                "created_at": now,
            }
        )
    if shadow is not None:
        candidate, status = shadow
        scores.append(
            {
                "comment_id": comment.id,
                "model_version": candidate.model_version,
                "role": "shadow",
                "toxicity": candidate.toxicity,
                "spam": candidate.spam,
                "status": status,
                "explanation": None,
                "created_at": now,
            }
        )
    _insert(session, CommentScore, scores)
    _insert(
        session,
        CommentSignal,
        [
            {"comment_id": comment.id, "name": signal.name, "detail": signal.detail}
            for signal in outcome.signals
        ],
    )
    _insert(
        session,
        Decision,
        [
            {
                "comment_id": comment.id,
                "actor": "model",
                "staff_id": None,
                "model_version": comment.model_version,
                "action": _AUTOMATIC_ACTIONS[outcome.status],
                "toxicity": comment.toxicity,
                "spam": comment.spam,
                "from_status": None,
                "to_status": outcome.status,
                "reason": outcome.reason,
                "note": "",
                "created_at": now,
            }
        ],
    )
