"""Importing another system's comments into a site: WordPress (WXR), Disqus and Isso.

``run_import`` reads the source with its format's reader (one module per format) and stores
what it read with the common ``Writer``; the caller commits, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from comments.errors import FieldErrors
from comments.services.imports import disqus, isso, wxr
from comments.services.imports.records import (
    DEFAULT_STATUS_MAP,
    SOURCE_STATUSES,
    STATUS_TARGETS,
    Progress,
    Record,
    SourceError,
    no_progress,
)
from comments.services.imports.summary import ImportSummary
from comments.services.imports.writer import ImportOptions, Writer
from comments.services.threads import get_site

__all__ = [
    "DEFAULT_STATUS_MAP",
    "READERS",
    "ImportOptions",
    "ImportSummary",
    "SourceError",
    "parse_status_map",
    "run_import",
]


class Reader(NamedTuple):
    #: How much there is to read (bytes or rows), for a progress bar.
    size: Callable[[Path], int]
    read: Callable[[Path, Progress], Iterator[Record]]


READERS = {
    "wxr": Reader(wxr.size, wxr.read),
    "disqus": Reader(disqus.size, disqus.read),
    "isso": Reader(isso.size, isso.read),
}


def parse_status_map(entries: Iterable[str]) -> dict[str, str]:
    """``["trash=skip", "pending=published"]`` over the defaults; 422-style errors otherwise."""
    mapping = dict(DEFAULT_STATUS_MAP)
    for entry in entries:
        source, _, target = (part.strip() for part in entry.partition("="))
        if source not in SOURCE_STATUSES or target not in STATUS_TARGETS:
            expected = (
                f"{entry!r}: expected SOURCE=TARGET, SOURCE one of {', '.join(SOURCE_STATUSES)}"
                f" and TARGET one of {', '.join(STATUS_TARGETS)}"
            )
            raise FieldErrors({"status_map": [expected]})
        mapping[source] = target
    return mapping


def run_import(
    session: Session,
    site_name: str,
    path: Path,
    options: ImportOptions,
    *,
    now: datetime,
    progress: Progress = no_progress,
) -> ImportSummary:
    """Import ``path`` (of format ``options.source``) into the site; the caller commits, or
    rolls back a dry run. SourceError when the file cannot be read at all."""
    site = get_site(session, site_name)
    writer = Writer(session, site, options, now)
    for record in READERS[options.source].read(path, progress):
        writer.add(record)
    return writer.finish()
