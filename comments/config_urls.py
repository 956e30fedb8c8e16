"""DATABASE_URL and REDIS_URL checked at start-up: one line naming the setting, never a
traceback from the library that would have read it later."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from comments.config_errors import ConfigError

#: What REDIS_URL may start with: the synchronous Redis (and Valkey) storages of ``limits``.
_REDIS_URL_SCHEMES = tuple(
    base + kind
    for base in ("redis", "valkey")
    for kind in ("", "s", "+unix", "+sentinel", "+cluster")
)
#: Schemes whose path names the database; sentinel and cluster URLs use it otherwise.
_REDIS_DATABASE_IN_PATH = ("redis", "rediss", "valkey", "valkeys")
#: The engines the migrations and the tests cover, with the driver each is used through.
_DATABASE_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}


def _without_password(url: str) -> str:
    """A URL as an error message may show it: a password in it reads ``***``."""
    return re.sub(r"(//[^/@]*?:)[^/@]*@", r"\1***@", url)


def database_url(raw: str) -> str:
    """Accept the usual postgres:// spellings and pin the psycopg 3 driver; anything but
    SQLite or PostgreSQL is refused here, rather than with a traceback when the engine is made.
    """
    url = raw.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        usable = backend in _DATABASE_DRIVERS and (
            parsed.get_driver_name() == _DATABASE_DRIVERS[backend]
        )
    except ArgumentError:
        usable = False
    expected = "DATABASE_URL must be sqlite:///PATH or postgresql://USER@HOST/DATABASE"
    if not usable:
        raise ConfigError(f"{expected}, got {_without_password(raw)!r}")
    if backend == "sqlite" and _in_memory(parsed.database or "", parsed.query):
        # `db upgrade` would migrate a database that vanishes with it, and the server would
        # answer every request with "run flask --app wsgi db upgrade".
        raise ConfigError(
            f"{expected}, got {raw!r}: an in-memory database, a new empty one for each "
            "process and connection, which no upgrade reaches"
        )
    return url


def _in_memory(database: str, query: Mapping[str, Any]) -> bool:
    """SQLite's names for a database without a file (sqlite:// names none at all)."""
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or query.get("mode") == "memory"
    )


def redis_url(raw: str) -> str:
    """REDIS_URL, or a ConfigError: ``limits`` would stop the app with a traceback."""
    expected = "REDIS_URL must be a Redis URL: redis://HOST:6379/0, rediss:// (TLS) or "
    try:  # the port is parsed only when read: "redis://host:abc" fails here, not later
        parts = urlsplit(raw)
        usable = "://" in raw and parts.scheme in _REDIS_URL_SCHEMES and parts.port != 0
    except ValueError:
        usable = False
    if not usable:
        raise ConfigError(f"{expected}redis+unix:///PATH, got {_without_password(raw)!r}")
    # redis-py reads a path that is not a number as database 0, without a word.
    database = parts.path.strip("/")
    numbered = database.isascii() and database.isdigit()
    if parts.scheme in _REDIS_DATABASE_IN_PATH and database and not numbered:
        raise ConfigError(
            f"{expected}redis+unix:///PATH, with a database number after the port (/0, /1, ...), "
            f"got {_without_password(raw)!r}"
        )
    return raw
