"""Who is asking: the client address and its keyed hash."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request


def client_ip() -> str:
    """The peer address; ProxyFix (PROXY_FIX_X_FOR) rewrites it only behind trusted proxies."""
    return request.remote_addr or "unknown"


def ip_hash_key(secret_key: str, configured: str | None) -> bytes:
    """A dedicated key, or one derived from SECRET_KEY so raw IPs are never stored."""
    if configured:
        return configured.encode()
    return hmac.new(secret_key.encode(), b"ip-hash", hashlib.sha256).digest()


def hash_ip(ip: str, key: bytes) -> str:
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def current_ip_hash() -> str:
    key = ip_hash_key(current_app.config["SECRET_KEY"], current_app.config.get("IP_HASH_KEY"))
    return hash_ip(client_ip(), key)
