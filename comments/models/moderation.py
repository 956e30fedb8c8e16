"""Decisions, reader reports and model versions: the record of who decided what, and why."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from comments.models.base import Base, BigId, utcnow

if TYPE_CHECKING:
    from comments.models.comments import Comment


class ModelVersion(Base):
    """A classifier artifact the service has used; scores and decisions point here."""

    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    card: Mapped[dict[str, Any]]
    active: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]


class Decision(Base):
    """A status change: by the model at submission, later by staff. Also a training label."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    #: "model" (automatic), "staff" (a moderator) or "system" (e.g. retention).
    actor: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    model_version: Mapped[str | None] = mapped_column(ForeignKey("model_versions.version"))
    action: Mapped[str] = mapped_column(String(24))
    # The model's scores for the comment when the decision was made.
    toxicity: Mapped[float | None]
    spam: Mapped[float | None]
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @classmethod
    def about(
        cls, comment: Comment, *, actor: str, action: str, to_status: str, **details: Any
    ) -> Decision:
        """A decision on the comment as it stands now: its status and scores are recorded."""
        return cls(
            comment_id=comment.id,
            actor=actor,
            action=action,
            model_version=comment.model_version,
            toxicity=comment.toxicity,
            spam=comment.spam,
            from_status=details.pop("from_status", comment.status),
            to_status=to_status,
            **details,
        )


class Report(Base):
    """A reader's report on a published comment, open until a moderator reviews it."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))


class LabelledExample(Base):
    """A moderator's decision as a training label, with the text as it was decided on.

    Kept apart from the comment so later edits do not relabel what a moderator saw.
    """

    __tablename__ = "labelled_examples"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    toxic: Mapped[bool | None]
    spam: Mapped[bool | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Where the label came from: "moderation" here; later also API feedback.
    source: Mapped[str] = mapped_column(String(32), default="moderation")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
