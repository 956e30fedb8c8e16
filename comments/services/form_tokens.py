"""Signed time tokens: the widget fetches one when the form appears and sends it back."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeTimedSerializer

from comments.policy import Signal

_SALT = "comment-form-token"


@lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    """One per key: building it costs more than checking a token with it."""
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue(secret_key: str, site_name: str, thread_key: str) -> str:
    return _serializer(secret_key).dumps({"s": site_name, "t": thread_key})


@dataclass(frozen=True, slots=True)
class FormCheck:
    site_name: str
    thread_key: str
    token: str | None
    min_seconds: int
    max_age: int
    required: bool


def check(secret_key: str, form: FormCheck, now: float | None = None) -> list[Signal]:
    """Signals for a missing, forged, expired, reused-elsewhere or too-quick token."""
    if not form.token:
        return [Signal("form_token_required" if form.required else "form_token_missing")]
    try:
        payload, issued = _serializer(secret_key).loads(
            form.token, max_age=form.max_age, return_timestamp=True
        )
    except BadSignature:
        return [Signal("form_token_invalid", {"problem": "bad signature or expired"})]
    if payload != {"s": form.site_name, "t": form.thread_key}:
        return [Signal("form_token_invalid", {"problem": "issued for another thread"})]
    elapsed = (now if now is not None else time.time()) - issued.timestamp()
    if elapsed < form.min_seconds:
        return [Signal("submitted_too_fast", {"seconds": round(elapsed, 2)})]
    return []
