"""The Site page: every setting of a site, read by all staff who can see it, changed by admins.

The form is parsed by the API's schema (comments.schemas.sites) and saved by the service that
`flask sites update` uses, so the page, the API and the CLI accept and refuse the same values.
Moderators and analysts get the settings read-only: why comments are held is theirs to know.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from comments.auth import ADMINISTER, READ_QUEUES, visible_site
from comments.errors import FieldErrors
from comments.extensions import db
from comments.models import ERASURE_MODES, MODERATION_MODES, Site, SiteSettingChange
from comments.moderation_ui import bp, reads
from comments.moderation_ui.guards import page, signed_in_staff
from comments.schemas.sites import SiteUpdateSchema, api_field_errors
from comments.services import site_changes
from comments.services import sites as site_service

#: What each setting is called on the page and in the confirmation, by its API name.
LABELS = {
    "title": "Title",
    "moderation": "Moderation mode",
    "toxicity_hold": "Hold at toxicity",
    "spam_hold": "Hold at spam score",
    "spam_file": "File as spam at",
    "max_links": "Most links",
    "hold_commercial_terms": "Hold commercial spam's words",
    "blocked_words": "Blocked words",
    "blocked_domains": "Blocked domains",
    "require_form_token": "Require the widget's form token",
    "min_form_seconds": "Fewest seconds on the form",
    "edit_window_seconds": "Edit window (seconds)",
    "close_after_days": "Close threads after (days)",
    "erasure": "Erasing an author",
    "allowed_origins": "Allowed origins",
}
MODERATION_LABELS = {
    "auto": "Automatic: the model and the rules decide",
    "all": "Everything waits for a moderator",
}
ERASURE_LABELS = {
    "anonymise": "Keep the comments' text, anonymised",
    "remove": "Remove the comments",
}
#: The page's sections, each a fieldset, and the settings in them.
GROUPS = (
    ("Site", ("title",)),
    ("Moderation", ("moderation", "toxicity_hold", "spam_hold", "spam_file")),
    ("Links and words", ("max_links", "hold_commercial_terms", "blocked_words", "blocked_domains")),
    ("Form", ("require_form_token", "min_form_seconds")),
    ("Readers", ("edit_window_seconds", "close_after_days")),
    ("Privacy", ("erasure",)),
    ("Origins", ("allowed_origins",)),
)
HINTS = {
    "title": "The site's name in moderation pages and e-mails.",
    "toxicity_hold": "A score from 0 to 1; comments scoring this or more wait for a moderator.",
    "spam_hold": "Comments scoring this or more wait for a moderator; not above “File as spam at”.",
    "spam_file": "Comments scoring this or more go to the spam folder.",
    "max_links": "Comments with more links than this wait for a moderator (0 to "
    f"{site_service.MAX_LINKS}); a bare domain like cheap-pills.com counts.",
    "hold_commercial_terms": "Hold a comment that links somewhere and uses commercial spam's "
    "words (viagra, payday loans, casino bonus…).",
    "blocked_words": "One word or phrase a line; a comment using one waits for a moderator. "
    "Case does not matter.",
    "blocked_domains": "One domain a line; a link to it or to its subdomains holds the comment.",
    "require_form_token": "Refuse comments that did not come through the widget's form.",
    "min_form_seconds": "Refuse comments sent sooner than this after the form appeared "
    f"(0 to {site_service.MAX_MIN_FORM_SECONDS}).",
    "edit_window_seconds": "How long readers may edit or delete their own comments "
    f"(0: never; at most {site_service.MAX_EDIT_WINDOW_SECONDS}, a week).",
    "close_after_days": "Take no new comments on a thread whose first comment is older than "
    f"this (0: never; at most {site_service.MAX_CLOSE_AFTER_DAYS}).",
    "allowed_origins": "One a line, like https://blog.example: the pages allowed to embed the "
    "widget and post comments.",
}
#: The largest value each whole-number field takes (the smallest is 0).
LIMITS = {
    "max_links": site_service.MAX_LINKS,
    "min_form_seconds": site_service.MAX_MIN_FORM_SECONDS,
    "edit_window_seconds": site_service.MAX_EDIT_WINDOW_SECONDS,
    "close_after_days": site_service.MAX_CLOSE_AFTER_DAYS,
}
THRESHOLDS = ("toxicity_hold", "spam_hold", "spam_file")
WHOLE_NUMBERS = ("max_links", "min_form_seconds", "edit_window_seconds", "close_after_days")
SWITCHES = ("hold_commercial_terms", "require_form_token")
LISTS = ("allowed_origins", "blocked_words", "blocked_domains")
TEXTS = ("title", "moderation", "erasure")
#: How the template draws each setting.
KINDS = {
    "title": "text",
    "moderation": "choice",
    "erasure": "choice",
    **dict.fromkeys(THRESHOLDS, "threshold"),
    **dict.fromkeys(WHOLE_NUMBERS, "number"),
    **dict.fromkeys(SWITCHES, "switch"),
    **dict.fromkeys(LISTS, "lines"),
}
_schema = SiteUpdateSchema()
#: How many of the site's latest changes the page lists (`flask sites history` and the API
#: page through all of them).
RECENT_CHANGES = 20


@bp.get("/sites")
@page(READ_QUEUES)
def sites() -> Response:
    """The site picked (``?site=NAME``, the picker's form), else the first the staff sees."""
    staff = signed_in_staff()
    picked = request.args.get("site", "")
    if picked:
        site = visible_site(db.session(), staff, picked).name
        return redirect(url_for(".site_settings", site=site), code=303)
    names = reads.site_names(db.session(), reads.visible_site_ids(staff))
    if not names:
        raise NotFound("There is no site to show.")
    return redirect(url_for(".site_settings", site=names[0]), code=303)


@bp.get("/sites/<site>")
@page(READ_QUEUES)
def site_settings(site: str) -> str:
    """The site's settings: a form for admins, the same values read-only for other staff."""
    record = visible_site(db.session(), signed_in_staff(), site)
    return _render(record, form_values(site_service.describe(record)), {})


@bp.post("/sites/<site>")
@page(ADMINISTER)
def update_site_settings(site: str) -> Response | tuple[str, int]:
    """Save the form: all of it, or (a value refused) none of it."""
    staff = signed_in_staff()
    record = visible_site(db.session(), staff, site)
    try:
        settings = _schema.load(from_form(request.form))
        scalars, lists = site_service.replacing_lists(settings)
        _, changed = site_service.change_settings(
            db.session(), record.name, scalars, lists, by=staff
        )
    except ValidationError as error:
        errors = _by_field(error.messages)
    except FieldErrors as error:
        errors = _by_field(api_field_errors(error.errors))
    else:
        db.session.commit()
        site_service.log_changes(record.name, changed, f"{staff.role} {staff.name}")
        flash(confirmation(record.name, changed), "ok")
        return redirect(url_for(".site_settings", site=record.name), code=303)
    db.session.rollback()
    flash("Nothing was saved: correct the settings marked below.", "error")
    sent = form_values(site_service.describe(record)) | _as_sent(request.form)
    return _render(record, sent, errors), 400


def _render(site: Site, values: dict[str, Any], errors: dict[str, list[str]]) -> str:
    staff = signed_in_staff()
    model = current_app.extensions["model_provider"].serving(db.session()).active
    return render_template(
        "moderation_ui/site_settings.html",
        site=site,
        values=values,
        errors=errors,
        editable=staff.role in ADMINISTER,
        sites=reads.site_names(db.session(), reads.visible_site_ids(staff)),
        model_thresholds=_model_thresholds(model),
        recent_changes=recent_changes(site),
        groups=GROUPS,
        labels=LABELS,
        hints=HINTS,
        limits=LIMITS,
        kinds=KINDS,
        choices={
            "moderation": [(mode, MODERATION_LABELS[mode]) for mode in MODERATION_MODES],
            "erasure": [(mode, ERASURE_LABELS[mode]) for mode in ERASURE_MODES],
        },
    )


def recent_changes(site: Site) -> list[dict[str, Any]]:
    """The site's latest changes as the page lists them: when, who, and in the confirmation's
    words ("Blocked words: added casino")."""
    page = site_changes.list_changes(db.session(), site, limit=RECENT_CHANGES)
    return [_row(change) for change in page.changes]


def _row(change: SiteSettingChange) -> dict[str, Any]:
    if change.setting == site_changes.CREATED:
        label, words = "Site created", _started_with(change.after)
    else:
        label = LABELS.get(change.setting, change.setting)
        words = _change(change.before, change.after)
    return {"at": change.created_at, "actor": change.actor, "label": label, "change": words}


def _started_with(settings: dict[str, Any]) -> str:
    """A site's settings when it was created, in the page's order and words."""
    parts = [
        f"{label}: {_whole(settings[name])}" for name, label in LABELS.items() if name in settings
    ]
    return "With " + "; ".join(parts) + "."


def _whole(value: Any) -> str:
    """A value as a whole: a list as its entries."""
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    return _shown(value)


def _model_thresholds(model: Any) -> dict[str, str] | None:
    """The model's thresholds as placeholders: three decimals (0.996 is not 1.00)."""
    thresholds = site_service.model_thresholds(model)
    if thresholds is None:
        return None
    return {name: f"{round(value, 3):g}" for name, value in thresholds.items()}


def form_values(described: dict[str, Any]) -> dict[str, Any]:
    """Stored settings as the form shows them: lists one entry a line, unset thresholds blank."""
    values = dict(described)
    for name in LISTS:
        values[name] = "\n".join(described[name])
    for name in THRESHOLDS:
        values[name] = "" if described[name] is None else f"{described[name]:g}"
    return values


def _as_sent(form: MultiDict[str, str]) -> dict[str, Any]:
    """The fields sent, as they were sent, to show again beside their errors."""
    values: dict[str, Any] = {name: form[name] for name in KINDS if name in form}
    return values | {name: _switch(form, name) == "1" for name in SWITCHES if name in form}


def _switch(form: MultiDict[str, str], name: str) -> str | None:
    """A checkbox follows a hidden "0" of the same name, so an unticked box still says off."""
    sent = form.getlist(name)
    return sent[-1] if sent else None


def from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as the API's JSON would say it; a setting missing from the form is unchanged.

    Blank threshold: the model's. Whole numbers typed as digits become numbers, anything else
    stays text for the schema to refuse. Lists: one entry a line, blank lines skipped.
    """
    payload: dict[str, Any] = {name: form[name] for name in TEXTS if name in form}
    for name in THRESHOLDS:
        if name in form:
            payload[name] = form[name].strip() or None
    for name in WHOLE_NUMBERS:
        if name in form:
            text = form[name].strip()
            payload[name] = int(text) if text.isascii() and text.isdigit() else text
    for name in SWITCHES:
        if (value := _switch(form, name)) is not None:
            payload[name] = value
    for name in LISTS:
        if name in form:
            payload[name] = [line for line in form[name].splitlines() if line.strip()]
    return payload


def _by_field(messages: Any) -> dict[str, list[str]]:
    """Errors as one list of sentences per field; a list's entries are named by line."""
    flat: dict[str, list[str]] = {}
    for name, problem in messages.items() if isinstance(messages, dict) else []:
        if isinstance(problem, dict):
            flat[name] = [
                f"Line {index + 1}: {' '.join(texts)}" for index, texts in sorted(problem.items())
            ]
        else:
            flat[name] = list(problem)
    return flat


def confirmation(site: str, changed: site_service.Changed) -> str:
    """What the save changed, in words: "Most links: 3 → 0", "Blocked words: added casino"."""
    if not changed:
        return f"Nothing changed on {site}: every setting was as saved already."
    in_page_order = sorted(changed.items(), key=lambda item: list(LABELS).index(item[0]))
    parts = [f"{LABELS[name]}: {_change(before, after)}" for name, (before, after) in in_page_order]
    return f"Saved on {site}. " + "; ".join(parts) + "."


def _change(before: Any, after: Any) -> str:
    if isinstance(after, list):
        added = [entry for entry in after if entry not in before]
        removed = [entry for entry in before if entry not in after]
        words = [f"added {', '.join(added)}"] if added else []
        words += [f"removed {', '.join(removed)}"] if removed else []
        return " and ".join(words) or "reordered"
    return f"{_shown(before)} → {_shown(after)}"


def _shown(value: Any) -> str:
    if value is None:
        return "the model's"
    if isinstance(value, bool):
        return "on" if value else "off"
    if value == "":
        return "(none)"
    return str(value)
