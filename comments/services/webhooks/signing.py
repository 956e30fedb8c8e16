"""Standard Webhooks signatures (https://www.standardwebhooks.com), so receivers can verify
with any of its libraries: HMAC-SHA256 over ``{id}.{timestamp}.{body}`` with a ``whsec_``
secret, sent as ``v1,<base64>``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
#: The spec asks for 24 to 64 random bytes; 32 match the digest's size.
SECRET_BYTES = 32


def new_secret() -> str:
    """A signing secret in the spec's serialisation: ``whsec_`` and the base64 of the key."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signing_key(secret: str) -> bytes:
    """The HMAC key: the bytes behind the ``whsec_`` prefix."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one attempt."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(
    secrets_in_use: Sequence[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers; the timestamp is the attempt's, the id the event's.

    One signature per secret, space-separated as the spec allows: during a rotation the
    receiver accepts the delivery with either its old or its new secret.
    """
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret, message_id, timestamp, body) for secret in secrets_in_use
        ),
    }
