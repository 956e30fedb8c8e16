"""Signed links in mails: itsdangerous with SECRET_KEY, one salt per purpose.

- confirm: a reader's subscription, valid MAIL_CONFIRM_MAX_AGE seconds;
- unsubscribe: never expires (RFC 8058 expects it to keep working for as long as mails do);
- staff: which staff member a moderator mail was for and which comment it names, valid
  MAIL_STAFF_LINK_MAX_AGE seconds. It grants nothing by itself: the page still needs that
  staff member's signed-in session (see comments.moderation_ui.notifications).

Subscription tokens carry the row's id and creation second, never the address, so a link
cannot reach a later row that reused an id.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from comments.models import MailSubscription
from comments.services.mail.settings import base_url

CONFIRM_SALT = "comments.mail.confirm"
UNSUBSCRIBE_SALT = "comments.mail.unsubscribe"
STAFF_SALT = "comments.mail.staff-link"

CONFIRM_PATH = "/mail/confirm"
UNSUBSCRIBE_PATH = "/mail/unsubscribe"
STAFF_PATH = "/moderation/open"


class InvalidLink(ValueError):
    """Tampered, malformed, for another purpose, or expired."""


def _timed(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _subscription_key(subscription: MailSubscription) -> list[int]:
    return [subscription.id, int(subscription.created_at.timestamp())]


def confirm_url(subscription: MailSubscription) -> str:
    token = _timed(CONFIRM_SALT).dumps(_subscription_key(subscription))
    return f"{base_url()}{CONFIRM_PATH}?token={token}"


def unsubscribe_url(subscription: MailSubscription) -> str:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    return (
        f"{base_url()}{UNSUBSCRIBE_PATH}?token={serializer.dumps(_subscription_key(subscription))}"
    )


def staff_url(staff_id: int, comment_id: int) -> str:
    token = _timed(STAFF_SALT).dumps([staff_id, comment_id])
    return f"{base_url()}{STAFF_PATH}?token={token}"


def _pair(value: Any) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        raise InvalidLink("This link is not valid.")
    return value[0], value[1]


def read_confirm(token: str) -> tuple[int, int]:
    """(subscription id, creation second) from a confirmation link."""
    max_age = int(current_app.config["MAIL_CONFIRM_MAX_AGE"])
    try:
        return _pair(_timed(CONFIRM_SALT).loads(token, max_age=max_age))
    except SignatureExpired as error:
        raise InvalidLink("This confirmation link has expired.") from error
    except BadSignature as error:
        raise InvalidLink("This link is not valid.") from error


def read_unsubscribe(token: str) -> tuple[int, int]:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    try:
        return _pair(serializer.loads(token))
    except BadSignature as error:
        raise InvalidLink("This link is not valid.") from error


def read_staff(token: str) -> tuple[int, int]:
    """(staff id, comment id) from a moderator's link."""
    max_age = int(current_app.config["MAIL_STAFF_LINK_MAX_AGE"])
    try:
        return _pair(_timed(STAFF_SALT).loads(token, max_age=max_age))
    except SignatureExpired as error:
        raise InvalidLink("This link has expired; find the comment in the queue.") from error
    except BadSignature as error:
        raise InvalidLink("This link is not valid.") from error
