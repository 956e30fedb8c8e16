"""Keyed hashes of addresses: how an erased author stays banned and a request is logged.

The keys are the IP hash keys (``comments.network.ip_hash_keys``), current first, so rotating
IP_HASH_KEY rotates these too, and the previous keys keep matching until they are dropped.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from comments.network import ip_hashes

#: Prefix of an e-mail stored as its keyed hash (a ban whose author was erased); an address
#: always contains "@", so the two cannot be confused.
HASHED_EMAIL_PREFIX = "hmac:"


def normalise_email(email: str) -> str:
    """As submission stores author_email: stripped and lower-cased."""
    return email.strip().lower()


def email_hash(email: str, key: bytes) -> str:
    """The address under one key; a sub-key keeps it apart from the IP hashes."""
    subkey = hmac.new(key, b"email-hash", hashlib.sha256).digest()
    return hmac.new(subkey, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def email_hashes(email: str, keys: Sequence[bytes]) -> list[str]:
    """The address under every accepted key, the current key's hash first."""
    return [email_hash(email, key) for key in keys]


@dataclass(frozen=True, slots=True)
class BanKeys:
    """Every value a ban of this author may hold: the address as given and as its keyed
    hashes, the IP address under the current and the previous keys."""

    emails: tuple[str, ...] = ()
    ip_hashes: tuple[str, ...] = ()

    @classmethod
    def of(cls, email: str | None, ip_hash: str | None) -> BanKeys:
        """Plain values only, for callers that know no keys (matching as before rotation)."""
        return cls((email,) if email else (), (ip_hash,) if ip_hash else ())


def ban_keys(email: str | None, ip: str | None, keys: Sequence[bytes]) -> BanKeys:
    """What a submission from ``ip`` with ``email`` is matched against in ``bans``."""
    emails: tuple[str, ...] = ()
    if email:
        hashed = (HASHED_EMAIL_PREFIX + value for value in email_hashes(email, keys))
        emails = (normalise_email(email), *hashed)
    return BanKeys(emails, tuple(ip_hashes(ip, keys)) if ip else ())
