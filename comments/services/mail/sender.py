"""Sending the outbox over SMTP: claim, send, record; retried with backoff.

Claims are leases taken in one short UPDATE (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
SQLite the UPDATE's own write lock makes it atomic), committed before SMTP is spoken, so
several threads, gunicorn workers or instances never send one mail twice, and no transaction
is held while the SMTP server answers. A worker that dies mid-send leaves a lease that
expires; the mail is then retried (the one case where it may arrive twice).
"""

from __future__ import annotations

import random
import re
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from comments.db import polling
from comments.models import OutboxMail
from comments.services.mail.settings import MailSettings, log

JITTER = 0.2
_ERROR_CHARS = 500
#: Anything shaped like an address; servers such as Postfix echo the refused one back.
_ADDRESS = re.compile(r"(?:\"[^\"]*\"|[^\s<>()\[\]{}\"',;:]+)@[^\s<>()\[\]{}\"',;:]+")


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed mail, detached from the session."""

    id: int
    token: str
    attempts: int
    to: str
    subject: str
    text: str
    html: str | None
    headers: dict[str, str]


def _lease(settings: MailSettings) -> timedelta:
    # Connecting, the handshake and each message may each take up to the timeout.
    return timedelta(seconds=settings.timeout * (4 + settings.batch_size) + 30)


def _due(now: datetime) -> Select[int]:
    return select(OutboxMail.id).where(
        OutboxMail.status == "pending",
        OutboxMail.next_attempt_at <= now,
        or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until < now),
    )


def claim(session: Session, settings: MailSettings, now: datetime) -> list[Job]:
    """Lease up to batch_size due mails and commit the lease."""
    token = secrets.token_hex(16)
    due = _due(now).order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(settings.batch_size)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(due.scalar_subquery()))
        .values(locked_until=now + _lease(settings), lock_token=token)
        .returning(OutboxMail.id),
        execution_options={"synchronize_session": False},
    ).all()
    jobs = []
    if claimed:
        rows = session.execute(
            select(
                OutboxMail.id,
                OutboxMail.attempts,
                OutboxMail.to_address,
                OutboxMail.subject,
                OutboxMail.text,
                OutboxMail.html,
                OutboxMail.headers,
            )
            .where(OutboxMail.lock_token == token)
            .order_by(OutboxMail.id)
        )
        jobs = [Job(row.id, token, row.attempts, *row[2:]) for row in rows]
    session.commit()
    return jobs


#: Lines up to RFC 5322's limit: folding a long unbreakable value (the unsubscribe URL)
#: makes the default policy RFC 2047-encode it, which mail clients cannot read as a URL.
_POLICY = policy.SMTP.clone(max_line_length=998)


def message(settings: MailSettings, job: Job) -> EmailMessage:
    mail = EmailMessage(policy=_POLICY)
    mail["From"] = settings.sender
    mail["To"] = job.to
    mail["Subject"] = job.subject
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2].strip("> ") or None)
    mail["Auto-Submitted"] = "auto-generated"
    for name, value in job.headers.items():
        mail[name] = value
    mail.set_content(job.text)
    if job.html:
        mail.add_alternative(job.html, subtype="html")
    return mail


def connect(settings: MailSettings) -> smtplib.SMTP:
    """An open, authenticated connection; TLS certificates are verified."""
    assert settings.host
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _permanent(error: Exception) -> bool:
    """A 5xx answer about this message: retrying cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def describe(error: Exception) -> str:
    """The SMTP code and answer, for the log and the outbox row, without any address: the
    recipient may be a reader who asked to be erased, known otherwise only by a hash."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [_answer(code, text) for code, text in error.recipients.values()]
        detail = "; ".join(answers) or "no recipient accepted"
        for recipient in error.recipients:
            detail = re.sub(re.escape(recipient), "[address]", detail, flags=re.IGNORECASE)
    elif isinstance(error, smtplib.SMTPResponseException):
        detail = _answer(error.smtp_code, error.smtp_error)
    else:
        detail = str(error)
    return _ADDRESS.sub("[address]", f"{type(error).__name__}: {detail}")[:_ERROR_CHARS]


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}"


def record(session: Session, settings: MailSettings, job: Job, error: Exception | None) -> str:
    """Store the attempt and what comes next; answers the mail's new status."""
    now = datetime.now(UTC)
    attempts = job.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "locked_until": None, "lock_token": None}
    if error is None:
        values.update(status="sent", sent_at=now, last_error=None)
    else:
        values["last_error"] = describe(error)
        if _permanent(error) or attempts >= settings.max_attempts:
            values["status"] = "failed"
        else:
            delay = settings.schedule[min(attempts, len(settings.schedule)) - 1]
            values["next_attempt_at"] = now + timedelta(
                seconds=delay * (1 + JITTER * random.random())
            )
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == job.id, OutboxMail.lock_token == job.token)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    status: str = values.get("status", "pending")
    return status


def send_due(session: Session, settings: MailSettings) -> int:
    """Send one batch of due mails over one connection; answers how many were attempted.

    Commits the claim before connecting and the results after sending."""
    if not settings.enabled:
        return 0
    now = datetime.now(UTC)
    with polling(session):
        due = bool(session.scalar(select(_due(now).exists())))
    if not due:
        return 0
    jobs = claim(session, settings, now)
    if not jobs:
        return 0
    errors: dict[int, Exception | None] = {}
    try:
        smtp = connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        log.warning(
            "SMTP server %s:%s unavailable: %s", settings.host, settings.port, describe(error)
        )
        errors = dict.fromkeys((job.id for job in jobs), error)
    else:
        with smtp:
            for job in jobs:
                try:
                    smtp.send_message(message(settings, job))
                    errors[job.id] = None
                except (OSError, smtplib.SMTPException) as error:
                    errors[job.id] = error
    for job in jobs:
        failure = errors.get(job.id)
        status = record(session, settings, job, failure)
        if failure is not None:
            log.warning("mail %s (%s): %s", job.id, status, describe(failure))
    session.commit()
    return len(jobs)
