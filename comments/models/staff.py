"""Staff accounts: who may moderate, analyse or administer, and with which credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from comments.models.base import Base, utcnow
from comments.models.sites import Site

#: admin: everything; moderator: decides on comments (of some sites, or all);
#: analyst: reads queues and statistics and manages models, never moderates.
ROLES = ("admin", "moderator", "analyst")

staff_sites = Table(
    "staff_sites",
    Base.metadata,
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    #: Raised to end every session of this staff member (sign-out, new password, disabling):
    #: sessions are signed cookies, so the server cannot delete them, only stop honouring them.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Where notifications about waiting comments go, and how often (models.mail.NOTIFY_CHOICES).
    email: Mapped[str | None] = mapped_column(String(254))
    notify: Mapped[str] = mapped_column(String(16), default="off")
    #: The end of the period the last digest covered: the next one lists what came later.
    digest_sent_at: Mapped[datetime | None]

    #: Empty means every site; otherwise a moderator sees only these.
    sites: Mapped[list[Site]] = relationship(secondary=staff_sites, lazy="selectin")


class ApiToken(Base):
    """A bearer token for scripts; only its sha256 is stored, so a leak of the table is inert."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    staff: Mapped[Staff] = relationship(lazy="joined")
