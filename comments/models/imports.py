"""Where imported comments came from, so importing the same file twice adds nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from comments.models.base import Base, BigId, utcnow


class ImportedComment(Base):
    """One comment of another system, by its id there, and the comment it became here.

    Kept apart from ``comments`` so the record outlives the comment: a comment erased or
    purged here is not brought back by importing the same file again.
    """

    __tablename__ = "imported_comments"
    __table_args__ = (UniqueConstraint("site_id", "source", "origin", "ref"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    #: The format it came in: "wxr", "disqus" or "isso" (services.imports.READERS).
    source: Mapped[str] = mapped_column(String(16))
    #: Which blog, forum or database of that format (records.SourceComment.origin); "" names
    #: none: the source did not say, or the row is older than origins (imports/ledger.py).
    origin: Mapped[str] = mapped_column(String(255), default="", server_default="")
    #: The comment's id in the source (WordPress comment_id, Disqus dsq:id, Isso id).
    ref: Mapped[str] = mapped_column(String(128))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
