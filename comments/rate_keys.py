"""What the rate limits count under: keyed hashes, never an address or an e-mail.

Counts live in Redis, which is often shared, backed up and inspected by people who should not
see who commented. IPv6 clients count per /64: one subscriber usually holds a whole /64 and
could otherwise step through its addresses to reset every per-address limit.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app, request

from comments.network import client_ip, ip_hash_keys

#: Enough of the digest to tell clients apart; shorter keys keep Redis small.
_DIGEST_CHARS = 32


def _digest(kind: str, value: str) -> str:
    mac = hmac.new(
        ip_hash_keys(current_app.config)[0], f"rate-limit:{kind}:{value}".encode(), hashlib.sha256
    )
    return f"{kind}:{mac.hexdigest()[:_DIGEST_CHARS]}"


def address_group(ip: str) -> str:
    """The client's IPv4 address, or the /64 network of its IPv6 address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_bucket() -> str:
    """Per-client limits: the keyed hash of the client's address group."""
    return _digest("ip", address_group(client_ip()))


def posted_email() -> str:
    """The author e-mail of a JSON post, normalised as the service stores it ('' if none)."""
    payload = request.get_json(silent=True)
    email = payload.get("author_email") if isinstance(payload, dict) else None
    return email.strip().lower() if isinstance(email, str) else ""


def email_bucket() -> str:
    """Per-author limits: the keyed hash of the posted e-mail."""
    return _digest("email", posted_email())
