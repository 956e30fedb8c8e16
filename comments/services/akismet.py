"""Akismet's questions answered by the site's own rules and our models.

A comment sent by an Akismet client goes through the same rules, scores and site thresholds as
one posted from the widget (``comments.policy.decide``); only the answer differs, because
Akismet knows two outcomes where we know three:

- **spam** (``true``): the policy files the comment as spam, or holds it because of one of the
  site's own rules (a blocked word, too many links). Akismet has no "hold for a moderator",
  and the platform's spam folder is where its moderators look at what Akismet flagged.
- **discard** (``X-akismet-pro-tip: discard``): spam from a banned author, a filled honeypot,
  or a spam score at least halfway from the site's ``spam_file`` threshold to certainty.
- **ham** (``false``): everything else, including comments held only for their toxicity
  score or a spam score below ``spam_file`` (the verdict says so, for platforms that look).

Nothing is stored for comment-check. submit-spam and submit-ham become labelled examples of
the key's site (``source="akismet"``) with what else the platform sent, the IP as its hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from comments.models import Comment, LabelledExample, Site
from comments.network import hash_ip, parse_address
from comments.policy import Signal
from comments.rendering import render
from comments.rules import check_honeypot
from comments.services.deciding import content_signals, decide_for_site, site_thresholds
from comments.services.moderation.authors import is_trusted, matching_bans
from comments.services.privacy.keys import ban_keys
from comments.services.scoring import ModelProvider, score_with

#: Akismet's documented test values.
TEST_SPAM_AUTHOR = "akismet-guaranteed-spam"
TEST_SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
TEST_HAM_ROLE = "administrator"
#: Required by every call but verify-key, in the order Akismet reports them.
REQUIRED_FIELDS = ("blog", "user_ip")
#: Holding rules of the site that answer "spam": the site's owner said "not without review".
RULE_HOLDS = frozenset({"blocked_word", "too_many_links", "commercial_terms"})
#: Spam signals no real reader produces, so the platform may drop the comment unseen.
BLATANT_SIGNALS = frozenset({"author_banned", "honeypot_filled"})
#: usage-limit's answer, in the shape Akismet gives an unlimited plan (``"limit": "none"``): no
#: key has a monthly limit and no monthly count is kept, so none is used or throttled.
UNLIMITED_USAGE: dict[str, Any] = {
    "limit": "none",
    "usage": 0,
    "percentage": "0.00",
    "throttled": False,
}


@dataclass(frozen=True, slots=True)
class AkismetComment:
    """What an Akismet client sent about one comment, cleaned (``schemas.akismet``)."""

    blog: str = ""
    user_ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    permalink: str = ""
    comment_type: str = ""
    comment_author: str = ""
    comment_author_email: str = ""
    comment_author_url: str = ""
    comment_content: str = ""
    #: Tags, categories... of the page commented on (WordPress: the post's), in the order sent.
    comment_context: tuple[str, ...] = ()
    comment_date_gmt: str = ""
    comment_post_modified_gmt: str = ""
    blog_lang: str = ""
    blog_charset: str = ""
    #: As sent; WordPress joins a user's roles with commas (``administrator,bbp_keymaster``).
    user_role: str = ""
    recheck_reason: str = ""
    honeypot_field_name: str = ""
    honeypot_value: str = ""
    #: Akismet's "do not learn from this call".
    is_test: bool = False

    def roles(self) -> frozenset[str]:
        """Each role in ``user_role``, lower-cased."""
        return frozenset(role.strip().lower() for role in self.user_role.split(","))

    def context(self, ip_hash: str) -> dict[str, Any]:
        """Every field sent, except the text itself and the raw IP, which becomes its hash."""
        fields = asdict(self)
        del fields["user_ip"], fields["comment_content"], fields["is_test"]
        fields["comment_context"] = list(self.comment_context)
        return {"user_ip_hash": ip_hash} | {name: value for name, value in fields.items() if value}


@dataclass(frozen=True, slots=True)
class Verdict:
    spam: bool
    #: Blatant spam the platform may discard without showing anyone.
    discard: bool
    #: What the widget path would have done: published, pending or spam.
    status: str
    #: The signals behind it, comma-separated (names only, nothing personal).
    reason: str


class ModelUnavailable(Exception):
    """No model could score the comment and no rule decided it: ask the platform to retry."""


def missing_field(comment: AkismetComment) -> str | None:
    """The first required field the call lacks, as Akismet names it."""
    return next((name for name in REQUIRED_FIELDS if not getattr(comment, name)), None)


def ip_hash(user_ip: str, key: bytes) -> str:
    """The IP's hash as the widget path stores it, so bans by IP match either way."""
    return hash_ip(_address(user_ip), key)


def blatant_threshold(spam_file: float) -> float:
    """Halfway from the site's filing threshold to certainty: a clear margin at any setting."""
    return spam_file + (1.0 - spam_file) / 2


def _address(user_ip: str) -> str:
    address = parse_address(user_ip)
    return str(address) if address is not None else user_ip.strip()


def _rule_signals(
    session: Session, site: Site, comment: AkismetComment, ip_keys: Sequence[bytes]
) -> list[Signal]:
    """The widget's rules on Akismet's fields; form tokens and duplicates do not apply."""
    email = comment.comment_author_email or None
    signals = check_honeypot(comment.honeypot_value)
    keys = ban_keys(email, _address(comment.user_ip), ip_keys)
    bans = matching_bans(session, site.id, keys)
    if bans:
        signals.append(Signal("author_banned", {"bans": [ban.id for ban in bans]}))
    signals += content_signals(
        site,
        comment.comment_content,
        render(comment.comment_content),
        comment.comment_author,
        comment.comment_author_url,
    )
    return signals


def _author_approved(session: Session, site: Site, email: str, hashed_ip: str) -> bool:
    """The author has a published comment on the site: by e-mail, else by address, as on the
    widget path."""
    same_author = Comment.author_email == email if email else Comment.ip_hash == hashed_ip
    published = exists().where(
        Comment.site_id == site.id, same_author, Comment.status == "published"
    )
    return bool(session.scalar(select(published)))


def check_comment(
    session: Session,
    site: Site,
    comment: AkismetComment,
    *,
    provider: ModelProvider,
    ip_keys: Sequence[bytes],
) -> Verdict:
    """Decide like the widget path, then answer in Akismet's terms (module docstring)."""
    if (
        comment.comment_author == TEST_SPAM_AUTHOR
        or comment.comment_author_email == TEST_SPAM_EMAIL
    ):
        return Verdict(spam=True, discard=False, status="spam", reason="akismet_test_spam")
    if TEST_HAM_ROLE in comment.roles():
        return Verdict(spam=False, discard=False, status="published", reason="administrator")

    hashed_ip = ip_hash(comment.user_ip, ip_keys[0])
    signals = _rule_signals(session, site, comment, ip_keys)
    serving = provider.serving(session)
    scored = score_with(serving.active, comment.comment_content, serving.error)
    email = comment.comment_author_email
    outcome = decide_for_site(
        site,
        signals,
        scored,
        author_approved=_author_approved(session, site, email, hashed_ip),
        author_trusted=is_trusted(session, site.id, email or None),
    )
    thresholds = site_thresholds(site, scored)
    if scored.error and outcome.status != "spam":
        raise ModelUnavailable(scored.error)

    names = {signal.name for signal in outcome.signals}
    spam = outcome.status == "spam" or (outcome.status == "pending" and bool(names & RULE_HOLDS))
    blatant = bool(names & BLATANT_SIGNALS) or (
        scored.scores is not None
        and thresholds is not None
        and scored.scores.spam >= blatant_threshold(thresholds.spam_file)
    )
    return Verdict(
        spam=spam,
        discard=outcome.status == "spam" and blatant,
        status=outcome.status,
        reason=outcome.reason,
    )


def learn(
    session: Session,
    site: Site,
    comment: AkismetComment,
    *,
    spam: bool,
    ip_key: bytes,
    now: datetime | None = None,
) -> LabelledExample | None:
    """submit-spam / submit-ham as a labelled example of the site; None when there is nothing
    to learn: a test call (``is_test``) or no text (training needs one)."""
    if comment.is_test or not comment.comment_content:
        return None
    example = LabelledExample(
        site_id=site.id,
        text=comment.comment_content,
        toxic=None,
        spam=spam,
        reason="submit-spam" if spam else "submit-ham",
        source="akismet",
        context=comment.context(ip_hash(comment.user_ip, ip_key)),
        created_at=now or datetime.now(UTC),
    )
    session.add(example)
    session.flush()
    return example
