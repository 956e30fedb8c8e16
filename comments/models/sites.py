"""Sites embed the widget; threads are the pages comments hang from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from comments.models.base import Base, BigId, utcnow

MODERATION_MODES = ("auto", "all")


class Site(Base):
    """A website using the service, with its own origins, thresholds and word lists."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    allowed_origins: Mapped[list[str]] = mapped_column(default=list)
    #: "auto": the policy decides; "all": every comment waits for a moderator.
    moderation: Mapped[str] = mapped_column(String(16), default="auto")
    # Per-site thresholds; NULL means "use the active model's evaluated default".
    toxicity_hold: Mapped[float | None]
    spam_hold: Mapped[float | None]
    spam_file: Mapped[float | None]
    blocked_words: Mapped[list[str]] = mapped_column(default=list)
    blocked_domains: Mapped[list[str]] = mapped_column(default=list)
    max_links: Mapped[int] = mapped_column(default=3)
    #: Hold a comment that links somewhere and uses commercial spam's words (commercial_terms).
    hold_commercial_terms: Mapped[bool] = mapped_column(default=True)
    require_form_token: Mapped[bool] = mapped_column(default=False)
    min_form_seconds: Mapped[int] = mapped_column(default=3)
    edit_window_seconds: Mapped[int] = mapped_column(default=900)
    #: Threads whose first comment is older than this many days take no new comments; 0: never.
    close_after_days: Mapped[int] = mapped_column(default=0)
    #: How the thresholds were last calibrated: model version, targets, data, achieved figures.
    calibration: Mapped[dict[str, Any] | None]
    #: What erasing an author does here: "anonymise" (keep the text) or "remove" the comments.
    erasure: Mapped[str] = mapped_column(String(16), default="anonymise")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    threads: Mapped[list[Thread]] = relationship(back_populates="site", lazy="raise")


class Thread(Base):
    """One commented page, identified within its site by a page key or URL path."""

    __tablename__ = "threads"
    __table_args__ = (
        UniqueConstraint("site_id", "key"),
        # A site's threads, the most recently commented first, a page at a time (keyset).
        Index("ix_threads_site_last_comment", "site_id", "last_comment_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(300), default="")
    #: When its first comment was posted (the thread is created by it).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Staff's word on new comments: True closed, False open even past the site's
    #: close_after_days, None (unset) as that setting says.
    closed: Mapped[bool | None]
    #: Tombstones of its comments deleted before this time were pruned (tombstones.prune):
    #: a page whose watermark is older may have missed a deletion, and is told to read again.
    tombstones_pruned_before: Mapped[datetime | None]
    #: When its newest comment was posted (any status; one deleted outright no longer counts,
    #: threads.comments_deleted), or its making without any: kept here so listing a site's
    #: threads reads a page of them, not all their comments.
    last_comment_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When staff last set ``closed`` and who (None: from the command line, or never).
    closed_changed_at: Mapped[datetime | None]
    closed_changed_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL")
    )

    site: Mapped[Site] = relationship(back_populates="threads", lazy="joined")


class SiteSettingChange(Base):
    """One setting of a site changed: from what, to what, by whom, when.

    ``actor`` is "cli", "calibrate" or the staff member's name as it was, so the record still
    reads after the account is deleted (``staff_id`` then goes NULL).
    """

    __tablename__ = "site_setting_changes"
    __table_args__ = (
        # A site's changes, the newest first, a page at a time (keyset).
        Index("ix_site_setting_changes_site_created", "site_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    #: The setting as `describe` names it (allowed_origins, not origins).
    setting: Mapped[str] = mapped_column(String(64))
    #: Its values as `describe` gives them (None is stored as JSON null: an unset threshold).
    before: Mapped[Any] = mapped_column(JSON)
    after: Mapped[Any] = mapped_column(JSON)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SiteApiKey(Base):
    """A key a site's own servers use for the Perspective- and Akismet-compatible APIs.

    Only its sha256 is stored, so a leak of the table is inert; the prefix lets admins tell
    keys apart in listings without ever seeing one again.
    """

    __tablename__ = "site_api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    site: Mapped[Site] = relationship(lazy="joined")
