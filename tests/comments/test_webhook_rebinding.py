"""DNS rebinding: a name that answers a public address to the delivery's check and a private one
to the connection must not reach the private address. Connections go only to addresses that
were checked as they connect; a proxy from the environment still applies."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from comments.services.webhooks import connections
from comments.services.webhooks.delivery import DeliverySettings, Job, attempt, new_client
from comments.services.webhooks.targets import Target
from tests.comments.webhook_receiver import Receiver, receiver

SETTINGS = DeliverySettings(max_attempts=1, timeout=2, schedule=(1.0,), allow_private=False)
#: example.com's address: public, and never connected to here.
PUBLIC = "93.184.215.14"
_real_getaddrinfo = socket.getaddrinfo


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def job(url: str) -> Job:
    return Job(1, "t", 1, 0, "msg_1", {"type": "comment.created"}, url, ("whsec_AAAA",))


def answers(monkeypatch: pytest.MonkeyPatch, name: str, addresses: list[str]) -> list[str]:
    """``name`` resolves to each of ``addresses`` in turn (the last one repeating), for every
    caller (the check, httpx, the socket module); returns the log of answers given."""
    given: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != name:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        given.append(addresses[min(len(given), len(addresses) - 1)])
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (given[-1], port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return given


def test_a_name_rebound_to_loopback_after_the_check_is_not_connected_to(
    monkeypatch: pytest.MonkeyPatch, hooks: Receiver
) -> None:
    port = hooks.url.rsplit(":", 1)[1]
    given = answers(monkeypatch, "rebind.example", [PUBLIC, "127.0.0.1"])
    with new_client(SETTINGS) as client:
        result = attempt(client, job(f"http://rebind.example:{port}/hook"))
    assert given[0] == PUBLIC  # the check before the attempt saw a public address
    assert hooks.received == []
    assert not result.ok
    assert result.error is not None and "rebind.example is 127.0.0.1" in result.error


def test_the_connection_goes_to_the_address_checked_not_to_a_new_lookup(
    monkeypatch: pytest.MonkeyPatch, hooks: Receiver
) -> None:
    """Here the check is told the receiver's loopback address is fine, and any later lookup
    would fail: the delivery arrives, so the socket used the checked address itself."""
    port = hooks.url.rsplit(":", 1)[1]
    checked = Target(addresses=(ipaddress.ip_address("127.0.0.1"),))
    monkeypatch.setattr(connections, "check_host", lambda host, timeout=None: checked)
    monkeypatch.setattr(
        "comments.services.webhooks.delivery.non_public_target", lambda url, timeout=None: None
    )
    answers(monkeypatch, "pinned.example", ["203.0.113.1"])  # TEST-NET: would time out
    with new_client(SETTINGS) as client:
        result = attempt(client, job(f"http://pinned.example:{port}/hook"))
    assert result.ok, result.error
    assert [r.headers["host"] for r in hooks.received] == [f"pinned.example:{port}"]


def test_a_proxy_from_the_environment_still_carries_deliveries(
    monkeypatch: pytest.MonkeyPatch, hooks: Receiver
) -> None:
    """The receiver stands in for a filtering proxy on loopback, which the operator chose."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", hooks.url)
    answers(monkeypatch, "receiver.example", [PUBLIC])
    with new_client(SETTINGS) as client:
        result = attempt(client, job("http://receiver.example/hook"))
    assert result.ok, result.error
    assert [r.path for r in hooks.received] == ["http://receiver.example/hook"]


def test_a_resolver_that_never_answers_fails_the_attempt_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check before the attempt and the connection's own lookup are both cut short, so a
    silent resolver holds a delivery worker for a timeout, not for ever (nor past its lease)."""
    released = threading.Event()

    def silent(*args: Any, **kwargs: Any) -> Any:
        released.wait(10)
        raise socket.gaierror("gave up")

    monkeypatch.setattr(socket, "getaddrinfo", silent)
    quick = DeliverySettings(max_attempts=1, timeout=0.2, schedule=(1.0,), allow_private=False)
    try:
        started = time.monotonic()
        with new_client(quick) as client:
            result = attempt(client, job("https://silent.example/hook"))
        assert time.monotonic() - started < 2
    finally:
        released.set()
    assert not result.ok and result.error is not None
    assert "no answer from DNS within 0.2 s" in result.error
