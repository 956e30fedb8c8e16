"""The README's Configuration table is what an operator reads: it must list every setting the
service takes from the environment, and the defaults it shows must be the ones in force."""

from __future__ import annotations

import re
from typing import Any

from comments import config
from tests.servers import REPO

#: Set in DEFAULTS for Flask and its extensions, but never read from the environment.
FIXED = {
    "FORM_TOKEN_MAX_AGE",
    "JSON_SORT_KEYS",
    "PERMANENT_SESSION_LIFETIME",
    "RATELIMIT_HEADERS_ENABLED",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_STRATEGY",
    "RATELIMIT_SWALLOW_ERRORS",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SQLALCHEMY_ENGINE_OPTIONS",
}
#: Read from the environment without an entry in DEFAULTS: their default is made at start-up.
DERIVED = {"DATABASE_URL", "SECRET_KEY", "IP_HASH_KEY"}


def table_rows() -> list[tuple[list[str], str]]:
    """(variable names, default cell) for each row of the Configuration table."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            name_cell, default_cell = (cell.strip() for cell in line.strip("|").split("|")[:2])
            rows.append((re.findall(r"`([A-Z_0-9]+)`", name_cell), default_cell))
    return rows


def as_written(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_table_lists_every_setting_read_from_the_environment() -> None:
    listed = {name for names, _ in table_rows() for name in names}
    assert listed == (set(config.DEFAULTS) - FIXED) | DERIVED


def test_the_defaults_the_table_shows_are_the_ones_in_force() -> None:
    for names, default_cell in table_rows():
        shown = re.fullmatch(r"`([^`]*)`", default_cell)
        for name in names:
            value = config.DEFAULTS.get(name)
            if shown and value is not None:
                assert as_written(value) == shown.group(1), name
