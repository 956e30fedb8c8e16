"""What every import format is read into, and the field cleaning they share.

Readers turn a source into a stream of ``SourceComment`` (each naming its thread) and
``Problem`` records; the writer (``writer.py``) never sees a format. Fields are cleaned as the
public API cleans them, and out-of-bounds values are dropped rather than the comment refused:
an author's odd website must not cost a site its history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from marshmallow import ValidationError, validate

from comments.network import parse_address
from comments.text import clean_line, clean_multiline

#: Every state a source comment can be in, in the sources' shared words.
SOURCE_STATUSES = ("approved", "pending", "spam", "trash", "deleted")
#: What each becomes here, unless the site owner maps it otherwise (``--status-map``).
#: Trash was a moderator's removal, so it becomes "rejected", which a moderator can restore;
#: a deleted comment stays "deleted", so its replies keep their place in the thread.
DEFAULT_STATUS_MAP = {
    "approved": "published",
    "pending": "pending",
    "spam": "spam",
    "trash": "rejected",
    "deleted": "deleted",
}
#: The targets a status may be mapped to; "skip" leaves such comments out.
STATUS_TARGETS = ("published", "pending", "spam", "rejected", "deleted", "skip")

MAX_KEY = 512
MAX_TITLE = 300
MAX_THREAD_URL = 2048
MAX_NAME = 80
MAX_EMAIL = 254
MAX_AUTHOR_URL = 200
MAX_REF = 128
MAX_ORIGIN = 255

_email = validate.Email()
_http_url = validate.URL(schemes={"http", "https"})


class SourceError(Exception):
    """The source cannot be read at all (not the format, unreadable, unsafe); nothing is written."""


@dataclass(frozen=True, slots=True)
class SourceThread:
    key: str
    title: str = ""
    url: str | None = None
    #: The source closed the post to new comments (WordPress's comment_status, Disqus's
    #: isClosed): the import closes the thread by staff's word, unless staff here gave theirs.
    closed: bool = False


@dataclass(frozen=True, slots=True)
class SourceComment:
    """One comment as the source had it, cleaned; ``body`` is the Markdown to store."""

    ref: str
    thread: SourceThread
    parent_ref: str | None
    status: str
    created_at: datetime
    body: str
    author_name: str = ""
    author_email: str | None = None
    author_url: str | None = None
    #: The address as the source stored it; only its keyed hash is kept.
    ip: str | None = None
    #: Which blog, forum or database of the source it came from ("" when the source does not
    #: say): ids restart in every WordPress blog, so an id alone names no comment.
    origin: str = ""
    #: When it was first published, where the source says (our own WXR export does); None:
    #: a comment imported as published counts as published when it was written.
    published_at: datetime | None = None

    @property
    def key(self) -> Key:
        """What names this comment among everything the source format ever held."""
        return (self.origin, self.ref)


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that could not be imported (and why), reported and skipped."""

    ref: str
    reason: str


Record = SourceComment | Problem
#: (origin, ref): a comment's identity in its source format.
Key = tuple[str, str]
#: Called with how far a reader got (bytes or rows), for a progress bar.
Progress = Callable[[int], None]


class Malformed(ValueError):
    """One record is unusable; its reader reports it as a Problem and goes on."""


def no_progress(_: int) -> None:
    """For callers that show no progress."""


def thread_key(url_or_path: str) -> str:
    """The widget's default thread key is the page's path (``location.pathname``), so a query
    string is dropped, except after a bare "/": with WordPress's plain permalinks (``/?p=12``)
    it is all that tells posts apart (such pages must then set ``data-thread`` to it).
    """
    parts = urlsplit(clean_line(url_or_path))
    key = parts.path or "/"
    if key == "/" and parts.query:
        key += f"?{parts.query}"
    if len(key) > MAX_KEY:
        raise Malformed(f"thread key longer than {MAX_KEY} characters")
    return key


def thread_url(value: str | None) -> str | None:
    url = clean_line(value or "")
    return url if url and len(url) <= MAX_THREAD_URL and _valid(_http_url, url) else None


def make_thread(
    key: str, title: str | None, url: str | None, *, closed: bool = False
) -> SourceThread:
    key = clean_line(key)
    if not key:
        raise Malformed("no thread key")
    if len(key) > MAX_KEY:
        raise Malformed(f"thread key longer than {MAX_KEY} characters")
    return SourceThread(key, clean_line(title or "")[:MAX_TITLE], thread_url(url), closed)


def _valid(validator: Callable[[str], object], value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def author_name(value: str | None) -> str:
    return clean_line(value or "")[:MAX_NAME]


def author_email(value: str | None) -> str | None:
    """Lower-cased as submission stores it; an invalid address is dropped."""
    email = clean_line(value or "").lower()
    return email if email and len(email) <= MAX_EMAIL and _valid(_email, email) else None


def author_url(value: str | None) -> str | None:
    """A bare host gets https:// (as the API does); anything not http(s) is dropped."""
    url = clean_line(value or "")
    if url and "://" not in url and ":" not in url.split("/", 1)[0]:
        url = "https://" + url
    return url if url and len(url) <= MAX_AUTHOR_URL and _valid(_http_url, url) else None


def ip_address(value: str | None) -> str | None:
    """The address as ``network.client_ip`` would give it, so its hash is the same."""
    address = parse_address(value) if value else None
    return str(address) if address is not None else None


def bounded_origin(text: str) -> str:
    """An origin that fits its column: a longer one is stood for by its digest."""
    if len(text) <= MAX_ORIGIN:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def blog_origin(url: str | None) -> str:
    """A blog's address as its identity, without scheme, "www." or final "/": a blog that
    moved to https (or dropped www) between two exports is still the same blog."""
    text = clean_line(url or "").lower()
    if not text:
        return ""
    parts = urlsplit(text if "://" in text else f"//{text}")
    host = parts.netloc.rpartition("@")[2].removeprefix("www.")
    return bounded_origin(host + parts.path.rstrip("/")) if host else ""


def ref(value: str | None) -> str:
    text = clean_line(value or "")
    if not text:
        raise Malformed("no comment id")
    if len(text) > MAX_REF:
        raise Malformed(f"comment id longer than {MAX_REF} characters")
    return text


def body(text: str, status: str) -> str:
    """A comment needs words, except one deleted at the source (its place in a thread counts)."""
    cleaned = clean_multiline(text)
    if not cleaned and status != "deleted":
        raise Malformed("empty body")
    return cleaned


def utc(value: datetime) -> datetime:
    """Naive times in exports are UTC by the time they reach here."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def guarded(source_ref: str, build: Callable[[], SourceComment]) -> Record:
    """Build one record; a Malformed one becomes a Problem instead of stopping the import."""
    try:
        return build()
    except Malformed as error:
        return Problem(source_ref or "?", str(error))
