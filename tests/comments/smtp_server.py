"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from comments.services.mail import worker
from tests.servers import free_port, wait_for


class Inbox:
    """Messages as parsed by the standard library, with their envelope recipients.

    ``refuse`` maps a recipient to the reply that refuses it (e.g. "550 5.1.1 no such user"),
    as a real server refuses a mistyped or full mailbox."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def take(self) -> list[EmailMessage]:
        """Everything received since the last take."""
        with self.lock:
            taken, self.messages = self.messages, []
        return taken

    def wait(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        wait_for(lambda: len(self.messages) >= count, timeout, f"{count} mail(s)")
        return self.take()


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def mail_config(server: SmtpServer, **extra: Any) -> dict[str, Any]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": server.port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT_SECONDS": 5.0,
        "MAIL_FROM": "Comments <comments@comments.example>",
        "PUBLIC_URL": "https://comments.example",
        **extra,
    }


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


def send_queued(app: Flask) -> int:
    """What the sending thread does, once: every due mail goes out now (no digests)."""
    return worker.run(app, threading.Event(), once=True, with_digests=False)
