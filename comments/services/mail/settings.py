"""Mail settings from the app's config, checked once when the app starts."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from comments.config import retry_schedule
from comments.config_errors import ConfigError
from comments.services.mail.addresses import default_sender, sender_problem

log = logging.getLogger(__name__)

SECURITY_MODES = ("none", "starttls", "tls")
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
_warned: set[str] = set()


def warn_once(key: str, message: str, *args: Any) -> None:
    """One warning per process and subject: e-mail being off is news once, not per comment."""
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


@dataclass(frozen=True, slots=True)
class MailSettings:
    host: str | None
    port: int
    username: str | None
    password: str | None
    security: str
    timeout: float
    sender: str
    public_url: str | None
    max_attempts: int
    schedule: tuple[float, ...]
    batch_size: int
    poll: float
    keep_days: float
    digest_hour: int

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        """Raises ConfigError for a setting that cannot work, so the app refuses to start."""
        raw_security = config["SMTP_SECURITY"]
        security = str(raw_security).lower()
        if security not in SECURITY_MODES:
            raise ConfigError(
                f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, got {raw_security!r}"
            )
        public_url = (config.get("PUBLIC_URL") or "").rstrip("/") or None
        if public_url and (
            urlsplit(public_url).scheme not in ("http", "https")
            or not urlsplit(public_url).hostname
        ):
            raise ConfigError(
                f"PUBLIC_URL must be an http or https address, got {config['PUBLIC_URL']!r}"
            )
        if config.get("SMTP_HOST") and not public_url:
            # Links in mails would take the host each request names, and whoever sends the
            # request writes it: a privacy, confirmation or staff link to their host.
            raise ConfigError(
                "PUBLIC_URL must be set when SMTP_HOST is (links in mails would otherwise use "
                "the Host header each request sends), got None"
            )
        host_name = urlsplit(public_url).hostname if public_url else None
        digest_hour = int(config["MAIL_DIGEST_HOUR"])
        if not 0 <= digest_hour <= 23:
            raise ConfigError(
                f"MAIL_DIGEST_HOUR must be an hour from 0 to 23 (UTC), got {digest_hour!r}"
            )
        return cls(
            host=config.get("SMTP_HOST") or None,
            port=int(config.get("SMTP_PORT") or _DEFAULT_PORTS[security]),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            security=security,
            timeout=float(config["SMTP_TIMEOUT_SECONDS"]),
            sender=_sender(config.get("MAIL_FROM"), host_name, bool(config.get("SMTP_HOST"))),
            public_url=public_url,
            max_attempts=max(1, int(config["MAIL_MAX_ATTEMPTS"])),
            schedule=retry_schedule("MAIL_RETRY_SCHEDULE", str(config["MAIL_RETRY_SCHEDULE"])),
            batch_size=max(1, int(config["MAIL_BATCH_SIZE"])),
            poll=float(config["MAIL_POLL_SECONDS"]),
            keep_days=float(config["MAIL_KEEP_DAYS"]),
            digest_hour=digest_hour,
        )


def _sender(configured: str | None, public_host: str | None, sending: bool) -> str:
    """MAIL_FROM, or one made from PUBLIC_URL's host; either way a From: line a server takes,
    or the app does not start (a bad sender would fail every mail, one by one). A made-up one
    matters only when mail is on: a single-label PUBLIC_URL host is no reason not to start."""
    if configured:
        problem = sender_problem(configured)
        if problem:
            raise ConfigError(f"MAIL_FROM {problem}, got {configured!r}")
        return configured
    sender = default_sender(public_host)
    if sending and sender_problem(sender):
        raise ConfigError(
            f"MAIL_FROM is unset and {sender!r}, made from PUBLIC_URL's host, is not an "
            "e-mail address: set MAIL_FROM"
        )
    return sender


def current() -> MailSettings:
    """The running app's settings, parsed once per app."""
    settings: MailSettings | None = current_app.extensions.get("mail_settings")
    if settings is None:
        settings = MailSettings.from_config(current_app.config)
        current_app.extensions["mail_settings"] = settings
    return settings


class NoPublicUrl(RuntimeError):
    """A mail with links was to be written while PUBLIC_URL is unset."""


def links_available() -> bool:
    """Whether mails with links can be written: only under PUBLIC_URL, never under a host a
    request named (whoever sends the request writes its Host header)."""
    return current().public_url is not None


def base_url() -> str:
    """Where links in mails point: PUBLIC_URL. Callers check links_available() first (e-mail
    on implies it), since a mail queued now may go out later, under another configuration."""
    public_url = current().public_url
    if public_url is None:
        raise NoPublicUrl("PUBLIC_URL is unset: mails with links cannot be written")
    return public_url
