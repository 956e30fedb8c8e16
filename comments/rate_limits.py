"""The rate-limit settings, checked when the app starts.

Flask-Limiter parses a limit only when a request needs it, and a value it cannot parse is
skipped with a log line nobody reads: a typo in ``RATELIMIT_LOGIN_PER_IP`` would switch off the
brute-force protection of staff sign-in while /healthz says the limits are fine. A setting that
is not a rate limit stops the app instead, naming the variable, the value and the form expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import limits

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


class RateLimitConfigError(ValueError):
    """A rate-limit setting that Flask-Limiter could not parse (and would silently skip)."""


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse any configured limit that ``limits`` cannot parse; unset ones keep their default.

    Checked with limits are on or off: turning them on later must not find a typo then.
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
            raise RateLimitConfigError(
                f"{name}: {value!r} is not a rate limit; {EXPECTED}"
            ) from None
