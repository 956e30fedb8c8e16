"""Which staff want mail about waiting comments, and for which sites.

Immediate recipients are cached per process and database for REFRESH_SECONDS, so a held
comment on a site where nobody wants immediate mail costs a dictionary look-up, no query. A
change made in another process reaches this one at most that much later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from comments.models import Staff

REFRESH_SECONDS = 5.0
#: The roles that moderate (comments.auth.MODERATE): only they are told about waiting comments.
MODERATING_ROLES = ("admin", "moderator")


@dataclass(frozen=True, slots=True)
class Recipient:
    staff_id: int
    email: str
    #: None: every site.
    site_ids: frozenset[int] | None

    def covers(self, site_id: int) -> bool:
        return self.site_ids is None or site_id in self.site_ids


_cache: WeakKeyDictionary[Engine, tuple[float, tuple[Recipient, ...]]] = WeakKeyDictionary()


def recipients(session: Session, notify: tuple[str, ...]) -> list[tuple[Staff, Recipient]]:
    """Active moderators and admins with an address whose preference is one of ``notify``."""
    query = select(Staff).where(
        Staff.active,
        Staff.notify.in_(notify),
        Staff.email.is_not(None),
        Staff.role.in_(MODERATING_ROLES),
    )
    found = []
    for staff in session.scalars(query.order_by(Staff.id)):
        assert staff.email is not None
        limited = staff.role != "admin" and bool(staff.sites)
        sites = frozenset(site.id for site in staff.sites) if limited else None
        found.append((staff, Recipient(staff.id, staff.email, sites)))
    return found


def immediate(session: Session, site_id: int) -> list[Recipient]:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    cached = _cache.get(engine)
    now = time.monotonic()
    if cached is None or cached[0] <= now:
        everyone = tuple(recipient for _, recipient in recipients(session, ("immediate",)))
        cached = (now + REFRESH_SECONDS, everyone)
        _cache[engine] = cached
    return [recipient for recipient in cached[1] if recipient.covers(site_id)]


def forget(session: Session) -> None:
    """After a change of preferences: this process reads them again on the next event."""
    engine = session.get_bind()
    if isinstance(engine, Engine):
        _cache.pop(engine, None)
