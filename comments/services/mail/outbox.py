"""The mail outbox: the one way any part of the service sends e-mail.

``queue_mail`` adds a row in the caller's transaction; the caller commits. A rolled-back
change therefore sends nothing, and a committed one is sent by the sender (in-process thread
or ``flask mail send``) with retries. Rows are written even while SMTP_HOST is unset, and go
out once it is set; unsent ones expire with everything else after MAIL_KEEP_DAYS.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from comments.models import OutboxMail

_OUTBOX = cast(Table, OutboxMail.__table__)
#: Headers the sender sets itself; a caller's value would be a forged or broken message.
_RESERVED = frozenset({"from", "to", "subject", "date", "message-id", "content-type"})


def queue_mail(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: Mapping[str, str] | None = None,
    kind: str = "notice",
    comment_id: int | None = None,
) -> None:
    """Add one mail to the outbox (one INSERT, no flush of the session); the caller commits.

    ``text`` is the plain-text body (always sent), ``html`` an optional alternative;
    ``headers`` are extra headers such as List-Unsubscribe. Line breaks in the address,
    subject or headers are refused, so no caller can inject headers. ``comment_id`` names
    the comment the mail quotes: erasing its author's data deletes the mail, sent or not.
    """
    fields = [to, subject, *(headers or {}).keys(), *(headers or {}).values()]
    if any("\r" in value or "\n" in value for value in fields):
        raise ValueError("mail addresses, subjects and headers must be one line")
    extra = dict(headers or {})
    if _RESERVED & {name.lower() for name in extra}:
        raise ValueError(f"these headers are set by the sender: {sorted(_RESERVED)}")
    now = datetime.now(UTC)
    session.connection().execute(
        insert(_OUTBOX),
        {
            "kind": kind[:32],
            "comment_id": comment_id,
            "to_address": to,
            "subject": subject[:300],
            "text": text,
            "html": html,
            "headers": extra,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def purge_old(session: Session, keep_days: float, now: datetime | None = None) -> int:
    """Delete mails (address, subject, bodies) queued more than ``keep_days`` ago, sent,
    failed or not; answers how many. The caller commits."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    result = session.execute(
        delete(OutboxMail).where(OutboxMail.created_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)
