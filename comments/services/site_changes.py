"""The record of site settings changed: one row per setting, written in the change's own
transaction, read a page at a time, the newest first.

Shared by `flask sites create`, `update` and `history`, `flask classifier calibrate --apply`,
the Site page and the sites API, so every path records alike and shows the same history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, select, tuple_
from sqlalchemy.orm import Session

from comments.models import Site, SiteSettingChange, Staff
from comments.services.thread_listing import After, encode_cursor

#: Who changed settings without a staff account: the sites CLI, or calibrate --apply.
CLI_ACTOR = "cli"
CALIBRATE_ACTOR = "calibrate"
#: The ``setting`` of a site's first row: it was created, ``after`` holding every setting it
#: started with (as `describe` gives them), ``before`` null.
CREATED = "created"


def record_changes(
    session: Session, site: Site, changed: dict[str, tuple[Any, Any]], by: Staff | str
) -> None:
    """A row per changed setting; ``by`` is the staff member, or an actor label for the
    command line. Flushed with the change so both commit (or roll back) together."""
    staff = by if isinstance(by, Staff) else None
    actor = by.name if isinstance(by, Staff) else by
    session.add_all(
        SiteSettingChange(
            site_id=site.id,
            setting=setting,
            before=before,
            after=after,
            staff_id=staff.id if staff is not None else None,
            actor=actor,
        )
        for setting, (before, after) in changed.items()
    )
    session.flush()


def record_creation(
    session: Session, site: Site, settings: dict[str, Any], by: Staff | str
) -> None:
    """The site's first row: created ``by`` whom, with these ``settings``, so its history
    starts from what it was given, defaults included, and each later change reads from there."""
    record_changes(session, site, {CREATED: (None, settings)}, by)


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: list[SiteSettingChange]
    #: Give it back (decoded) as ``after`` for the next page; None on the last one.
    next_cursor: str | None


def list_changes(
    session: Session, site: Site, *, limit: int, after: After | None = None
) -> ChangePage:
    """Up to ``limit`` of the site's changes after ``after``, the newest first, read from
    ``ix_site_setting_changes_site_created``; the bound ``created_at <=`` beside the row
    comparison lets every engine start its index range at the cursor."""
    statement = select(SiteSettingChange).where(SiteSettingChange.site_id == site.id)
    if after is not None:
        at, change_id = after
        position = tuple_(SiteSettingChange.created_at, SiteSettingChange.id)
        cursor = tuple_(
            literal(at, SiteSettingChange.created_at.type),
            literal(change_id, SiteSettingChange.id.type),
        )
        statement = statement.where(SiteSettingChange.created_at <= at, position < cursor)
    statement = statement.order_by(
        SiteSettingChange.created_at.desc(), SiteSettingChange.id.desc()
    ).limit(limit + 1)
    changes = list(session.scalars(statement))
    more, changes = len(changes) > limit, changes[:limit]
    last = changes[-1] if more else None
    return ChangePage(changes, encode_cursor(last.created_at, last.id) if last else None)


def describe_change(change: SiteSettingChange) -> dict[str, Any]:
    """A change as the API and `flask sites history` give it."""
    return {
        "id": change.id,
        "setting": change.setting,
        "before": change.before,
        "after": change.after,
        "actor": change.actor,
        "staff_id": change.staff_id,
        "created_at": change.created_at.isoformat(),
    }
