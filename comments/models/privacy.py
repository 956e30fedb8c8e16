"""The record of privacy requests: who asked to export or erase what, never the address."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from comments.models.base import Base, BigId, utcnow

PRIVACY_KINDS = ("export", "erase")
#: What erasure does on a site: keep the text and anonymise the author, or remove comments.
ERASURE_MODES = ("anonymise", "remove")


class PrivacyRequest(Base):
    """One export or erasure, done (by staff) or awaiting a reader's signed link.

    The address is kept only as a keyed hash (``services.privacy.keys``): enough to prove a
    request was honoured and to check a reader's link, not enough to learn the address.
    """

    __tablename__ = "privacy_requests"
    __table_args__ = (
        # Purging expired links; a reader's link is checked by primary key.
        Index("ix_privacy_requests_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    #: "cli", "admin:<staff name>" or "reader" (through a link sent to the address).
    requested_by: Mapped[str] = mapped_column(String(80))
    #: "pending": a reader's link not used yet; "done": carried out.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: Erasure only: the site it was limited to (None: every site), the mode forced (None:
    #: each site's own setting).
    site: Mapped[str | None] = mapped_column(String(64))
    mode: Mapped[str | None] = mapped_column(String(16))
    #: What was exported or erased, by kind of record.
    counts: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
