"""Markdown subset to HTML through an allow-list sanitiser; rendered once, at submission."""

from __future__ import annotations

import re
from importlib.metadata import version

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

_ABSOLUTE_LINK = re.compile(r"^(?:https?://[^/\s]|mailto:[^\s])", re.IGNORECASE)

#: Stored with every rendered body, so a renderer or sanitiser fix can find and re-render rows.
RENDERER_VERSION = f"md{version('markdown-it-py')}+nh3{version('nh3')}+r2"

# "js-default" never passes raw HTML through; headings, tables, images and rules are not part
# of a comment's vocabulary and stay as literal text.
_markdown = (
    MarkdownIt("js-default", {"breaks": True, "linkify": True})
    .enable("linkify")
    .disable(["image", "table", "heading", "lheading", "hr", "strikethrough"])
)


def is_absolute_link(url: str) -> bool:
    """Relative and protocol-relative links would resolve against the embedding page."""
    return bool(_ABSOLUTE_LINK.match(url))


# Text like "[x](relative)" stays text instead of becoming a link.
_markdown.validateLink = is_absolute_link  # type: ignore[method-assign]


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and not is_absolute_link(value):
        return None
    return value


def render(body: str) -> str:
    """The only HTML a comment can contain: sanitised again after Markdown, by allow-list."""
    html = _markdown.render(body)
    return sanitize(html)


def sanitize(html: str) -> str:
    """Idempotent: sanitising already-sanitised HTML returns it unchanged."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        attribute_filter=_keep_attribute,
        strip_comments=True,
    ).strip()
