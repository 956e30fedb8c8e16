"""A staff member's own e-mail settings, and the signed links moderator mails carry.

A link from a moderator mail (``/moderation/open?token=...``) grants nothing by itself: it
needs a signed-in session like every page (an anonymous browser goes to the sign-in form and
comes back), it must have been signed by this service for the staff member signed in (a
forwarded mail opened by someone else is refused), and it only leads to the comment's page,
which applies the usual site limits. A tampered, foreign or expired link is refused.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.wrappers import Response

from comments.auth import MODERATE
from comments.errors import FieldErrors
from comments.extensions import db
from comments.models import NOTIFY_CHOICES
from comments.moderation_ui import bp, reads
from comments.moderation_ui.guards import page, signed_in_staff
from comments.services.mail import links, settings
from comments.services.mail.preferences import update_preferences

NOTIFY_LABELS = {
    "off": "Never",
    "immediate": "At once, one e-mail per waiting comment",
    "hourly": "Once an hour, a digest (only when something waits)",
    "daily": "Once a day, a digest (only when something waits)",
}


@bp.route("/settings", methods=["GET", "POST"])
@page(MODERATE)
def notification_settings() -> Response | tuple[str, int]:
    """Where and how often the signed-in staff member hears about waiting comments."""
    staff = signed_in_staff()
    errors: dict[str, list[str]] = {}
    email = staff.email or ""
    notify = staff.notify
    if request.method == "POST":
        email = request.form.get("email", "")[:300]
        notify = request.form.get("notify", "")
        try:
            update_preferences(db.session(), staff, email=email, notify=notify)
        except FieldErrors as error:
            db.session.rollback()
            errors = error.errors
        else:
            db.session.commit()
            flash("Your e-mail settings are saved.", "ok")
            return redirect(url_for(".notification_settings"), code=303)
    sites = [site.name for site in staff.sites] if staff.role != "admin" else []
    return render_template(
        "moderation_ui/settings.html",
        email=email,
        notify=notify,
        choices=[(choice, NOTIFY_LABELS[choice]) for choice in NOTIFY_CHOICES],
        sites=sites,
        mail_enabled=settings.current().enabled,
        errors=errors,
    ), 400 if errors else 200


@bp.get("/open")
@page(MODERATE)
def open_mailed_link() -> Response:
    """Follow a moderator mail's link to the comment it names (see the module's docstring)."""
    try:
        staff_id, comment_id = links.read_staff(request.args.get("token", ""))
    except links.InvalidLink as error:
        raise NotFound(str(error)) from error
    staff = signed_in_staff()
    if staff_id != staff.id:
        raise Forbidden("This link was sent to another staff member; open the queue instead.")
    reads.visible_comment(db.session(), staff, comment_id)
    return redirect(url_for(".comment", comment_id=comment_id), code=303)
