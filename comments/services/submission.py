"""A reader's comment, from validated input to a stored, scored and decided row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, String, Table, and_, bindparam, exists, false, or_, select
from sqlalchemy.orm import Session, make_transient_to_detached

from comments.errors import FieldErrors, NotAllowed
from comments.models import (
    Ban,
    Comment,
    ModelVersion,
    Site,
    Thread,
    TrustedAuthor,
)
from comments.policy import ModelScores, Outcome, Signal
from comments.rendering import RENDERER_VERSION, render
from comments.rules import check_honeypot
from comments.services import form_tokens, webhooks
from comments.services.deciding import content_signals, decide_for_site
from comments.services.mail import notifications
from comments.services.moderation.authors import matching_bans
from comments.services.origins import origin_allowed, page_url_allowed
from comments.services.privacy.keys import BanKeys
from comments.services.recording import insert_comment, record_decision
from comments.services.registry import ensure_version
from comments.services.scoring import ModelProvider, ScoreResult, score_with
from comments.services.threads import (
    comment_posted,
    get_or_create_thread,
    is_closed,
    thread_closed,
    unknown_site,
)
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
    #: E-mail the author replies to this comment, once they confirm (services.mail).
    notify_replies: bool = False


@dataclass(frozen=True, slots=True)
class Client:
    ip_hash: str
    user_agent: str
    #: The browser's Origin header, if any, and the service's own origin.
    origin: str | None = None
    own_origin: str | None = None
    #: PUBLIC_URL, if set: the service's own origin as configured, not as a Host header says.
    public_url: str | None = None
    #: Every value a ban of this author may hold (previous IP hash keys, erased addresses);
    #: None: the e-mail and ip_hash as given.
    ban_keys: BanKeys | None = None

    def bans_match(self, email: str | None) -> BanKeys:
        return self.ban_keys or BanKeys.of(email, self.ip_hash)


@dataclass(frozen=True, slots=True)
class FormTokenSettings:
    secret_key: str
    max_age: int


@dataclass(frozen=True, slots=True)
class Submitted:
    comment: Comment
    #: False when an idempotency key matched an earlier submission, which is returned instead.
    created: bool
    site: Site


@dataclass(frozen=True, slots=True)
class Known:
    """What the database holds about a submission: its site and what the rules ask."""

    site: Site
    #: The comment stored earlier under the same idempotency key, if any.
    earlier_id: int | None
    thread_id: int | None
    #: Staff's word on the thread (Thread.closed) and when its first comment came: with the
    #: site's close_after_days, whether it takes new comments (threads.is_closed).
    thread_closed: bool | None
    thread_created_at: datetime | None
    #: The thread exists but lacks a title or URL, which this submission may fill in.
    thread_incomplete: bool
    banned: bool
    duplicate: bool
    #: The author has a published comment on the site.
    approved: bool
    trusted: bool
    #: The serving model's version already has its row in model_versions.
    version_known: bool


_SITES = cast(Table, Site.__table__)
_SITE_KEYS = tuple(column.key for column in _SITES.c)


@lru_cache(maxsize=64)
def _known_statement(by_email: bool, ban_emails: int, ban_ip_hashes: int) -> Select[Any]:
    """The site's columns, its thread's (an outer join: NULLs for a thread not created yet)
    and every lookup of a submission in one SELECT, so one round trip.

    Plain columns rather than the Site entity, and one statement per author key (e-mail, else
    IP hash) and number of ban values, so nothing is recompiled or expanded per request; NULL
    parameters match nothing, as the separate queries skipped lookups for missing values.
    """
    email, ip_hash = bindparam("email", type_=String), bindparam("ip_hash", type_=String)
    same_author = Comment.author_email == email if by_email else Comment.ip_hash == ip_hash
    in_site = Comment.site_id == Site.id
    banned = [Ban.email == bindparam(f"ban_email_{i}") for i in range(ban_emails)]
    banned += [Ban.ip_hash == bindparam(f"ban_ip_hash_{i}") for i in range(ban_ip_hashes)]
    incomplete = or_(Thread.title == "", Thread.url.is_(None), Thread.url == "")
    return (
        select(
            *_SITES.c,
            select(Comment.id)
            .where(in_site, Comment.idempotency_key == bindparam("key"))
            .scalar_subquery(),
            # The thread's columns, NULL (and not incomplete) when it does not exist yet.
            Thread.id,
            Thread.closed,
            Thread.created_at,
            and_(Thread.id.is_not(None), incomplete),
            exists().where(Ban.site_id == Site.id, Ban.lifted_at.is_(None), or_(false(), *banned)),
            exists().where(
                in_site, Comment.body_fingerprint == bindparam("fingerprint"), same_author
            ),
            exists().where(in_site, Comment.status == "published", same_author),
            exists().where(TrustedAuthor.site_id == Site.id, TrustedAuthor.email == email),
            exists().where(ModelVersion.version == bindparam("version")),
        )
        .outerjoin(Thread, and_(Thread.site_id == Site.id, Thread.key == bindparam("thread")))
        .where(Site.name == bindparam("site"))
    )


#: Per site id: its columns as last read, and a detached Site built from them.
_site_snapshots: dict[int, tuple[tuple[Any, ...], Site]] = {}


def _site_from(values: tuple[Any, ...]) -> Site:
    """The site as this request read it; the object is reused while its row is unchanged.

    Building an ORM object per request cost more than the query; it is never added to a
    session, so no request can change the shared copy.
    """
    cached = _site_snapshots.get(values[0])
    if cached is not None and cached[0] == values:
        return cached[1]
    site = Site(**dict(zip(_SITE_KEYS, values, strict=True)))
    make_transient_to_detached(site)
    _site_snapshots[site.id] = (values, site)
    return site


def look_up(
    session: Session,
    submission: Submission,
    client: Client,
    body_fingerprint: str,
    version: str | None,
) -> Known:
    """Everything submit_comment reads before it writes; 422 for an unknown site."""
    bans = client.bans_match(submission.author_email)
    parameters = {
        "site": submission.site,
        "key": submission.idempotency_key,
        "thread": submission.thread,
        "email": submission.author_email or None,
        "ip_hash": client.ip_hash or None,
        "fingerprint": body_fingerprint,
        "version": version,
    }
    parameters.update({f"ban_email_{i}": value for i, value in enumerate(bans.emails)})
    parameters.update({f"ban_ip_hash_{i}": value for i, value in enumerate(bans.ip_hashes)})
    statement = _known_statement(
        bool(submission.author_email), len(bans.emails), len(bans.ip_hashes)
    )
    row = session.connection().execute(statement, parameters).one_or_none()
    if row is None:
        raise unknown_site(submission.site)
    site = _site_from(tuple(row[: len(_SITE_KEYS)]))
    earlier_id, thread_id, closed, created_at, *flags = row[len(_SITE_KEYS) :]
    return Known(site, earlier_id, thread_id, closed, created_at, *map(bool, flags))


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
    body_html: str,
) -> list[Signal]:
    """Every rule that fires; ``body_html`` is the body as rendered."""
    site = known.site
    signals = check_honeypot(submission.honeypot)
    if known.banned:  # rare: only then are the bans themselves read, for their ids
        bans = matching_bans(session, site.id, client.bans_match(submission.author_email))
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
    signals += content_signals(
        site, submission.body, body_html, submission.author_name, submission.author_url or ""
    )
    if known.duplicate:
        signals.append(Signal("duplicate"))
    return signals


def _decide(known: Known, signals: list[Signal], scored: ScoreResult) -> Outcome:
    return decide_for_site(
        known.site,
        signals,
        scored,
        author_approved=known.approved,
        author_trusted=known.trusted,
    )


def _replayed(
    earlier: Comment, submission: Submission, body_fingerprint: str, site: Site
) -> Submitted:
    """The comment stored under this idempotency key, if this is a retry of it: the same text
    from the same e-mail. The answer carries the comment's edit token, so a key alone must not
    fetch it: the widget sends a new key whenever the reader changes the comment, and a
    different comment under a used key is refused rather than answered with someone's token.
    """
    same_text = earlier.body_fingerprint == body_fingerprint
    if not same_text or (earlier.author_email or None) != (submission.author_email or None):
        raise FieldErrors(
            {"idempotency_key": ["Already used for another comment: send a new key with it."]}
        )
    return Submitted(earlier, created=False, site=site)


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
            return _replayed(earlier, submission, body_fingerprint, site)
    # After the replay: a retry of a comment stored before the thread closed gets its answer.
    if is_closed(known.thread_closed, known.thread_created_at, site.close_after_days, now):
        raise thread_closed()
    if submission.parent_id is not None:
        # A reply can only go into an existing thread.
        _check_parent(session, submission.parent_id, known.thread_id)

    signals = rule_signals(session, submission, client, tokens, known, body_html)
    outcome = _decide(known, signals, scored)
    shadow: tuple[ModelScores, str] | None = None
    if candidate is not None and candidate.scores is not None:
        # Same rules and standing, the candidate's scores: what it would have decided.
        shadow = (candidate.scores, _decide(known, signals, candidate).status)

    if scored.model is not None and not (known.version_known and scored.model is serving.active):
        ensure_version(session, scored.model)
    thread_id = known.thread_id
    thread_url, thread_title = submission.thread_url, submission.thread_title
    if thread_url and not page_url_allowed(site, thread_url, client.public_url):
        # Dropped, not refused: a page's canonical link may point elsewhere. The title sent
        # with it goes too: it names that page, or it is a forger's, who sent both.
        thread_url, thread_title = None, ""
    if thread_id is None or (known.thread_incomplete and (thread_title or thread_url)):
        thread_id = get_or_create_thread(
            session,
            site,
            submission.thread,
            title=thread_title,
            url=thread_url,
        ).id
    comment = insert_comment(
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
            # Given, not left to the column's default: the answer reads it, and an attribute
            # the INSERT did not set would be loaded by a SELECT in a second transaction.
            "edit_extensions": 0,
        },
    )
    if comment is None:
        # The same idempotency key won a race in another request: answer with its comment.
        key = Comment.idempotency_key == submission.idempotency_key
        earlier = session.scalar(select(Comment).where(Comment.site_id == site.id, key))
        assert earlier is not None, "a conflicting insert leaves its comment behind"
        return _replayed(earlier, submission, body_fingerprint, site)
    record_decision(session, comment, outcome, scored, shadow, now)
    webhooks.record_comment_events(session, comment, site.name, submission.thread)
    notifications.comment_submitted(session, comment, submission.notify_replies)
    if known.thread_id is not None:
        # Last, so concurrent comments on the thread wait on its row the shortest time; a new
        # thread's last comment is this one already (set as it was created).
        comment_posted(session, thread_id, now)
    return Submitted(comment, created=True, site=site)
