"""What readers changed after posting, and the rephrase nudges shown before posting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from comments.models.base import Base, BigId, utcnow

#: How a nudge ended; NULL while the poster may still answer it ("abandoned" once too old).
NUDGE_OUTCOMES = ("edited", "posted_unchanged")


class CommentRevision(Base):
    """A comment as it stood before one of its author's edits, for moderators only.

    The scores, model version and status are those of that text, so a moderator can see what
    the model thought of the words the edit replaced.
    """

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body_raw: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(80), default="")
    toxicity: Mapped[float | None]
    spam: Mapped[float | None]
    model_version: Mapped[str | None] = mapped_column(ForeignKey("model_versions.version"))
    status: Mapped[str] = mapped_column(String(16))
    #: The names of the signals that had fired for that text.
    signals: Mapped[list[str]] = mapped_column(default=list)
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)


class Nudge(Base):
    """A toxic draft the poster was asked to reconsider; its text is never stored.

    ``fingerprint`` is a keyed hash of the normalised text: enough to tell whether the
    resubmission was the same text, useless for recovering it.
    """

    __tablename__ = "nudges"
    __table_args__ = (
        CheckConstraint("outcome IN ('edited', 'posted_unchanged')", name="outcome"),
        Index("ix_nudges_site_created", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: What the widget sends back with its resubmission; random, so nudges cannot be guessed.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    thread_key: Mapped[str] = mapped_column(String(512))
    fingerprint: Mapped[str] = mapped_column(String(64))
    toxicity: Mapped[float]
    #: No foreign key: the nudged comment's transaction, rolled back, may have been the one
    #: registering the version.
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(24))
    resolved_at: Mapped[datetime | None]
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
