"""A site's comments, out: JSON Lines (everything we hold, one comment a line) or WXR (what
WordPress imports, and what our own importer reads back without loss).

Rows are streamed from the database in batches and written as they come, so an export of a
large site never sits in memory. ``export_comments`` takes any condition on comments, so other
features (an author's own export) can reuse the formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy import ColumnElement, RowMapping, select
from sqlalchemy.orm import Session

from comments.models import Comment, Site, Thread
from comments.services.imports.wxr import (
    CREATED_META,
    DELETED_META,
    MARKDOWN_META,
    PUBLISHED_META,
    THREAD_KEY_META,
)
from comments.services.threads import get_site, is_closed

FORMATS = ("jsonl", "wxr")
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "wxr": "application/rss+xml"}
EXTENSIONS = {"jsonl": "jsonl", "wxr": "xml"}
#: Rows fetched per round trip (a server-side cursor on PostgreSQL).
BATCH = 500
#: Our statuses in WordPress's words; WordPress has no "rejected" or "deleted", only trash
#: (a deleted comment is marked with DELETED_META, so our importer tells the two apart).
WP_STATUS = {"published": "1", "pending": "0", "spam": "spam", "rejected": "trash"}
WP_STATUS["deleted"] = "trash"

_COLUMNS = (
    select(
        Comment.id,
        Comment.thread_id,
        Comment.parent_id,
        Comment.status,
        Comment.author_name,
        Comment.author_email,
        Comment.author_url,
        Comment.body_raw,
        Comment.body_html,
        Comment.created_at,
        Comment.published_at,
        Comment.toxicity,
        Comment.spam,
        Comment.model_version,
        Site.name.label("site"),
        Thread.key.label("thread_key"),
        Thread.title.label("thread_title"),
        Thread.url.label("thread_url"),
        Thread.created_at.label("thread_created_at"),
        Thread.closed.label("thread_closed_setting"),
        Site.close_after_days,
    )
    .join(Thread, Thread.id == Comment.thread_id)
    .join(Site, Site.id == Comment.site_id)
)
#: Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WXR_DATE = "%Y-%m-%d %H:%M:%S"
#: Inside JSON strings only (JSON itself escapes every other control character).
_LINE_ENDS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def export_comments(
    session: Session,
    which: ColumnElement[bool],
    fmt: str,
    out: TextIO,
    *,
    title: str = "",
    now: datetime | None = None,
) -> int:
    """Write the comments matching ``which`` (e.g. ``Comment.author_email == address``) to
    ``out`` in ``fmt``; returns how many were written. Threads are told closed as of ``now``."""
    count = 0

    def counted(rows: Iterable[RowMapping]) -> Iterator[RowMapping]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for chunk in _render(counted(_rows(session, which)), fmt, now or datetime.now(UTC), title):
        out.write(chunk)
    return count


def site_export(
    session: Session, site_name: str, fmt: str, now: datetime | None = None
) -> Iterator[str]:
    """Every comment of the site as text chunks, to stream; 422-style error if unknown.
    Threads are told closed as of ``now``."""
    site = get_site(session, site_name)
    rows = _rows(session, Comment.site_id == site.id)
    return _render(rows, fmt, now or datetime.now(UTC), site.title or site.name, blog_url(site))


def blog_url(site: Site) -> str:
    """The site's address, its first allowed origin (none for "*"): what names the blog in
    WXR, so our importer can tell its comments from another installation's with the same ids."""
    for origin in site.allowed_origins:
        if origin.startswith(("https://", "http://")):
            return origin
    return ""


def _rows(session: Session, which: ColumnElement[bool]) -> Iterator[RowMapping]:
    """Thread by thread, oldest first, fetched BATCH rows at a time."""
    query = _COLUMNS.where(which).order_by(Comment.thread_id, Comment.id)
    return iter(session.execute(query.execution_options(yield_per=BATCH)).mappings())


def _render(
    rows: Iterable[RowMapping], fmt: str, now: datetime, title: str, link: str = ""
) -> Iterator[str]:
    if fmt == "jsonl":
        return (_json_line(jsonl_record(row, now)) for row in rows)
    if fmt == "wxr":
        return _wxr(rows, now, title, link)
    raise ValueError(f"unknown export format {fmt!r}")


def _json_line(record: dict[str, Any]) -> str:
    """UTF-8 JSON, with the characters some readers take for line ends escaped."""
    text = json.dumps(record, ensure_ascii=False)
    return text.translate(_LINE_ENDS) + "\n"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def thread_closed(row: RowMapping, now: datetime) -> bool:
    """Whether the row's thread takes no new comments at ``now``, by staff's word or its age."""
    closed, created = row["thread_closed_setting"], row["thread_created_at"]
    return is_closed(closed, created, row["close_after_days"], now)


def jsonl_record(row: RowMapping, now: datetime) -> dict[str, Any]:
    """One comment as a line of the JSON Lines export."""
    return {
        "site": row["site"],
        "thread_key": row["thread_key"],
        "thread_title": row["thread_title"],
        "thread_url": row["thread_url"],
        "thread_closed": thread_closed(row, now),
        "id": row["id"],
        "parent_id": row["parent_id"],
        "status": row["status"],
        "author_name": row["author_name"],
        "author_email": row["author_email"],
        "author_url": row["author_url"],
        "body_raw": row["body_raw"],
        "body_html": row["body_html"],
        "created_at": _iso(row["created_at"]),
        "published_at": _iso(row["published_at"]),
        "toxicity": row["toxicity"],
        "spam": row["spam"],
        "model_version": row["model_version"],
    }


# --- WXR ----------------------------------------------------------------------------------


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value or "")))


def _cdata(value: object) -> str:
    """CDATA, as WordPress writes free text; a "]]>" inside is split across two sections."""
    text = _NOT_XML.sub("", str(value or "")).replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{text}]]>"


def _date(value: datetime | None) -> str:
    """UTC, whatever zone the database session handed the time back in."""
    return value.astimezone(UTC).strftime(_WXR_DATE) if value is not None else ""


def _exact(value: datetime) -> str:
    """The time WXR's dates cut to the second, for our own importer."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _slug(key: str) -> str:
    """WordPress's post name: the last segment of the page path."""
    segments = [part for part in key.split("?")[0].split("/") if part]
    return segments[-1] if segments else ""


def _meta(tag: str, key: str, value: str, indent: str) -> str:
    return (
        f"{indent}<wp:{tag}><wp:meta_key>{key}</wp:meta_key>"
        f"<wp:meta_value>{_cdata(value)}</wp:meta_value></wp:{tag}>\n"
    )


_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/">
<channel>
\t<title>{title}</title>
{link}\t<description>Comments exported from the comment service</description>
\t<wp:wxr_version>1.2</wp:wxr_version>
{blog_url}\t<generator>comments</generator>
"""


def _wxr(rows: Iterable[RowMapping], now: datetime, title: str, link: str) -> Iterator[str]:
    """One ``<item>`` (a post) per thread with its comments; rows come ordered by thread.
    The blog's address is written where WordPress writes it, when the site has one."""
    yield _HEADER.format(
        title=_text(title),
        link=f"\t<link>{_text(link)}</link>\n" if link else "",
        blog_url=f"\t<wp:base_blog_url>{_text(link)}</wp:base_blog_url>\n" if link else "",
    )
    thread_id = None
    for row in rows:
        if row["thread_id"] != thread_id:
            if thread_id is not None:
                yield "\t</item>\n"
            thread_id = row["thread_id"]
            yield _item(row, now)
        yield _comment(row)
    if thread_id is not None:
        yield "\t</item>\n"
    yield "</channel>\n</rss>\n"


def _item(row: RowMapping, now: datetime) -> str:
    """A post; its comment_status is "closed" for a thread closed at ``now``, by staff's word
    or by the site's close_after_days (which WordPress would not know to apply)."""
    link = row["thread_url"] or row["thread_key"]
    status = "closed" if thread_closed(row, now) else "open"
    created = row["thread_created_at"]
    return (
        "\t<item>\n"
        f"\t\t<title>{_text(row['thread_title'])}</title>\n"
        f"\t\t<link>{_text(link)}</link>\n"
        f"\t\t<pubDate>{format_datetime(created.astimezone(UTC), usegmt=True)}</pubDate>\n"
        f"\t\t<guid isPermaLink={quoteattr('false')}>{_text(link)}</guid>\n"
        f"\t\t<content:encoded>{_cdata('')}</content:encoded>\n"
        f"\t\t<wp:post_id>{row['thread_id']}</wp:post_id>\n"
        f"\t\t<wp:post_date>{_date(created)}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{_date(created)}</wp:post_date_gmt>\n"
        f"\t\t<wp:comment_status>{status}</wp:comment_status>\n"
        f"\t\t<wp:post_name>{_text(_slug(row['thread_key']))}</wp:post_name>\n"
        "\t\t<wp:status>publish</wp:status>\n"
        "\t\t<wp:post_type>post</wp:post_type>\n"
        + _meta("postmeta", THREAD_KEY_META, row["thread_key"], "\t\t")
    )


def _comment(row: RowMapping) -> str:
    """No IP address is exported: only its keyed hash is stored, which means nothing elsewhere.
    The exact creation time goes in meta, since WXR's dates are whole seconds, and so does
    when the comment was first published (a held comment later, perhaps rejected since).
    A comment its author deleted is trash to WordPress and marked as deleted for our importer,
    so it comes back as the placeholder its replies hang from, not as a moderator's rejection.
    """
    deleted = row["status"] == "deleted"
    published = row["published_at"]
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{row['id']}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{_cdata(row['author_name'])}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{_text(row['author_email'])}</wp:comment_author_email>\n"
        f"\t\t\t<wp:comment_author_url>{_text(row['author_url'])}</wp:comment_author_url>\n"
        "\t\t\t<wp:comment_author_IP></wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{_date(row['created_at'])}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{_date(row['created_at'])}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{_cdata(row['body_html'])}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{WP_STATUS[row['status']]}</wp:comment_approved>\n"
        "\t\t\t<wp:comment_type>comment</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{row['parent_id'] or 0}</wp:comment_parent>\n"
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
        + _meta("commentmeta", MARKDOWN_META, row["body_raw"], "\t\t\t")
        + _meta("commentmeta", CREATED_META, _exact(row["created_at"]), "\t\t\t")
        + (_meta("commentmeta", PUBLISHED_META, _exact(published), "\t\t\t") if published else "")
        + (_meta("commentmeta", DELETED_META, "1", "\t\t\t") if deleted else "")
        + "\t\t</wp:comment>\n"
    )
