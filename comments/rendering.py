"""Markdown subset to HTML through an allow-list sanitiser; rendered once, at submission."""

from __future__ import annotations

import re
from html import unescape
from importlib.metadata import version

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

_ABSOLUTE_LINK = re.compile(r"^(?:https?://[^/\s]|mailto:[^\s])", re.IGNORECASE)
# In sanitised HTML every "<" of the text is escaped and every attribute is double-quoted.
_LINK_TARGET = re.compile(r'<a\s[^>]*?\bhref="([^"]*)"')

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


def link_targets(html: str) -> list[str]:
    """The address of every link in HTML that `render` produced, in order: what a reader of
    the comment can follow. Markdown links, autolinks and the bare domains and e-mail
    addresses the linkifier turns into links ("cheap-pills.com") count alike, and a link
    whose text is itself an address counts once."""
    return [unescape(target) for target in _LINK_TARGET.findall(html)]


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and not is_absolute_link(value):
        return None
    return value


def render(body: str) -> str:
    """The only HTML a comment can contain: sanitised again after Markdown, by allow-list.

    Plain prose, the commonest comment, needs neither Markdown nor the sanitiser to come out
    the same: it only gets wrapped and escaped, about ten times faster than through both.
    """
    html = _render_plain_text(body)
    return _render_markdown(body) if html is None else html


def _render_markdown(body: str) -> str:
    """The definition of the output: the fast path below must agree with it on every input."""
    return sanitize(_markdown.render(body))


# Plain text is what no enabled rule of `_markdown` (nor its linkifier) reacts to, so all it
# renders to is paragraphs and line breaks. Read against markdown-it-py's and linkify-it-py's
# sources; tests/comments/test_rendering_fast_path.py checks it against the installed ones.
# `#`, `=`, `|`, `!` and `~` are only inert because heading, lheading, table, image and
# strikethrough are disabled above, quotes and `--` because typographer is off. Anything
# else falls back to `_render_markdown`:
# - no `\` (escapes), `` ` `` (code), `*` `_` (emphasis), `[` `]` (links, references), `<`
#   (autolinks), `@` (e-mail addresses), tabs (indentation), NUL or other control characters;
# - no whitespace but space and newline: markdown-it trims Unicode spaces off paragraphs and
#   nh3 writes U+00A0 as `&nbsp;`; no lone surrogates (nh3 cannot encode them) and no U+FF5C,
#   a separator to linkify-it.
_PLAIN_CHARACTERS = re.compile(
    r"[ \n0-9A-Za-z!\"#$%&'()+,\-./:;=>?^{|}~"
    r"\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u202a-\u202e\u2030-\u205e\u2060-\u2fff"
    r"\u3001-\ud7ff\ue000-\uff5b\uff5d-\U0010ffff]*"
)
# Where those characters are still Markdown:
# - a list item, blockquote or `~~~` fence at the start of a line, or an indented code block;
# - `//`, which every schema link has (http, https, ftp and `//` itself; `mailto:` needs `@`),
#   both for the linkify core rule and for the inline one (`://`);
# - a dot before a top-level domain, which every fuzzy link has: TLDs start with an ASCII
#   letter, or with a non-ASCII one (`рф`, or U+212A KELVIN SIGN for "k" under IGNORECASE);
# - an entity: `&#` or `&` and a letter (again with IGNORECASE's non-ASCII letters).
_MARKUP_CONTEXT = re.compile(
    r"^ *(?:[-+>~]|[0-9]+[.)])|^ {4,}[^ \n]"
    r"|//"
    r"|\.[A-Za-z\u0080-\U0010ffff]"
    r"|&[#A-Za-z\u0080-\U0010ffff]",
    re.MULTILINE,
)
# markdown-it's own normalisation, before anything else.
_CARRIAGE_RETURN = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n[ \n]*\n")
# With breaks=True soft and hard breaks both render as <br>; spaces around a break are dropped.
_LINE_BREAK = re.compile(r" *\n *")
_BR = "<br>\n"


def _render_plain_text(body: str) -> str | None:
    """What `_render_markdown` returns for `body` if that is plain text, else None.

    Paragraphs are runs of non-blank lines, trimmed of spaces. Text is escaped as nh3
    serialises it: `&` and `>` as entities, quotes as they are (there is no `<` or U+00A0).
    """
    text = _CARRIAGE_RETURN.sub("\n", body)
    if not _PLAIN_CHARACTERS.fullmatch(text) or _MARKUP_CONTEXT.search(text):
        return None
    text = text.strip(" \n").replace("&", "&amp;").replace(">", "&gt;")
    if not text:
        return ""
    return "\n".join(
        f"<p>{_LINE_BREAK.sub(_BR, paragraph.strip(' '))}</p>"
        for paragraph in _BLANK_LINES.split(text)
    )


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
