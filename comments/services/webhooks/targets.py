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
        if not address.is_global or not _embedded_is_global(address):
            if str(address) == host:
                return Target(refused=f"{host} is not a public address")
            return Target(refused=f"{host} is {address}, not a public address")
    return Target(addresses=tuple(addresses))


def non_public_target(url: str, timeout: float | None = None) -> str | None:
    """Why the URL may not be called, if its host is or resolves to an address that is not
    public; None when it is public or cannot be resolved (the request then fails on its own,
    with the resolver's error)."""
    return check_target(url, timeout).refused


#: IPv6 prefixes that carry an IPv4 address in their last 32 bits and reach it through a
#: translator: NAT64's well-known and local-use prefixes (RFC 6052, 8215), IPv4-compatible.
_IPV4_CARRIERS = tuple(
    ipaddress.IPv6Network(prefix) for prefix in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96")
)


def _embedded_is_global(address: IPAddress) -> bool:
    """False when an IPv6 address carries a non-public IPv4 one (NAT64, 6to4, Teredo, an
    IPv4-compatible address), which Python's ``is_global`` counts as public: through a
    translator, ``64:ff9b::a00:5`` is 10.0.0.5."""
    if isinstance(address, ipaddress.IPv4Address):
        return True
    carried = [address.sixtofour, address.teredo[1] if address.teredo else None]
    if any(address in network for network in _IPV4_CARRIERS):
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return all(ipv4.is_global for ipv4 in carried if ipv4 is not None)


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
