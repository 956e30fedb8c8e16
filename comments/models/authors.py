"""What moderators decided about authors rather than single comments: bans and trust."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from comments.models.base import Base, BigId, utcnow


class Ban(Base):
    """An author banned on a site, matched by e-mail or by IP hash; lifted, never deleted."""

    __tablename__ = "bans"
    __table_args__ = (
        Index("ix_bans_site_email", "site_id", "email"),
        Index("ix_bans_site_ip_hash", "site_id", "ip_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(String(254))
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    #: The comment that led to the ban, if any.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))


class TrustedAuthor(Base):
    """An author whose comments skip the queue unless the model is very sure."""

    __tablename__ = "trusted_authors"
    __table_args__ = (Index("ix_trusted_authors_site_email", "site_id", "email", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
