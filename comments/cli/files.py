"""Files that commands read and write."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click


def writable_file(_ctx: click.Context, _param: click.Parameter, path: Path | None) -> Path | None:
    """An option naming a file to write: its folder must exist and be writable, checked before
    the command works for minutes and then fails to save what it did."""
    if path is None:
        return None
    folder = path.parent
    if not folder.is_dir():
        raise click.BadParameter(f"folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(f"folder {str(folder)!r} is not writable")
    return path


def undecodable_line(path: Path) -> int:
    """The first line of ``path`` that is not UTF-8, for an error a user can act on (a decoding
    error only knows its offset in a buffer; a newline byte never occurs inside a character)."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def no_rows(path: Path, header: object) -> str:
    """The one-line error for a file with nothing to read, as ``classifier`` says it: a header
    and no rows is not a missing column."""
    return f"{path}: no rows ({'only a header' if header else 'the file is empty'})"


@contextmanager
def replaced_on_success(path: Path) -> Iterator[TextIO]:
    """Text written to a temporary file beside ``path``, renamed onto it only if the block
    succeeds: a failure half-way leaves an existing ``path`` as it was and no partial file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(fd, "w", newline="", encoding="utf-8") as handle:
            yield handle
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permissions ``open(path, "w")`` would have left: the existing file's, else the
    umask's (``mkstemp`` creates files readable by their owner only)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
