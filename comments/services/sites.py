"""Site administration: names, origins, thresholds and word lists."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import classifier
from comments.errors import FieldErrors
from comments.models import ERASURE_MODES, Site, Staff
from comments.policy import Thresholds
from comments.rules import domain_key, word_key
from comments.services.site_changes import record_changes, record_creation
from comments.services.threads import get_site

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
_ORIGIN = re.compile(r"^(\*|https?://[^/\s]+/?)\Z")
SETTINGS = (
    "title",
    "origins",
    "moderation",
    "toxicity_hold",
    "spam_hold",
    "spam_file",
    "blocked_words",
    "blocked_domains",
    "max_links",
    "hold_commercial_terms",
    "require_form_token",
    "min_form_seconds",
    "edit_window_seconds",
    "close_after_days",
    "erasure",
)

#: The most --close-after-days takes (about a century): beyond it a date would overflow.
MAX_CLOSE_AFTER_DAYS = 36_500
#: Upper bounds the CLI options and the API schema share (each setting's lower bound is 0).
MAX_LINKS = 100
MAX_MIN_FORM_SECONDS = 3600
MAX_EDIT_WINDOW_SECONDS = 7 * 24 * 3600


#: Per-site thresholds; None follows the deciding model's card.
THRESHOLDS = ("toxicity_hold", "spam_hold", "spam_file")


def _origin_key(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


#: List settings: the Site attribute (also the key in `describe`) and when two entries are the
#: same one, as the rules match them ("Casino" is "casino", "https://a.example/" is "…example").
LISTS: dict[str, tuple[str, Callable[[str], str]]] = {
    "origins": ("allowed_origins", _origin_key),
    "blocked_words": ("blocked_words", word_key),
    "blocked_domains": ("blocked_domains", domain_key),
}


@dataclass(frozen=True, slots=True)
class ListChange:
    """Edits to one list setting, applied in this order: clear it, remove entries, add entries.

    Site owners add or remove one word at a time; replacing the whole list to do that loses
    every entry they did not repeat.
    """

    clear: bool = False
    remove: tuple[str, ...] = ()
    add: tuple[str, ...] = ()


def changed_list(name: str, current: list[str], change: ListChange) -> list[str]:
    """The list after ``change``; removing an entry that is not there is refused (a typo would
    otherwise leave the word blocked while the owner believes it gone)."""
    same = LISTS[name][1]
    if change.clear and change.remove:
        raise FieldErrors({name: ["Clear the list or remove entries from it, not both."]})
    entries = [] if change.clear else list(current)
    present = {same(entry) for entry in entries}
    shown = ", ".join(entries) or "empty"
    missing = [
        f"{entry!r} is not in the list ({shown})."
        for entry in change.remove
        if same(entry) not in present
    ]
    if missing:
        raise FieldErrors({name: missing})
    dropped = {same(entry) for entry in change.remove}
    entries = [entry for entry in entries if same(entry) not in dropped]
    for entry in (entry.strip() for entry in change.add):
        if not same(entry):
            raise FieldErrors({name: [f"{entry!r} would match nothing."]})
        if same(entry) not in {same(kept) for kept in entries}:
            entries.append(entry)
    return entries


def is_site_name(name: str) -> bool:
    """Whether a site may be called ``name``; another names no site, so a lookup is pointless
    (and with a NUL in it, a failure on PostgreSQL)."""
    return _NAME.match(name) is not None


def list_sites(session: Session, site_ids: frozenset[int] | None = None) -> list[Site]:
    """Every site by name, or only those of ``site_ids`` (what a limited moderator sees)."""
    query = select(Site).order_by(Site.name)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids))
    return list(session.scalars(query))


def model_thresholds(model: classifier.Model | None) -> dict[str, float] | None:
    """What a threshold the site leaves unset means with ``model`` deciding: its card's."""
    if model is None:
        return None
    resolved = Thresholds.resolve({}, model.card["thresholds"])
    return {name: getattr(resolved, name) for name in THRESHOLDS}


def describe(site: Site) -> dict[str, Any]:
    return {
        "name": site.name,
        "title": site.title,
        "allowed_origins": site.allowed_origins,
        "moderation": site.moderation,
        "toxicity_hold": site.toxicity_hold,
        "spam_hold": site.spam_hold,
        "spam_file": site.spam_file,
        "blocked_words": site.blocked_words,
        "blocked_domains": site.blocked_domains,
        "max_links": site.max_links,
        "hold_commercial_terms": site.hold_commercial_terms,
        "require_form_token": site.require_form_token,
        "min_form_seconds": site.min_form_seconds,
        "edit_window_seconds": site.edit_window_seconds,
        "close_after_days": site.close_after_days,
        "erasure": site.erasure,
    }


def settings_of(site: Site) -> dict[str, Any]:
    """Its settings as `describe` gives them, without the name (which no setting changes)."""
    return {key: value for key, value in describe(site).items() if key != "name"}


def _apply(site: Site, settings: dict[str, Any]) -> None:
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise FieldErrors({name: ["Unknown setting."] for name in sorted(unknown)})
    origins = settings.get("origins")
    if origins is not None:
        bad = [origin for origin in origins if not _ORIGIN.match(origin)]
        if bad:
            raise FieldErrors({"origins": [f"Not an origin like https://example.com: {bad}"]})
        site.allowed_origins = [origin.rstrip("/") for origin in origins]
    days = settings.get("close_after_days", 0)
    if type(days) is not int or not 0 <= days <= MAX_CLOSE_AFTER_DAYS:
        raise FieldErrors(
            {"close_after_days": [f"A whole number of days from 0 to {MAX_CLOSE_AFTER_DAYS}."]}
        )
    for name in SETTINGS:
        if name != "origins" and name in settings:
            setattr(site, name, settings[name])
    _forget_calibrated(site, [name for name in THRESHOLDS if name in settings])
    if settings.get("erasure", ERASURE_MODES[0]) not in ERASURE_MODES:
        raise FieldErrors({"erasure": [f"One of {', '.join(ERASURE_MODES)}."]})
    spam_hold = site.spam_hold
    if spam_hold is not None and site.spam_file is not None and spam_hold > site.spam_file:
        raise FieldErrors({"spam_hold": ["Must not be above spam_file."]})


def _forget_calibrated(site: Site, names: list[str]) -> None:
    """Thresholds set by hand (a number, or None for the model's) are no longer calibrated:
    the record keeps the others, or goes, so a promotion does not warn about them."""
    if not names or not site.calibration:
        return
    calibrated = site.calibration.get("thresholds", {})
    kept = {name: value for name, value in calibrated.items() if name not in names}
    site.calibration = {**site.calibration, "thresholds": kept} if kept else None


def create_site(session: Session, name: str, settings: dict[str, Any], *, by: Staff | str) -> Site:
    """A new site with ``settings`` (the rest at their defaults), recorded as created ``by``
    the staff member or actor label (site_changes.record_creation) in the same transaction."""
    if not is_site_name(name):
        raise FieldErrors({"name": ["Use 1-64 lower-case letters, digits, - or _."]})
    if session.scalar(select(Site).where(Site.name == name)) is not None:
        raise FieldErrors({"name": [f"A site named {name!r} exists already."]})
    site = Site(name=name)
    _apply(site, settings)
    session.add(site)
    session.flush()
    record_creation(session, site, settings_of(site), by)
    return site


def update_site(
    session: Session,
    name: str,
    settings: dict[str, Any],
    changes: Mapping[str, ListChange] | None = None,
) -> Site:
    """Settings given in ``settings`` are replaced (a list as a whole); ``changes`` edit lists."""
    site = get_site(session, name)
    settings = dict(settings)
    for list_name, change in (changes or {}).items():
        if list_name not in LISTS:
            raise FieldErrors({list_name: ["Not a list setting."]})
        if list_name in settings:
            raise FieldErrors({list_name: ["Replace the list or change it, not both."]})
        current = getattr(site, LISTS[list_name][0])
        settings[list_name] = changed_list(list_name, current, change)
    _apply(site, settings)
    session.flush()
    return site


#: Each setting that changed, as `describe` names it: (before, after).
Changed = dict[str, tuple[Any, Any]]


def replacing_lists(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, ListChange]]:
    """Whole lists in ``settings`` as changes that clear the list and add each entry: entries
    are then checked, trimmed and de-duplicated as ``--add-...`` ones are (a blank entry, which
    would match nothing, is refused)."""
    scalars = {name: value for name, value in settings.items() if name not in LISTS}
    changes = {
        name: ListChange(clear=True, add=tuple(value))
        for name, value in settings.items()
        if name in LISTS
    }
    return scalars, changes


def change_settings(
    session: Session,
    name: str,
    settings: dict[str, Any],
    changes: Mapping[str, ListChange] | None = None,
    *,
    by: Staff | str,
) -> tuple[Site, Changed]:
    """`update_site`, and what it changed, recorded as made ``by`` the staff member or actor
    label (site_changes.record_changes) in the same transaction, so callers can confirm it."""
    before = {
        key: list(value) if isinstance(value, list) else value
        for key, value in describe(get_site(session, name)).items()
    }
    site = update_site(session, name, settings, changes)
    after = describe(site)
    changed = {key: (before[key], after[key]) for key in after if before[key] != after[key]}
    record_changes(session, site, changed, by)
    return site, changed


def log_creation(name: str, settings: dict[str, Any], actor: str) -> None:
    """A site created, by whom and with what, logged as log_changes logs changes (after the
    commit)."""
    shown = ", ".join(f"{setting} {value!r}" for setting, value in settings.items())
    log.info("site %s: %s created it with %s", name, actor, shown)


def log_changes(name: str, changed: Changed, actor: str) -> None:
    """Who changed which setting of a site, and to what, for operators who watch the log (the
    record is site_setting_changes); call it after the commit, so a refused or failed change
    is not logged as made."""
    for setting, (before, after) in changed.items():
        log.info("site %s: %s changed %s from %r to %r", name, actor, setting, before, after)
