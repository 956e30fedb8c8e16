"""Staff members' address and how often they hear about waiting comments."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import ValidationError, validate
from sqlalchemy.orm import Session

from comments.errors import FieldErrors
from comments.models import NOTIFY_CHOICES, Staff
from comments.services.mail import staff_recipients

_email = validate.Email(error="Not a valid email address.")


def update_preferences(
    session: Session,
    staff: Staff,
    *,
    email: str | None = None,
    notify: str | None = None,
    now: datetime | None = None,
) -> Staff:
    """Set the address ("" removes it) and/or the preference; a digest starts from now, so
    the first one does not list the whole backlog. Only moderating roles can be notified."""
    errors: dict[str, list[str]] = {}
    if email is not None:
        email = email.strip().lower()
        try:
            if email:
                _email(email)
            if len(email) > 254:
                raise ValidationError("At most 254 characters.")
        except ValidationError as error:
            errors["email"] = [str(message) for message in error.messages]
    if notify is not None and notify not in NOTIFY_CHOICES:
        errors["notify"] = [f"Must be one of {', '.join(NOTIFY_CHOICES)}."]
    elif notify not in (None, "off") and staff.role not in staff_recipients.MODERATING_ROLES:
        errors["notify"] = [f"The {staff.role} role does not moderate, so is not notified."]
    if errors:
        raise FieldErrors(errors)
    if email is not None:
        staff.email = email or None
    if notify is not None and notify != staff.notify:
        staff.notify = notify
        staff.digest_sent_at = (now or datetime.now(UTC)) if notify in ("hourly", "daily") else None
    session.flush()
    staff_recipients.forget(session)
    return staff
