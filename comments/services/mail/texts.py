"""What the mails say, as plain text: comment text comes from its sanitised HTML, stripped
of every tag, so a mail can never carry markup or a link the comment did not show."""

from __future__ import annotations

import html
import re

import nh3

from comments.models import Thread
from comments.text import clean_line

_BLOCK_END = re.compile(r"</(p|li|blockquote|pre|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")

TEMPLATES = {
    "confirm": """\
Someone, hopefully you, posted a comment on {title} with this address and asked to be told
by e-mail when somebody replies to it:

{excerpt}

To receive those e-mails, confirm here:
{url}

If it was not you, ignore this mail: nothing more will be sent to you.
""",
    "reply": """\
{name} replied to your comment on {title}:

{text}

Read it on the page: {link}

You receive this because you asked for replies to your comment. To stop, unsubscribe
(one click, no sign-in): {unsubscribe}
""",
    "published": """\
Your comment on {title} has been published after review:

{text}

See it on the page: {link}

You receive this because you asked to hear about your comment. To stop, unsubscribe
(one click, no sign-in): {unsubscribe}
""",
    "held": """\
A comment waits for moderation on {site}, {title} ({reason}):

{name}:
{text}

Open it in the queue (you may be asked to sign in): {link}

Change how often you hear about waiting comments: {settings}
""",
    "digest": """\
{count} comment(s) started waiting for moderation on sites you moderate since {since}:

{items}

The queue: {queue}
Change how often you hear about waiting comments: {settings}
""",
}


def render(template: str, **values: str) -> str:
    return TEMPLATES[template].format(**values)


def plain_text(body_html: str) -> str:
    """The comment as a reader saw it, without any markup."""
    with_breaks = _BLOCK_END.sub(lambda match: match.group(0) + "\n", body_html)
    stripped = html.unescape(nh3.clean(with_breaks, tags=set()))
    return _BLANK_LINES.sub("\n\n", stripped).strip()


def quoted(body_html: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in plain_text(body_html).splitlines())


def excerpt(body_html: str, limit: int = 300) -> str:
    text = plain_text(body_html)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines())


def one_line(value: str, limit: int = 120) -> str:
    """For subjects and list items: no line breaks, bounded length."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


#: Characters of a page's title (or key) in a mail or a mail page: a subject stays readable,
#: and a title cannot fill a mail with a message of its own.
TITLE_LIMIT = 80


def thread_name(thread: Thread | None) -> str:
    """The page's title (its key without one) as one clean line of at most TITLE_LIMIT.

    Whoever comments first on a page names it, so the title is a stranger's text: no control,
    bidi or invisible characters (a row from before they were cleaned, an import), no line
    breaks that would start a paragraph of its own."""
    if thread is None:
        return "a page"
    return one_line(clean_line(thread.title or thread.key), TITLE_LIMIT)


def quoted_name(thread: Thread | None) -> str:
    """thread_name in quotation marks, as mails and their pages name a page: a title that
    reads like a message ("Your account is suspended: ...") reads as a page's name."""
    return "a page" if thread is None else f"“{thread_name(thread)}”"


def comment_link(thread: Thread | None, comment_id: int) -> str:
    """The thread's page with the comment's anchor, when the page's address is known."""
    if thread is None:
        return "(the page's address is not known)"
    base = thread.url
    # The first origin that is an address: "*" (any origin) names no page.
    origin = next((o for o in thread.site.allowed_origins if o != "*"), None)
    if not base and thread.key.startswith("/") and origin:
        base = origin.rstrip("/") + thread.key
    if not base:
        return "(the page's address is not known)"
    return f"{base.split('#', 1)[0]}#comment-{comment_id}"
