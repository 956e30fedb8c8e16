"""The rate-limit settings, checked when the app starts, and what an answer costs.

Flask-Limiter parses a limit only when a request needs it, and a value it cannot parse is
skipped with a log line nobody reads: a typo in ``RATELIMIT_LOGIN_PER_IP`` would switch off the
brute-force protection of staff sign-in while /healthz says the limits are fine. A setting that
is not a rate limit stops the app instead, naming the variable, the value and the form expected.

A 503 is the server's fault and costs the client nothing: see ``refund``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import limits
from flask_limiter import RequestLimit
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from comments.config_errors import ConfigError

#: Every limit the service applies; each value is read again per request by its view.
SETTINGS = (
    "RATELIMIT_COMMENTS_PER_IP",
    "RATELIMIT_COMMENTS_PER_EMAIL",
    "RATELIMIT_REPORTS_PER_IP",
    "RATELIMIT_LOGIN_PER_IP",
    "RATELIMIT_PRIVACY_PER_IP",
    "RATELIMIT_PRIVACY_PER_EMAIL",
    "RATELIMIT_PER_SITE_KEY",
)
EXPECTED = "expected e.g. '10 per minute' or '6/minute;60/hour'"


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse any configured limit that ``limits`` cannot parse; unset ones keep their default.

    Checked whether limits are on or off: turning them on later must not meet a typo then.
    """
    for name in SETTINGS:
        if name not in config:
            continue
        value = config[name]
        try:
            if not isinstance(value, str):
                raise TypeError(value)
            limits.parse_many(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: {value!r} is not a rate limit; {EXPECTED}") from None


def refund(strategy: RateLimiter, counted: Iterable[RequestLimit]) -> None:
    """Take back the hit each limit in ``counted`` took for this request.

    For answers that are the server's fault (503): the client is told to come back after
    ``Retry-After``, and counting the attempt would answer that very retry with 429. The hit
    is taken up front and given back, rather than deducted afterwards (Flask-Limiter's
    ``deduct_when``), because a deduction after the answer lets concurrent posts all pass the
    check first: with two workers the limit no longer held exactly.

    The moving window keeps one timestamp per hit, newest first, in memory or in a Redis list:
    the newest is removed (another request's, if one came in meanwhile; the window then ends a
    few milliseconds early). Other storages keep the hit (the limit stays on).
    """
    if not isinstance(strategy, MovingWindowRateLimiter):
        return
    storage = strategy.storage
    for limit in counted:
        if limit.breached:  # refused (429), never counted
            continue
        if isinstance(storage, RedisStorage):
            connection: Any = storage.get_connection()  # redis.Redis; limits types it narrower
            connection.lpop(storage.prefixed_key(limit.key))
        elif isinstance(storage, MemoryStorage):
            with storage.locks[limit.key]:
                if events := storage.events.get(limit.key):
                    del events[0]
