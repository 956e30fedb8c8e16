"""The Pages section: a site's threads, whether each takes comments and why, and a form per
page to close it, open it or let it follow the site's setting.

The same service functions and ThreadSettingsSchema as the moderation API and `flask threads`;
a form works without JavaScript and returns to the listing with a message saying what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from comments.auth import MODERATE, READ_QUEUES
from comments.errors import FieldErrors
from comments.extensions import db
from comments.moderation_ui import bp, present, reads
from comments.moderation_ui.guards import page, safe_next, signed_in_staff
from comments.schemas.public import ThreadSettingsSchema
from comments.services import threads as thread_service
from comments.services.thread_listing import (
    BadThreadCursor,
    ThreadSummary,
    decode_cursor,
    list_threads,
    summarise,
)
from comments.services.threads import CLOSING_CHOICES

PAGES_PER_PAGE = 50
#: The buttons of each row, in this order; a row offers those that would change something.
CHOICE_LABELS = {"close": "Close", "open": "Open", "follow_site": "Follow site's setting"}
_settings = ThreadSettingsSchema()


@dataclass(frozen=True, slots=True)
class ClosingState:
    """What the table says of a page: "Closed" or "Open", why, and what it may become."""

    closed: bool
    why: str
    #: (choice, its button's label), in the order of CHOICE_LABELS.
    choices: list[tuple[str, str]]


def closing_state(summary: ThreadSummary, close_after_days: int) -> ClosingState:
    """The page's state and its reason: staff's word (who, when), else the site's limit."""
    setting = summary.closed_setting
    if setting is not None:
        who = f" by {summary.closed_changed_by}" if summary.closed_changed_by else " by staff"
        at = summary.closed_changed_at
        when = f", {present.when(at)}" if at else ""
        past = " (even past the site's limit)" if not setting and close_after_days else ""
        why = f"{'Closed' if setting else 'Kept open'}{who}{when}{past}"
    elif close_after_days <= 0:
        why = "The site does not close pages"
    else:
        until = present.when(summary.created_at + timedelta(days=close_after_days))
        ended = "Closed" if summary.closed else "Closes"
        days = f"{close_after_days} day{'s' if close_after_days != 1 else ''}"
        why = f"{ended} {days} after its first comment ({until}): the site's limit"
    current = {True: "close", False: "open", None: "follow_site"}[setting]
    # A page that follows the site and is open already is kept open by "Open" (and one closed
    # by the site's limit kept closed): an "Open" button beside "Open" read as doing nothing.
    labels = dict(CHOICE_LABELS)
    if summary.closed:
        labels["close"] = "Keep closed"
    else:
        labels["open"] = "Keep open"
    return ClosingState(summary.closed, why, [(c, labels[c]) for c in labels if c != current])


def _chosen_site(names: list[str]) -> str | None:
    """The site asked for; else "default" when it is one of the staff's, else their first."""
    asked = request.args.get("site", "").strip()
    if asked:
        return asked
    return "default" if "default" in names else (names[0] if names else None)


@bp.get("/pages")
@page(READ_QUEUES)
def pages() -> tuple[str, int]:
    """A site's pages (threads), the most recently commented first, with their state."""
    session, staff = db.session(), signed_in_staff()
    names = reads.site_names(session, reads.visible_site_ids(staff))
    chosen = _chosen_site(names)
    if chosen is None:
        return render_template("moderation_ui/pages.html", sites=names, site=None), 200
    site = reads.visible_site(session, staff, chosen)
    cursor = request.args.get("cursor", "")
    error = None
    try:
        after = decode_cursor(cursor) if cursor else None
    except BadThreadCursor as bad:
        after, error = None, f"{bad} Showing the first page."
    listing = list_threads(session, site, limit=PAGES_PER_PAGE, now=datetime.now(UTC), after=after)
    rows = [(s, closing_state(s, site.close_after_days)) for s in listing.threads]
    return render_template(
        "moderation_ui/pages.html",
        sites=names,
        site=site,
        rows=rows,
        error=error,
        web_link=present.web_link,
        next_url=(
            url_for(".pages", site=site.name, cursor=listing.next_cursor)
            if listing.next_cursor
            else None
        ),
        here=request.full_path.rstrip("?"),
    ), 400 if error else 200


def _changed(title: str, choice: str, thread: ClosingState) -> str:
    """The flashed message: what the page now does, in the table's words."""
    if choice == "close":
        return f"{title} is closed: readers can no longer comment or reply."
    if choice == "open":
        return f"{title} is open to comments and replies, whatever the site's limit."
    state = "closed" if thread.closed else "open"
    return f"{title} follows the site's setting again and is {state} now. {thread.why}."


@bp.post("/pages/<site>/closing")
@page(MODERATE)
def page_closing(site: str) -> Response:
    """Close a page, open it, or let it follow the site's setting (a button per choice)."""
    session, staff = db.session(), signed_in_staff()
    found = reads.visible_site(session, staff, site)
    back = redirect(safe_next(request.form.get("next"), url_for(".pages", site=site)), code=303)
    key, choice = request.form.get("thread", ""), request.form.get("closed", "")
    if choice not in CLOSING_CHOICES:
        flash("Choose Close, Open or Follow site's setting; nothing was changed.", "error")
        return back
    now = datetime.now(UTC)
    # The choices are the schema's values, so it cannot refuse them: loaded all the same, so
    # a field the form gains later is checked as the API and the CLI check it.
    changes = _settings.load({"closed": CLOSING_CHOICES[choice]})
    try:
        thread = thread_service.update_thread(session, found, key, changes, staff=staff, now=now)
    except FieldErrors as error:
        session.rollback()
        said = " ".join(message for messages in error.errors.values() for message in messages)
        flash(f"{said} Nothing was changed.", "error")
        return back
    [summary] = summarise(session, found, [thread], now)
    session.commit()
    title = f"“{thread.title or thread.key}”"
    flash(_changed(title, choice, closing_state(summary, found.close_after_days)), "ok")
    return back
