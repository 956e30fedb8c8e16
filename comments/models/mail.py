"""E-mail: the outbox of messages to send, and readers' reply subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from comments.models.base import Base, BigId, utcnow

MAIL_STATUSES = ("pending", "sent", "failed")
#: What staff want to hear about waiting comments.
NOTIFY_CHOICES = ("off", "immediate", "hourly", "daily")


class OutboxMail(Base):
    """One message, written in the transaction of the event that causes it and sent after
    the commit by a worker (comments.services.mail.sender); claims are leases, as for webhooks.

    The whole row, recipient included, is deleted MAIL_KEEP_DAYS after it was queued, or
    when the author of the comment it is about (``comment_id``) erases their data.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_mail_outbox_comment_id", "comment_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: What the mail is about (confirm, reply, published, moderation, digest, privacy, notice).
    kind: Mapped[str] = mapped_column(String(32), default="notice")
    to_address: Mapped[str] = mapped_column(String(254))
    #: The comment a confirm, reply, published or moderation mail quotes, so that its author's
    #: erasure deletes the mail; unset for other kinds and for rows queued before 0026. No
    #: foreign key: SQLite cannot add one to an existing table without rebuilding it.
    comment_id: Mapped[int | None] = mapped_column(BigId)
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A worker's claim; once past, another worker may take the mail (the first crashed).
    locked_until: Mapped[datetime | None]
    lock_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class MailSubscription(Base):
    """A reader's wish to hear about replies to one of their comments, by e-mail.

    Only confirmed rows (``confirmed_at`` set, through the signed link mailed to the address)
    receive anything; unsubscribing deletes the row. The thread is kept for exports.
    """

    __tablename__ = "mail_subscriptions"
    __table_args__ = (Index("ix_mail_subscriptions_email", "email"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    #: Replies to this comment are mailed.
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
