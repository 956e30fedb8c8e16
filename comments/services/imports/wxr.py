"""WordPress eXtended RSS (Tools > Export): one ``<item>`` per post, its comments inside.

Only comments are imported (``wp:comment_type`` empty or "comment"): pingbacks, trackbacks and
the private notes plugins store as comments (WooCommerce order notes...) are skipped and
counted. ``wp:comment_approved`` is 1, 0, spam, trash or post-trashed. Times come from
``wp:comment_date_gmt``; an export without it (0000-00-00) falls back to ``wp:comment_date``,
read as UTC. Files written by our own export carry the thread key, the Markdown source, the
exact creation time and the first publication time as meta, and mark the comments their
authors deleted (WordPress only has "trash" for them), so a round trip keeps threads, text,
times and statuses; WordPress ignores such meta. Comment ids restart in every blog, so each
comment's origin is the blog's address (see ``read``). A post's ``wp:comment_status`` "closed"
closes its thread (WordPress's closing of posts past an age is a setting, computed when shown,
so such posts are written "open"; our export writes every thread closed at the time).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from xml.etree.ElementTree import Element

from comments.services.imports import records as r
from comments.services.imports.html import html_to_markdown
from comments.services.imports.xmlstream import local, records

WP_NAMESPACE = "http://wordpress.org/export/"
#: Meta keys our export writes (exports.py), read back first when present.
THREAD_KEY_META = "comments_thread_key"
MARKDOWN_META = "comments_body_markdown"
#: On a trashed comment: its author deleted it (our "deleted"), no moderator rejected it.
DELETED_META = "comments_deleted_by_author"
#: The exact creation time (ISO 8601, UTC, microseconds): WXR's dates are whole seconds.
CREATED_META = "comments_created_at"
#: When the comment was first published (same format), on those that ever were.
PUBLISHED_META = "comments_published_at"
_STATUSES = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash"}
_STATUSES["post-trashed"] = "trash"
_COMMENT_TYPES = ("", "comment")
_DATE = "%Y-%m-%d %H:%M:%S"
#: Posts, and what names the blog: the channel's <link> (an <item>'s own is inside it).
_WANTED = {"item", "link"} | {
    f"{{{WP_NAMESPACE}{version}/}}base_blog_url" for version in ("1.0", "1.1", "1.2")
}


def size(path: Path) -> int:
    return path.stat().st_size


def read(path: Path, progress: r.Progress = r.no_progress) -> Iterator[r.Record]:
    """The blog is named before its posts: ``wp:base_blog_url`` (a multisite network's blogs
    each have their own), else the channel's first ``<link>`` (a file without the former)."""
    origin: str | None = None
    blog_url = ""
    with path.open("rb") as source:
        for element in records(source, _WANTED, "rss", "a WordPress export (WXR)", progress):
            if element.tag == "item":
                if origin is None:  # fixed at the first post, whatever follows
                    origin = r.blog_origin(blog_url)
                yield from _item(element, origin)
            elif origin is None and (local(element.tag) == "base_blog_url" or not blog_url):
                blog_url = element.text or ""


def _fields(element: Element) -> tuple[dict[str, str], list[Element], dict[str, str]]:
    """Text of the children by local name, the wp:comment children, and the meta pairs."""
    texts: dict[str, str] = {}
    comments: list[Element] = []
    meta: dict[str, str] = {}
    for child in element:
        name = local(child.tag)
        if name == "comment" and child.tag.startswith("{" + WP_NAMESPACE):
            comments.append(child)
        elif name in ("postmeta", "commentmeta"):
            pair = {local(part.tag): part.text or "" for part in child}
            meta[pair.get("meta_key", "")] = pair.get("meta_value", "")
        else:
            texts.setdefault(name, child.text or "")
    return texts, comments, meta


def _item(item: Element, origin: str) -> Iterator[r.Record]:
    texts, comments, meta = _fields(item)
    if not comments:
        return
    try:
        link = texts.get("link", "").strip()
        key = meta.get(THREAD_KEY_META) or (r.thread_key(link) if link else "")
        closed = texts.get("comment_status", "").strip() == "closed"
        thread = r.make_thread(key, texts.get("title"), link, closed=closed)
    except r.Malformed as error:
        reason = f"post without a usable link: {error}"
        for comment in comments:
            yield r.Problem(_fields(comment)[0].get("comment_id") or "?", reason)
        return
    for fields, _, meta in map(_fields, comments):
        build = partial(_comment, thread, fields, meta, origin)
        yield r.guarded(fields.get("comment_id", ""), build)


def _comment(
    thread: r.SourceThread, fields: dict[str, str], meta: dict[str, str], origin: str
) -> r.SourceComment:
    kind = fields.get("comment_type", "").strip()
    if kind not in _COMMENT_TYPES:
        raise r.Malformed(f"{kind} (not a comment)")
    status = _STATUSES.get(fields.get("comment_approved", "").strip())
    if status is None:
        raise r.Malformed("unknown wp:comment_approved")
    if status == "trash" and meta.get(DELETED_META) == "1":
        # Only while still trashed: a WordPress moderator who restored it decided otherwise.
        status = "deleted"
    parent = fields.get("comment_parent", "").strip()
    markdown = meta.get(MARKDOWN_META)
    content = fields.get("comment_content", "")
    created = _created(fields, meta.get(CREATED_META, ""))
    return r.SourceComment(
        ref=r.ref(fields.get("comment_id")),
        thread=thread,
        parent_ref=parent if parent not in ("", "0") else None,
        status=status,
        created_at=created,
        body=r.body(markdown if markdown is not None else html_to_markdown(content), status),
        author_name=r.author_name(fields.get("comment_author")),
        author_email=r.author_email(fields.get("comment_author_email")),
        author_url=r.author_url(fields.get("comment_author_url")),
        ip=r.ip_address(fields.get("comment_author_IP")),
        origin=origin,
        published_at=_published(meta.get(PUBLISHED_META, ""), created),
    )


def _created(fields: dict[str, str], exact: str) -> datetime:
    """The WXR date, to the second; our exact time within that second when the file has it
    (a date changed in WordPress since says another second, and wins)."""
    for name in ("comment_date_gmt", "comment_date"):
        try:
            date = r.utc(datetime.strptime(fields.get(name, "").strip(), _DATE))
        except ValueError:
            continue
        return _within(date, exact) or date
    raise r.Malformed("no valid wp:comment_date_gmt or wp:comment_date")


def _within(date: datetime, exact: str) -> datetime | None:
    when = _instant(exact)
    return when if when is not None and when.replace(microsecond=0) == date else None


def _published(exact: str, created: datetime) -> datetime | None:
    """Our first publication time, unless it is before the creation time (a date moved later
    in WordPress since): then, as without it, the import decides."""
    when = _instant(exact)
    return when if when is not None and when >= created else None


def _instant(exact: str) -> datetime | None:
    """An ISO 8601 time with its offset, in UTC; anything else is not ours."""
    try:
        when = datetime.fromisoformat(exact.strip())
    except ValueError:
        return None
    return r.utc(when) if when.tzinfo is not None else None
