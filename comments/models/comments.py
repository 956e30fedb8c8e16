"""Comments and what the service recorded when it decided about them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from comments.models.base import Base, BigId, utcnow

if TYPE_CHECKING:
    from comments.models.sites import Thread

#: Every status a comment can be in; only "published" is ever shown to readers.
STATUSES = ("published", "pending", "spam", "rejected", "deleted")


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(
            "status IN ('published', 'pending', 'spam', 'rejected', 'deleted')", name="status"
        ),
        UniqueConstraint("site_id", "idempotency_key"),
        # A thread page: published comments in order.
        Index("ix_comments_thread_status_id", "thread_id", "status", "id"),
        # What changed in a thread since a watermark, and its newest change (services/listing.py).
        Index("ix_comments_thread_status_updated", "thread_id", "status", "updated_at"),
        # The moderation queues, per site and status, newest or oldest first.
        Index("ix_comments_site_status_created", "site_id", "status", "created_at", "id"),
        # The same across sites, and the queues sorted by score (the expressions must stay
        # those of services/moderation/queue.py for the index to be used); counts by status.
        Index("ix_comments_status_created", "status", "created_at", "id"),
        Index("ix_comments_status_toxicity", "status", text("coalesce(toxicity, -1.0)"), "id"),
        Index("ix_comments_status_spam", "status", text("coalesce(spam, -1.0)"), "id"),
        # An author's history (by e-mail, on every site) and standing; duplicate detection.
        Index("ix_comments_email_site_status", "author_email", "site_id", "status"),
        # The queue's author filter matches the e-mail or the name in any case: with the index
        # above, each side of its OR is a range of an index (migration 0024).
        Index("ix_comments_lower_name_status", text("lower(author_name)"), "status"),
        Index("ix_comments_site_fingerprint", "site_id", "body_fingerprint"),
        Index("ix_comments_ip_hash", "ip_hash"),
        # Ids are never given again, as on PostgreSQL: a deleted comment's id stays in
        # tombstones, open pages, permalinks and webhook receivers (migration 0023).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    body_raw: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: The renderer and sanitiser that produced body_html, so a fix can re-render old rows.
    renderer_version: Mapped[str] = mapped_column(String(64))
    #: sha256 of the case-folded, whitespace-collapsed body: finds exact duplicates.
    body_fingerprint: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(80), default="")
    author_email: Mapped[str | None] = mapped_column(String(254))
    author_url: Mapped[str | None] = mapped_column(String(200))
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    # The scores that decided the current status, copied from comment_scores so the queues
    # can sort and filter by them with an index; NULL when the comment was never scored.
    toxicity: Mapped[float | None]
    spam: Mapped[float | None]
    model_version: Mapped[str | None] = mapped_column(ForeignKey("model_versions.version"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    #: How many times its author extended the edit window (services/edits.py), each by a
    #: fixed step: the deadline is computed from this, so it is stored, not only shown.
    edit_extensions: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")

    thread: Mapped[Thread] = relationship(lazy="raise")
    signals: Mapped[list[CommentSignal]] = relationship(
        back_populates="comment", lazy="raise", cascade="all, delete-orphan"
    )
    scores: Mapped[list[CommentScore]] = relationship(
        back_populates="comment", lazy="raise", cascade="all, delete-orphan"
    )


class CommentSignal(Base):
    """One rule or score check that fired for a comment; all are kept, not only the first."""

    __tablename__ = "comment_signals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[dict[str, Any] | None]

    comment: Mapped[Comment] = relationship(back_populates="signals", lazy="raise")


class CommentScore(Base):
    """Model probabilities for a comment, always with the model version that produced them."""

    __tablename__ = "comment_scores"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    model_version: Mapped[str] = mapped_column(ForeignKey("model_versions.version"), index=True)
    #: "decision" scores decided the comment; "shadow" scores came from a candidate model.
    role: Mapped[str] = mapped_column(String(16), default="decision")
    toxicity: Mapped[float]
    spam: Mapped[float]
    #: The status these scores led to ("decision") or would have led to ("shadow").
    status: Mapped[str | None] = mapped_column(String(16))
    explanation: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="scores", lazy="raise")


class CommentTombstone(Base):
    """A comment readers were shown here, since deleted outright (a privacy erasure in
    ``remove`` mode, a retention purge): its id and thread only, so an open page still hears
    that it is gone (services/listing.py). Pruned after TOMBSTONE_DAYS by the purge, which
    notes on the thread from when it knows its withdrawals (tombstones_pruned_before)."""

    __tablename__ = "comment_tombstones"
    __table_args__ = (
        # The withdrawals of a thread since a watermark: a range, as for its comments.
        Index("ix_comment_tombstones_thread_deleted", "thread_id", "deleted_at"),
    )

    #: The deleted comment's id; no foreign key, since the comment is gone.
    comment_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
