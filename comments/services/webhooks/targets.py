"""Whether a webhook URL may be called: its host must be, and resolve only to, public addresses
unless WEBHOOKS_ALLOW_PRIVATE_TARGETS is on.

One check for three moments: saving an endpoint asks, so an admin hears at once instead of
reading a log of failed deliveries; delivery asks before every attempt (DNS can change); and
each direct connection asks again and connects only to the addresses it checked
(``webhooks.connections``), so a name re-pointed after the first check cannot reach a private
address.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: How long saving an endpoint waits for DNS: a request handler or an admin's shell must not
#: hang on a resolver that does not answer.
SAVE_RESOLVE_TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class Target:
    """What the check found: a reason to refuse, or (neither) a host that may be called."""

    #: Why the URL may not be called: its host is or resolves to a non-public address.
    refused: str | None = None
    #: The resolver's error when the host could not be resolved, so nothing is known yet.
    unresolved: str | None = None
    #: What the host is or resolved to, in the resolver's order: all of them were checked.
    addresses: tuple[IPAddress, ...] = ()


def check_target(url: str, timeout: float | None = None) -> Target:
    """Refused if the host is, or resolves to any, address that is not public: loopback,
    private networks, link-local (cloud metadata services), reserved ranges and the like.

    Any one such address refuses a name, since the connection may use any of them. An IP
    literal needs no lookup; a name's lookup is cut short after ``timeout`` seconds (None:
    as long as the resolver takes).
    """
    return check_host(urlsplit(url).hostname or "", timeout)


def check_host(host: str, timeout: float | None = None) -> Target:
    """``check_target`` for a bare host name or address."""
    try:
        addresses = [_literal(host)]
    except ValueError:
        try:
            addresses = _resolve(host, timeout)
        except OSError as error:
            return Target(unresolved=f"{host} could not be resolved ({error})")
    for address in addresses:
        if not address.is_global:
            if str(address) == host:
                return Target(refused=f"{host} is not a public address")
            return Target(refused=f"{host} is {address}, not a public address")
    return Target(addresses=tuple(addresses))


def non_public_target(url: str, timeout: float | None = None) -> str | None:
    """Why the URL may not be called, if its host is or resolves to an address that is not
    public; None when it is public or cannot be resolved (the request then fails on its own,
    with the resolver's error)."""
    return check_target(url, timeout).refused


def _literal(host: str) -> IPAddress:
    """The host as an address if it is one (``[::1]`` arrives without brackets); a zone id
    (``fe80::1%eth0``) names an interface, not another address."""
    return ipaddress.ip_address(host.split("%", 1)[0])


def _resolve(host: str, timeout: float | None) -> list[IPAddress]:
    """Every address the host resolves to; TimeoutError (an OSError) after ``timeout``.

    getaddrinfo takes no timeout, so a bounded lookup runs in a daemon thread that is left to
    finish on its own if the resolver is slow; it holds nothing but the lookup.
    """
    if timeout is None:
        return _addresses(host)
    found: list[IPAddress] = []
    failed: list[OSError] = []

    def lookup() -> None:
        try:
            found.extend(_addresses(host))
        except OSError as error:
            failed.append(error)

    thread = threading.Thread(target=lookup, name="webhook-target-lookup", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no answer from DNS within {timeout:g} s")
    if failed:
        raise failed[0]
    return found


def _addresses(host: str) -> list[IPAddress]:
    return [
        _literal(str(sockaddr[0]))
        for *_, sockaddr in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    ]
