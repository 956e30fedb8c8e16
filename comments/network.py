"""Who is asking: the client address, believed from X-Forwarded-For only via trusted proxies.

A proxy appends the address it received the request from to ``X-Forwarded-For``, so only the
entries that trusted proxies wrote can be believed: walking the chain from the right, the first
address that is not a trusted proxy is the client. Everything to its left was sent by the client
and may be forged (a rotating fake address would otherwise reset every per-IP limit).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app, request

from comments.config_errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
WSGIApp = Callable[[dict[str, Any], Any], Any]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The TRUSTED_PROXIES entry for a proxy that connects over a Unix socket (no peer address).
UNIX_SOCKET = "unix"

log = logging.getLogger(__name__)


class ProxyConfigError(ConfigError):
    """TRUSTED_PROXIES (or the retired PROXY_FIX_X_FOR) cannot be used as configured."""


def parse_address(text: str) -> IPAddress | None:
    """An address from a peer or an X-Forwarded-For entry; a port or IPv6 brackets are dropped.

    IPv4-mapped IPv6 (``::ffff:192.0.2.1``, seen on dual-stack sockets) becomes plain IPv4, so
    one client has one address whichever way it arrived.
    """
    text = text.strip()
    if text.startswith("["):  # "[2001:db8::1]:443"
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class TrustedProxies:
    """The proxies whose X-Forwarded-For entries are believed; empty means none are."""

    networks: tuple[IPNetwork, ...] = ()
    unix_socket: bool = False

    @classmethod
    def parse(cls, value: str | Iterable[str]) -> TrustedProxies:
        """``"127.0.0.1, 10.0.0.0/8 unix"`` (or a list); a bad entry stops the app starting."""
        entries = value.replace(",", " ").split() if isinstance(value, str) else list(value)
        networks: list[IPNetwork] = []
        unix_socket = False
        for entry in entries:
            if entry.strip().lower() == UNIX_SOCKET:
                unix_socket = True
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError as error:
                raise ProxyConfigError(
                    f"TRUSTED_PROXIES: {entry!r} is not an IP address, a network "
                    f"(10.0.0.0/8) or {UNIX_SOCKET!r}"
                ) from error
        return cls(tuple(networks), unix_socket)

    def __bool__(self) -> bool:
        return bool(self.networks) or self.unix_socket

    def trusts(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)

    def vouches_for(self, peer: str | None) -> bool:
        """Whether what this peer adds to a request (X-Forwarded-*) is believed."""
        if not peer:
            return self.unix_socket  # servers report no address for a Unix-socket peer
        address = parse_address(peer)
        return address is not None and self.trusts(address)

    def client(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> str:
        """The client's address: the peer, or the nearest untrusted X-Forwarded-For entry."""
        peer_address = parse_address(peer) if peer else None
        client = str(peer_address) if peer_address else peer or "unknown"
        if not self.vouches_for(peer):
            return client
        hops = [hop for header in forwarded_for for hop in header.split(",")]
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:
                # A trusted proxy passed on something that is no address: the proxy itself
                # is the last hop we can vouch for, so a client cannot mint fresh keys.
                break
            client = str(address)
            if not self.trusts(address):
                break
        return client


class ForwardedScheme:
    """WSGI middleware: behind a TLS-terminating proxy, the scheme the browser used.

    The proxy speaks plain HTTP to the app, so without this the service's own origin would be
    ``http://...`` while browsers send ``Origin: https://...``, and links in mails would point
    to plain HTTP. ``X-Forwarded-Proto`` is believed only from a peer in TRUSTED_PROXIES (the
    rightmost value: the one the nearest proxy set), and only ``http`` or ``https``.
    """

    def __init__(self, app: WSGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        header = environ.get("HTTP_X_FORWARDED_PROTO")
        if header:
            scheme = header.rsplit(",", 1)[-1].strip().lower()
            if scheme in ("http", "https") and self.proxies.vouches_for(environ.get("REMOTE_ADDR")):
                environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)


def trusted_proxies(config: Mapping[str, Any]) -> TrustedProxies:
    """TRUSTED_PROXIES from the app's config; the retired PROXY_FIX_X_FOR alone is refused.

    PROXY_FIX_X_FOR=N believed N hops of X-Forwarded-For from any client, so anyone could
    choose their address. Silently dropping it would put every client behind the proxy into
    one rate-limit bucket, so the app refuses to start and says what to set instead.
    """
    proxies = TrustedProxies.parse(config.get("TRUSTED_PROXIES") or ())
    if config.get("PROXY_FIX_X_FOR"):
        if not proxies:
            raise ProxyConfigError(
                "PROXY_FIX_X_FOR is no longer read: it trusted X-Forwarded-For from any client. "
                "Set TRUSTED_PROXIES to your proxies' addresses or networks (for example "
                "TRUSTED_PROXIES=127.0.0.1 for a proxy on the same host, or 10.0.0.0/8) and "
                "remove PROXY_FIX_X_FOR."
            )
        log.warning("PROXY_FIX_X_FOR is ignored; TRUSTED_PROXIES decides. Remove PROXY_FIX_X_FOR.")
    return proxies


def client_ip() -> str:
    """The address of whoever sent this request, as the rate limits and the IP hash see it."""
    proxies: TrustedProxies = current_app.extensions["trusted_proxies"]
    return proxies.client(request.remote_addr, request.headers.getlist("X-Forwarded-For"))


def ip_hash_key(secret_key: str, configured: str | None) -> bytes:
    """A dedicated key, or one derived from SECRET_KEY so raw IPs are never stored."""
    if configured:
        return configured.encode()
    return hmac.new(secret_key.encode(), b"ip-hash", hashlib.sha256).digest()


#: The IP_HASH_PREVIOUS_KEYS entry for the key derived from SECRET_KEY (no IP_HASH_KEY set).
DERIVED_KEY = "derived"


def ip_hash_keys(config: Mapping[str, Any]) -> tuple[bytes, ...]:
    """The current key, then the previous ones (IP_HASH_PREVIOUS_KEYS, comma-separated).

    An HMAC cannot be re-keyed without the address it hides, so after a rotation stored hashes
    (bans above all) keep matching through the previous keys until they are dropped.
    """
    return _ip_hash_keys(
        config["SECRET_KEY"],
        config.get("IP_HASH_KEY"),
        str(config.get("IP_HASH_PREVIOUS_KEYS") or ""),
    )


@lru_cache(maxsize=16)
def _ip_hash_keys(secret_key: str, configured: str | None, previous: str) -> tuple[bytes, ...]:
    """Derived once per configuration, not on every request that hashes an address."""
    keys = [ip_hash_key(secret_key, configured)]
    for entry in previous.split(","):
        entry = entry.strip()
        key = ip_hash_key(secret_key, None if entry == DERIVED_KEY else entry)
        if entry and key not in keys:
            keys.append(key)
    return tuple(keys)


def hash_ip(ip: str, key: bytes) -> str:
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def ip_hashes(ip: str, keys: Sequence[bytes]) -> list[str]:
    """The address under every accepted key, the current key's hash first."""
    return [hash_ip(ip, key) for key in keys]


def current_ip_hash() -> str:
    """The caller's address under the current key: what new rows store."""
    return hash_ip(client_ip(), ip_hash_keys(current_app.config)[0])
