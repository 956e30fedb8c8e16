"""Files that commands read and write."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TextIO

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


#: Files holding personal data (what is stored about an address, a site's comments, labelled
#: examples): readable and writable by their owner only, whatever the umask.
PRIVATE = 0o600
#: The ``--output`` value that means standard output.
STDOUT = Path("-")


@contextmanager
def replaced_on_success(path: Path, mode: int | None = None) -> Iterator[TextIO]:
    """Text written to a temporary file beside ``path``, renamed onto it only if the block
    succeeds: a failure half-way leaves an existing ``path`` as it was and no partial file.

    The file gets ``mode`` (e.g. PRIVATE), else the permissions ``open(path, "w")`` would have
    left. The temporary file is created readable by its owner only, so a private file is
    never readable by others, not even while it is written."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(fd, "w", newline="", encoding="utf-8") as handle:
            yield handle
        os.chmod(temporary, _mode_for(path) if mode is None else mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def output_file(ctx: click.Context, param: click.Parameter, path: Path) -> Path:
    """An ``--output`` option where ``-`` is standard output, any other path a file to write
    (checked as ``writable_file`` does)."""
    return path if path == STDOUT else writable_file(ctx, param, path) or path


@contextmanager
def private_output(path: Path) -> Iterator[IO[str]]:
    """Standard output for ``-``; else ``path``, owner-only (PRIVATE) and written whole or not
    at all. The file is created on entering, so a path that cannot be written fails first."""
    if path == STDOUT:
        with click.open_file("-", "w", encoding="utf-8") as stdout:  # left open by click
            yield stdout
        return
    with replaced_on_success(path, PRIVATE) as handle:
        yield handle


def _mode_for(path: Path) -> int:
    """The permissions ``open(path, "w")`` would have left: the existing file's, else the
    umask's (``mkstemp`` creates files readable by their owner only)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
