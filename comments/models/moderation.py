"""Decisions, reader reports and model versions: the record of who decided what, and why."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import text

from comments.models.base import Base, BigId, utcnow

if TYPE_CHECKING:
    from comments.models.comments import Comment


class ModelVersion(Base):
    """A classifier artifact known to the service; scores and decisions point here.

    At most one version is active (it decides) and at most one is the shadow (it scores beside
    the active one without deciding); partial unique indexes enforce both on every engine.
    """

    __tablename__ = "model_versions"
    __table_args__ = (
        Index(
            "uq_model_versions_one_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index(
            "uq_model_versions_one_shadow",
            "shadow",
            unique=True,
            sqlite_where=text("shadow"),
            postgresql_where=text("shadow"),
        ),
    )

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    card: Mapped[dict[str, Any]]
    #: "builtin": the model shipped with the code (or MODEL_PATH); "registry": signed, in the
    #: model store under its version.
    source: Mapped[str] = mapped_column(String(16), default="builtin")
    active: Mapped[bool] = mapped_column(default=False)
    shadow: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]


class ModelEvent(Base):
    """Registration, promotion, rollback and shadowing, so ``rollback`` knows where to go."""

    __tablename__ = "model_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    version: Mapped[str] = mapped_column(ForeignKey("model_versions.version"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    #: The version that was active (or shadow) before this event.
    previous_version: Mapped[str | None] = mapped_column(ForeignKey("model_versions.version"))
    actor: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """A status change: by the model at submission, later by staff. Also a training label."""

    __tablename__ = "decisions"
    # Never given again when a comment goes with its decisions: their ids are in webhook
    # payloads and the moderation API (migration 0023).
    __table_args__ = (
        # Comments held by their author's edit in a digest's period (services/mail/digests.py).
        # Partial: only the authors' edits, so the decision every new comment writes adds no
        # index entry to the submission's insert.
        Index(
            "ix_decisions_edits_created",
            "created_at",
            sqlite_where=text("action = 'edit'"),
            postgresql_where=text("action = 'edit'"),
        ),
        {"sqlite_autoincrement": True},
    )

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
    #: The reported queue starts from the open reports.
    __table_args__ = (
        Index(
            "ix_reports_open",
            "comment_id",
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

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
    #: Where the label came from: "moderation", "import", "akismet", "perspective".
    source: Mapped[str] = mapped_column(String(32), default="moderation")
    #: What else the sender told us (author, e-mail, website, IP hash, user agent, ...).
    context: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
