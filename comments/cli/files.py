"""Files that commands write."""

from __future__ import annotations

import os
from pathlib import Path

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
