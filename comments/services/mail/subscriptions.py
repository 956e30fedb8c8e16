"""Readers' reply subscriptions: opt-in with the comment, confirmed by a mailed link.

A subscription covers replies to one comment (the reader's own); each is confirmed on its
own, so an address typed by someone else receives one confirmation mail and nothing more.
Unsubscribing deletes the row. Export and erasure find rows by ``email``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from comments.models import Comment, MailSubscription, Thread
from comments.services.mail import links
from comments.services.mail.outbox import queue_mail
from comments.services.mail.texts import excerpt, quoted_name, render, thread_name


def subscribe(session: Session, comment: Comment, now: datetime | None = None) -> MailSubscription:
    """A pending subscription to replies to ``comment`` and the mail that confirms it."""
    assert comment.author_email, "only an author who gave an address can subscribe"
    subscription = MailSubscription(
        email=comment.author_email,
        site_id=comment.site_id,
        thread_id=comment.thread_id,
        comment_id=comment.id,
        created_at=(now or datetime.now(UTC)).replace(microsecond=0),
    )
    session.add(subscription)
    session.flush()
    thread = session.get(Thread, comment.thread_id)
    title = quoted_name(thread)
    url = links.confirm_url(subscription)
    queue_mail(
        session,
        to=subscription.email,
        subject=f"Confirm: e-mail me replies to my comment on {title}",
        text=render(
            "confirm",
            title=title,
            url=url,
            excerpt=excerpt(comment.body_html),
        ),
        kind="confirm",
        comment_id=comment.id,
    )
    return subscription


def _matching(session: Session, key: tuple[int, int]) -> MailSubscription | None:
    subscription_id, created = key
    found = session.get(MailSubscription, subscription_id)
    if found is None or int(found.created_at.timestamp()) != created:
        return None
    return found


def confirmable(session: Session, token: str) -> MailSubscription | None:
    """The subscription a confirmation link names; None if it was deleted meanwhile.

    Raises links.InvalidLink for a tampered or expired link."""
    return _matching(session, links.read_confirm(token))


def confirm(session: Session, subscription: MailSubscription) -> bool:
    """Mark confirmed (once); True if this call confirmed it."""
    if subscription.confirmed_at is not None:
        return False
    subscription.confirmed_at = datetime.now(UTC)
    return True


def page_name(session: Session, subscription: MailSubscription) -> str:
    """The page the subscribed comment is on, as the mails name it: a reader subscribed on
    several pages learns which one a confirm or unsubscribe page is about (never the address)."""
    return thread_name(session.get(Thread, subscription.thread_id))


def unsubscribable(session: Session, token: str) -> MailSubscription | None:
    """The subscription an unsubscribe link names; None once it is gone."""
    return _matching(session, links.read_unsubscribe(token))


def unsubscribe(session: Session, subscription: MailSubscription) -> None:
    session.delete(subscription)


def confirmed_for(session: Session, comment_ids: list[int]) -> list[MailSubscription]:
    """Confirmed subscriptions to replies to these comments."""
    query = select(MailSubscription).where(
        MailSubscription.comment_id.in_(comment_ids), MailSubscription.confirmed_at.is_not(None)
    )
    return list(session.scalars(query))


def for_address(session: Session, email: str) -> list[MailSubscription]:
    """Every subscription of an address (for a reader's export)."""
    query = select(MailSubscription).where(MailSubscription.email == email.lower())
    return list(session.scalars(query.order_by(MailSubscription.id)))


def erase_address(session: Session, email: str) -> int:
    """Delete every subscription of an address (a reader's erasure); answers how many."""
    result = session.execute(
        delete(MailSubscription).where(MailSubscription.email == email.lower()),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)
