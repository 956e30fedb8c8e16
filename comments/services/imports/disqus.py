"""Disqus's XML export: ``<thread dsq:id>`` elements first, then every ``<post>`` naming its
thread (and parent) by dsq:id.

A post is spam when ``isSpam`` is true, deleted when ``isDeleted`` is, pending when an
``isApproved`` element says false, approved otherwise. A thread whose ``isClosed`` is true is
closed here too. Messages are HTML. A post comes from the
forum its thread names (``<forum>``, the forum's shortname, which Disqus never changes).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from xml.etree.ElementTree import Element

from comments.services.imports import records as r
from comments.services.imports.html import html_to_markdown
from comments.services.imports.xmlstream import child_text, records
from comments.text import clean_line

NS = "http://disqus.com"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
#: A thread, and the forum it belongs to.
_Thread = tuple[r.SourceThread, str]


def size(path: Path) -> int:
    return path.stat().st_size


def read(path: Path, progress: r.Progress = r.no_progress) -> Iterator[r.Record]:
    """Threads are remembered as they pass (they precede their posts in every export)."""
    threads: dict[str, _Thread | str] = {}  # dsq:id -> thread, or why it is unusable
    with path.open("rb") as source:
        wanted = {f"{{{NS}}}thread", f"{{{NS}}}post"}
        for element in records(source, wanted, f"{{{NS}}}disqus", "a Disqus export", progress):
            if element.tag == f"{{{NS}}}thread":
                threads[element.get(DSQ_ID, "")] = _thread(element)
            else:
                yield r.guarded(element.get(DSQ_ID, ""), partial(_post, element, threads))


def _thread(element: Element) -> _Thread | str:
    link = child_text(element, "link", NS).strip()
    forum = r.bounded_origin(clean_line(child_text(element, "forum", NS)).lower())
    try:
        closed = _flag(element, "isClosed") is True
        thread = r.make_thread(
            r.thread_key(link), child_text(element, "title", NS), link, closed=closed
        )
        return thread, forum
    except r.Malformed as error:
        return f"thread without a usable link: {error}"


def _referenced(element: Element, name: str) -> str | None:
    found = element.find(f"{{{NS}}}{name}")
    return found.get(DSQ_ID) if found is not None else None


def _flag(element: Element, name: str) -> bool | None:
    text = child_text(element, name, NS).strip().lower()
    return {"true": True, "false": False}.get(text)


def _post(element: Element, threads: dict[str, _Thread | str]) -> r.SourceComment:
    found = threads.get(_referenced(element, "thread") or "", "thread not in the file")
    if isinstance(found, str):
        raise r.Malformed(found)
    thread, forum = found
    if _flag(element, "isSpam"):
        status = "spam"
    elif _flag(element, "isDeleted"):
        status = "deleted"
    elif _flag(element, "isApproved") is False:
        status = "pending"
    else:
        status = "approved"
    try:
        created = r.utc(datetime.fromisoformat(child_text(element, "createdAt", NS).strip()))
    except (ValueError, OverflowError) as error:
        raise r.Malformed("no valid createdAt") from error
    author = element.find(f"{{{NS}}}author")
    return r.SourceComment(
        ref=r.ref(element.get(DSQ_ID)),
        thread=thread,
        parent_ref=_referenced(element, "parent") or None,
        status=status,
        created_at=created,
        body=r.body(html_to_markdown(child_text(element, "message", NS)), status),
        author_name=r.author_name(child_text(author, "name", NS) if author is not None else ""),
        author_email=r.author_email(child_text(author, "email", NS) if author is not None else ""),
        ip=r.ip_address(child_text(element, "ipAddress", NS)),
        origin=forum,
    )
