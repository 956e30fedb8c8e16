"""The widget's assets: the parts in ``static/widget/`` joined into one script and one sheet,
and the parts in ``static/edit/`` joined into the script that adds editing and the nudge.

Sites embed a single classic script (no modules, no extra requests), so the parts are
concatenated in ``WIDGET_PARTS`` order: the first opens the function that wraps them all and
the last closes it. The script injects one stylesheet, joined the same way from
``STYLE_PARTS``, so splitting the styles costs the host page no extra request. It loads
``/embed-edit.js``, joined the same way from ``EDIT_PARTS``. Parts are read once per process;
edit a part, then restart the server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WIDGET_DIR = Path(__file__).parent / "static" / "widget"
EDIT_DIR = Path(__file__).parent / "static" / "edit"

# The parts share one function scope, so once the widget runs they call each other's functions
# in any direction; but top-level constants are evaluated in this order, so at load time a part
# may use only what the parts before it define.
WIDGET_PARTS: tuple[str, ...] = (
    "prelude.js",  # banner, the wrapping function's start, constants, the register hook
    "helpers.js",  # el(), requests, localStorage
    "times.js",  # readable times, kept current once a minute
    "sanitise.js",  # comment HTML to allow-listed nodes; the Trusted Types policy
    "extension.js",  # loading embed-edit.js and handing it a widget's hooks
    "dom.js",  # buildDom(): the form and thread elements
    "thread.js",  # rendering comments, loading pages
    "refused.js",  # a page on an origin the API refuses: a console warning, no form
    "replies.js",  # moving the form under a comment and back
    "reports.js",  # reporting a comment to the moderators
    "own.js",  # the comments this browser posted: no Report on them, held ones kept in view
    "deadline.js",  # the end of one's edit window: a warning, a countdown and Extend
    "form.js",  # saved details, status, field errors, the form token
    "submit.js",  # posting with idempotency keys and retries
    "changes.js",  # comments shown that were edited or taken down meanwhile, in place
    "live.js",  # while the page is open: new comments behind a "Show 2 new comments" button
    "start.js",  # createWidget(), start(), and the wrapping function's end
)

# Joined in this order, which is the cascade's: later rules win ties with earlier ones.
STYLE_PARTS: tuple[str, ...] = (
    "base.css",  # custom properties, the reset, visually hidden text, buttons and focus
    "form.css",  # the comment form
    "thread.css",  # the thread, comment cards, the report form
    "own.css",  # one's own comments (embed-edit.js) and the rephrase nudge
)

# As the widget's parts, one function scope, in load order; the nudge part opens create(w), the
# factory each widget calls, and the parts after it up to the last are inside it.
EDIT_PARTS: tuple[str, ...] = (
    "prelude.js",  # banner, the wrapping function's start, constants
    "tokens.js",  # the store of edit tokens; the window's end without watchDeadline
    "nudge.js",  # create(w)'s start and shared locals; the rephrase nudge
    "own.js",  # editing and deleting one's own comments while their window is open
    "closing.js",  # the factory's last hooks, register(create), the wrapping function's end
)


@dataclass(frozen=True)
class Joined:
    """A joined asset: its bytes, a strong ETag from them and its newest part's mtime."""

    body: bytes
    etag: str
    modified: float


def join_parts(directory: Path, names: tuple[str, ...]) -> Joined:
    """The parts ``names`` in ``directory``, in that order, as one asset."""
    paths = [directory / name for name in names]
    # A blank line between parts; each part ends with its own newline.
    text = "\n".join(path.read_text(encoding="utf-8").rstrip("\n") + "\n" for path in paths)
    body = text.encode("utf-8")
    return Joined(
        body=body,
        etag=hashlib.sha256(body).hexdigest(),
        modified=max(path.stat().st_mtime for path in paths),
    )


@cache
def embed_script() -> Joined:
    """``/embed.js``: every widget part in order, read and joined on first use."""
    return join_parts(WIDGET_DIR, WIDGET_PARTS)


@cache
def embed_stylesheet() -> Joined:
    """``/embed.css``: every style part in order, read and joined on first use."""
    return join_parts(WIDGET_DIR, STYLE_PARTS)


@cache
def edit_script() -> Joined:
    """``/embed-edit.js``: every editing part in order, read and joined on first use."""
    return join_parts(EDIT_DIR, EDIT_PARTS)
