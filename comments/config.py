"""Configuration: documented defaults, overridden by environment variables read in create_app."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comments.config_errors import ConfigError
from comments.config_keys import SECRETS, secret, secret_key
from comments.config_urls import database_url, redis_url
from comments.sqlite_turns import TurnTakingConnection

#: Every setting's default. Those read from the environment are listed in the README's
#: Configuration table; the rest (Flask's, Flask-Limiter's, a form token's lifetime) are fixed.
DEFAULTS: dict[str, Any] = {
    "RATELIMIT_ENABLED": True,
    # Without REDIS_URL each process counts on its own: N workers let N times the limit through.
    "RATELIMIT_STORAGE_URI": "memory://",
    "REDIS_URL": None,
    "REDIS_KEY_PREFIX": "comments",
    # At most N in any span of the window, not N per clock minute (twice that across a boundary).
    "RATELIMIT_STRATEGY": "moving-window",
    # Redis down: each worker keeps counting in memory (looser, never off), and checks back.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": False,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_COMMENTS_PER_IP": "6 per minute;60 per hour",
    "RATELIMIT_COMMENTS_PER_EMAIL": "4 per minute;30 per hour",
    "RATELIMIT_REPORTS_PER_IP": "10 per minute;50 per day",
    #: Staff sign-in attempts: the brute-force guard on passwords.
    "RATELIMIT_LOGIN_PER_IP": "10 per minute",
    #: Readers asking for a link to export or erase what is stored about their address.
    "RATELIMIT_PRIVACY_PER_IP": "5 per minute;20 per day",
    "RATELIMIT_PRIVACY_PER_EMAIL": "3 per hour;5 per day",
    #: Calls per site API key to the Perspective- and Akismet-compatible APIs.
    "RATELIMIT_PER_SITE_KEY": "600 per minute",
    "MAX_CONTENT_LENGTH": 64 * 1024,
    #: Queue pages count each queue up to this many comments, then show "1,000+".
    "QUEUE_COUNT_CAP": 1_000,
    "TRUSTED_PROXIES": "",
    "PROXY_FIX_X_FOR": 0,  # retired: refused unless TRUSTED_PROXIES is set (comments.network)
    "MODEL_PATH": None,
    "MODEL_RETRY_SECONDS": 30,
    "MODEL_REFRESH_SECONDS": 2,
    "MODEL_STORE": None,
    "MODEL_SIGNING_KEY": None,
    "FORM_TOKEN_MAX_AGE": 24 * 3600,
    #: Earlier IP hash keys still matched (bans) after a rotation, comma-separated.
    "IP_HASH_PREVIOUS_KEYS": "",
    #: Days after their last change that spam and rejected comments are purged; 0 keeps them.
    "RETENTION_SPAM_DAYS": 30,
    "RETENTION_REJECTED_DAYS": 90,
    #: How long a reader's export or erasure link stays valid, in seconds.
    "PRIVACY_LINK_MAX_AGE": 24 * 3600,
    #: pool_pre_ping is added for database servers (see engine_options).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "JSON_SORT_KEYS": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    #: Webhooks: a delivery thread in each app process (off: run `flask webhooks deliver`).
    "WEBHOOKS_DELIVER_IN_PROCESS": True,
    "WEBHOOKS_MAX_ATTEMPTS": 8,
    "WEBHOOKS_TIMEOUT_SECONDS": 10.0,
    #: Seconds before retries 2, 3, ... (the last repeats): 1 min, 5 min, 30 min, 2 h, 5 h, ...
    "WEBHOOKS_RETRY_SCHEDULE": "60,300,1800,7200,18000,36000,86400",
    "WEBHOOKS_POLL_SECONDS": 2.0,
    "WEBHOOKS_BATCH_SIZE": 10,
    #: Endpoints on loopback, private or link-local addresses are refused unless this is set.
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": False,
    #: E-mail: off while SMTP_HOST is unset. SMTP_PORT None: 25, 587 or 465 by SMTP_SECURITY.
    "SMTP_HOST": None,
    "SMTP_PORT": None,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_SECURITY": "starttls",  # none, starttls or tls
    "SMTP_TIMEOUT_SECONDS": 10.0,
    "MAIL_FROM": None,  # None: comments@ the host of PUBLIC_URL
    #: The service's external base URL, for links in mails (https://comments.example.org).
    "PUBLIC_URL": None,
    #: A sending thread in each app process; None: on when SMTP_HOST is set.
    "MAIL_SEND_IN_PROCESS": None,
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_SCHEDULE": "60,300,1800,7200,18000,36000,86400",
    "MAIL_POLL_SECONDS": 2.0,
    "MAIL_BATCH_SIZE": 20,
    #: Days a mail (address, subject, text) is kept after it was queued, sent or not.
    "MAIL_KEEP_DAYS": 7.0,
    #: Seconds a reader's confirmation link stays valid.
    "MAIL_CONFIRM_MAX_AGE": 7 * 24 * 3600,
    #: Seconds a moderator's link to a waiting comment stays valid.
    "MAIL_STAFF_LINK_MAX_AGE": 14 * 24 * 3600,
    #: The UTC hour at which daily digests go out.
    "MAIL_DIGEST_HOUR": 8,
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
#: Seconds to wait for Redis before a request falls back to in-memory limits; it answers in
#: well under a millisecond when healthy, and a hung Redis must not hang comment posting.
REDIS_TIMEOUT_SECONDS = 1.0
_REDIS_SCHEMES = ("redis", "rediss", "valkey", "valkeys")


@dataclass(frozen=True, slots=True)
class Number:
    """What a numeric setting accepts: a whole number or not, what it counts, its range."""

    whole: bool
    #: What the value is, for the message: "a whole number of days".
    what: str
    low: float = 0
    high: float | None = None
    #: False: ``low`` itself is refused (a timeout or poll interval of 0 makes no sense).
    low_included: bool = True

    def expected(self) -> str:
        if self.high is not None:
            span = f"from {_plain(self.low)} to {_plain(self.high)}"
        elif self.low_included:
            span = f"{_plain(self.low)} or more"
        else:
            span = f"above {_plain(self.low)}"
        return f"{self.what}, {span}"

    def parse(self, name: str, raw: str) -> int | float:
        """The value, or a ConfigError naming the variable, the value and what is expected."""
        try:
            value: int | float = int(raw) if self.whole else float(raw)
        except ValueError:
            value = math.nan
        too_low = value < self.low if self.low_included else value <= self.low
        too_high = self.high is not None and value > self.high
        if not math.isfinite(value) or too_low or too_high:
            raise ConfigError(f"{name} must be {self.expected()}, got {raw!r}")
        return value


def _plain(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _whole(unit: str, low: float = 0, high: float | None = None) -> Number:
    return Number(True, f"a whole number of {unit}", low, high)


def _above_zero(unit: str) -> Number:
    return Number(False, f"a number of {unit}", low_included=False)


#: Every number read from the environment (listed with its meaning in the README).
NUMBERS: dict[str, Number] = {
    "MAX_CONTENT_LENGTH": _whole("bytes", low=1),
    "PROXY_FIX_X_FOR": _whole("proxies"),
    "MODEL_RETRY_SECONDS": _whole("seconds"),
    "MODEL_REFRESH_SECONDS": Number(False, "a number of seconds"),
    "QUEUE_COUNT_CAP": _whole("comments", low=1),
    "RETENTION_SPAM_DAYS": _whole("days"),
    "RETENTION_REJECTED_DAYS": _whole("days"),
    "PRIVACY_LINK_MAX_AGE": _whole("seconds", low=1),
    "WEBHOOKS_MAX_ATTEMPTS": _whole("attempts", low=1),
    "WEBHOOKS_BATCH_SIZE": _whole("deliveries", low=1),
    "WEBHOOKS_TIMEOUT_SECONDS": _above_zero("seconds"),
    "WEBHOOKS_POLL_SECONDS": _above_zero("seconds"),
    "SMTP_PORT": Number(True, "a TCP port number", low=1, high=65535),
    "SMTP_TIMEOUT_SECONDS": _above_zero("seconds"),
    "MAIL_MAX_ATTEMPTS": _whole("attempts", low=1),
    "MAIL_POLL_SECONDS": _above_zero("seconds"),
    "MAIL_BATCH_SIZE": _whole("mails", low=1),
    "MAIL_KEEP_DAYS": _above_zero("days"),
    "MAIL_CONFIRM_MAX_AGE": _whole("seconds", low=1),
    "MAIL_STAFF_LINK_MAX_AGE": _whole("seconds", low=1),
    "MAIL_DIGEST_HOUR": Number(True, "an hour of the day (UTC)", high=23),
}


def retry_schedule(name: str, value: str | Iterable[Any]) -> tuple[float, ...]:
    """ "60,300,1800" (seconds before retries 2, 3, 4) -> (60.0, 300.0, 1800.0), or a
    ConfigError: a typo here would otherwise surface only when the first delivery fails."""
    parts = value.replace(" ", "").split(",") if isinstance(value, str) else list(value)
    try:
        schedule = tuple(float(part) for part in parts if part != "")
    except (TypeError, ValueError):
        schedule = ()
    if not schedule or not all(math.isfinite(delay) and delay >= 0 for delay in schedule):
        shown = value if isinstance(value, str) else ",".join(map(str, parts))
        raise ConfigError(
            f"{name} must be seconds separated by commas, each 0 or more "
            f"(60,300,1800), got {shown!r}"
        )
    return schedule


def flag(name: str, value: str) -> bool:
    """On/off, or a ConfigError: a typo such as SESSION_COOKIE_SECURE=ture must not quietly
    mean "off". Empty means off, as an unset value does for the settings that default to it."""
    word = value.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ConfigError(
            f"{name} must be one of 1, true, yes, on, 0, false, no, off, got {value!r}"
        )
    return word in _TRUE


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """A server may drop a pooled connection (restart, failover), so each checkout is pinged
    first; an SQLite file has no connection to lose, and the ping would be a query per request.
    """
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    # A failed statement's message would carry its parameters (authors' and staff members'
    # addresses) into every log that prints the error; the SQL and the cause are enough.
    options.setdefault("hide_parameters", True)
    if not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        options.setdefault("pool_pre_ping", True)
        return options
    # Writers take turns on the file instead of polling SQLite's lock (comments.sqlite_turns).
    options["connect_args"] = {"factory": TurnTakingConnection, **options.get("connect_args", {})}
    return options


def from_environment(env: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Translate environment variables into Flask config keys."""
    config: dict[str, Any] = {}
    default_db = f"sqlite:///{instance_path / 'comments.db'}"
    config["SQLALCHEMY_DATABASE_URI"] = database_url(env.get("DATABASE_URL") or default_db)
    # Set but blank counts as set (and is refused): " " must not become a key anyone can guess.
    given = {name: secret(name, env[name]) for name in SECRETS if name in env}
    config["SECRET_KEY"] = given.get("SECRET_KEY") or secret_key(instance_path)
    config["MODEL_STORE"] = _path(env, "MODEL_STORE") or str(instance_path / "models")
    # Outside the store on purpose: write access to the artifacts must not be enough to sign one.
    config["MODEL_SIGNING_KEY"] = given.get("MODEL_SIGNING_KEY") or secret_key(
        instance_path, "model_signing_key"
    )
    if "IP_HASH_KEY" in given:
        config["IP_HASH_KEY"] = given["IP_HASH_KEY"]
    for name in ("SESSION_COOKIE_SECURE", "RATELIMIT_ENABLED"):
        if name in env:
            config[name] = flag(name, env[name])
    for name in (
        "RATELIMIT_COMMENTS_PER_IP",
        "RATELIMIT_COMMENTS_PER_EMAIL",
        "RATELIMIT_REPORTS_PER_IP",
        "RATELIMIT_PER_SITE_KEY",
        "RATELIMIT_LOGIN_PER_IP",
        "RATELIMIT_PRIVACY_PER_IP",
        "RATELIMIT_PRIVACY_PER_EMAIL",
        "IP_HASH_PREVIOUS_KEYS",
        "REDIS_KEY_PREFIX",
        "TRUSTED_PROXIES",
    ):
        if env.get(name):
            config[name] = env[name]
    if model_path := _path(env, "MODEL_PATH"):
        config["MODEL_PATH"] = model_path
    if env.get("REDIS_URL"):
        config["REDIS_URL"] = redis_url(env["REDIS_URL"])
    # Checked here, before anything uses them: a typo stops start-up with one clear line.
    for name, number in NUMBERS.items():
        if env.get(name):
            config[name] = number.parse(name, env[name])
    config.update(_webhook_settings(env))
    config.update(_mail_settings(env))
    return config


def _path(env: Mapping[str, str], name: str) -> str | None:
    """A path setting, absolute, or a ConfigError: a relative one would be read from the folder
    each process starts in, so a `flask classifier promote` run from another folder than the
    server's would register into, or load from, another store than the one the server reads.
    """
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not Path(raw).is_absolute():
        raise ConfigError(
            f"{name} must be an absolute path, got {raw!r} (each process would read it from "
            f"the folder it starts in; from this one: {Path.cwd() / raw})"
        )
    return raw


def _webhook_settings(env: Mapping[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for name in ("WEBHOOKS_DELIVER_IN_PROCESS", "WEBHOOKS_ALLOW_PRIVATE_TARGETS"):
        if name in env:
            config[name] = flag(name, env[name])
    if env.get("WEBHOOKS_RETRY_SCHEDULE"):
        config["WEBHOOKS_RETRY_SCHEDULE"] = env["WEBHOOKS_RETRY_SCHEDULE"]
    return config


def _mail_settings(env: Mapping[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if "MAIL_SEND_IN_PROCESS" in env:
        config["MAIL_SEND_IN_PROCESS"] = flag("MAIL_SEND_IN_PROCESS", env["MAIL_SEND_IN_PROCESS"])
    for name in (
        "SMTP_HOST",
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
        "SMTP_SECURITY",
        "MAIL_FROM",
        "PUBLIC_URL",
        "MAIL_RETRY_SCHEDULE",
    ):
        if env.get(name):
            config[name] = env[name]
    return config


def rate_limit_storage(config: Mapping[str, Any]) -> dict[str, Any]:
    """Flask-Limiter's storage settings: REDIS_URL when set, with the deployment's key prefix.

    The prefix lets several deployments (or test runs) share one Redis without sharing counts.
    """
    uri = config.get("REDIS_URL") or config["RATELIMIT_STORAGE_URI"]
    options: dict[str, Any] = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    if uri.partition(":")[0].partition("+")[0] in _REDIS_SCHEMES:
        options = {
            "key_prefix": config["REDIS_KEY_PREFIX"],
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            **options,
        }
    return {"RATELIMIT_STORAGE_URI": uri, "RATELIMIT_STORAGE_OPTIONS": options}
