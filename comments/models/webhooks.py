"""Outbound webhooks: where each site wants its comment events, and the log of every delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from comments.models.base import Base, BigId, utcnow
from comments.models.sites import Site

#: Every event a site can subscribe an endpoint to.
EVENT_TYPES = (
    "comment.created",
    "comment.published",
    "comment.held",
    "comment.decided",
    "comment.edited",
    "comment.deleted",
)
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookEndpoint(Base):
    """A URL of a site's own servers that receives signed comment events.

    The signing secret is stored as issued (``whsec_...``): unlike an API key, which we only
    need to recognise, a webhook secret has to be read back to sign every delivery. It is
    shown once at creation and never again by any listing.
    """

    __tablename__ = "webhook_endpoints"
    # Removing an endpoint deletes it: its id is never given again, so a stale page or script
    # cannot edit, rotate or remove the next endpoint by mistake (migration 0023).
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(default=lambda: list(EVENT_TYPES))
    secret: Mapped[str] = mapped_column(String(100))
    #: After a rotation, deliveries are signed with this one too until previous_secret_until.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None]
    description: Mapped[str] = mapped_column(String(200), default="")
    #: An inactive endpoint gets no new events; deliveries already pending wait until it is active.
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship(lazy="joined")


class WebhookDelivery(Base):
    """One event for one endpoint: an outbox row written with the change that caused it, then
    attempted until the endpoint answers 2xx or the attempts run out."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        # What the workers claim: pending rows whose next attempt is due.
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        # The delivery log of an endpoint, newest first.
        Index("ix_webhook_deliveries_endpoint_id", "endpoint_id", "id"),
        # Deleted with their endpoint; a delivery's id, redelivered from a stale log page,
        # must not name another endpoint's event (migration 0023).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(40))
    #: The Webhook-Id header: the same for every endpoint and every attempt of one event, so
    #: receivers can use it to ignore repeats.
    event_id: Mapped[str] = mapped_column(String(40), index=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A worker's claim; once past, another worker may take the delivery (the first crashed).
    locked_until: Mapped[datetime | None]
    lock_token: Mapped[str | None] = mapped_column(String(32))
    last_status_code: Mapped[int | None]
    #: Why the last attempt failed, truncated: the answer's status and start, or the error.
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="joined")
