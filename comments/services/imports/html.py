"""Comment HTML from other systems, as the Markdown our renderer stores and renders.

WordPress and Disqus keep comments as HTML. Storing it would bypass the one renderer every
comment goes through, so it becomes Markdown instead: paragraphs, line breaks, emphasis, code,
quotes, lists and absolute links survive; scripts, styles and embeds are dropped with their
content; every other tag is dropped and its text kept. Text is escaped, so words that look like
Markdown stay words. The stored HTML is then ``rendering.render`` of that Markdown, sanitised
like any comment.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from comments.rendering import is_absolute_link

#: Tags dropped together with everything inside them.
_DROPPED = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
_BLOCKS = {"p", "div", "section", "article", "aside", "header", "footer", "figure", "hr"}
_BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "dl", "dt", "dd"}
_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**"}
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]&<])")
_LINE_MARKER = re.compile(r"(\n[ \t]*)([-+>])")
_LINE_NUMBER = re.compile(r"(\n[ \t]*\d{1,9})([.)])")
_LINE_INDENT = re.compile(r"\n[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        #: Output buffers: the document, then one per open link or quote.
        self.buffers: list[list[str]] = [[]]
        #: Per buffer after the first: ("a", its absolute href or None) or ("blockquote", None).
        self.opened: list[tuple[str, str | None]] = []
        self.lists: list[int | None] = []  # None: bulleted; n: the next number
        self.dropped = 0
        self.pre = 0
        self.code = False

    @property
    def out(self) -> list[str]:
        return self.buffers[-1]

    def at_line_start(self) -> bool:
        text = "".join(self.out[-2:])
        return not text or text.endswith("\n")

    def block(self) -> None:
        if not self.at_line_start():
            self.out.append("\n\n")
        elif self.out and not "".join(self.out[-2:]).endswith("\n\n"):
            self.out.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropped or tag in _DROPPED:
            self.dropped += tag in _DROPPED
            return
        if tag in _BLOCKS:
            self.block()
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("td", "th") and not self.at_line_start():
            self.out.append(" ")
        elif tag in _EMPHASIS:
            self.out.append(_EMPHASIS[tag])
        elif tag == "code" and not self.pre:
            self.out.append("`")
            self.code = True
        elif tag == "pre":
            self.block()
            self.out.append("```\n")
            self.pre += 1
        elif tag in ("a", "blockquote"):
            href = (dict(attrs).get("href") or "").strip()
            self.opened.append((tag, href if tag == "a" and is_absolute_link(href) else None))
            self.buffers.append([])
        elif tag in ("ul", "ol"):
            self.block()
            self.lists.append(1 if tag == "ol" else None)
        elif tag == "li":
            if not self.at_line_start():
                self.out.append("\n")
            number = self.lists[-1] if self.lists else None
            self.out.append("- " if number is None else f"{number}. ")
            if number is not None:
                self.lists[-1] = number + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self.dropped:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.dropped:
            self.dropped -= tag in _DROPPED
            return
        if tag in _BLOCKS:
            self.block()
        elif tag in _EMPHASIS:
            self.out.append(_EMPHASIS[tag])
        elif tag == "code" and not self.pre:
            self.out.append("`")
            self.code = False
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.out.append("\n```\n\n")
        elif tag == "a" and self.opened and self.opened[-1][0] == "a":
            self._close_link()
        elif tag == "blockquote" and any(kind == tag for kind, _ in self.opened):
            while self.opened[-1][0] == "a":  # a link left open inside the quote
                self._close_link()
            self.opened.pop()
            quoted = "".join(self.buffers.pop()).strip()
            self.block()
            self.out.append("\n".join(f"> {line}".rstrip() for line in quoted.split("\n")))
            self.out.append("\n\n")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.block()

    def _close_link(self) -> None:
        text = "".join(self.buffers.pop())
        _, href = self.opened.pop()
        if href is None or not text.strip():
            self.out.append(text)
        else:
            target = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            self.out.append(f"[{text}]({target})")

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        if self.pre or self.code:  # code is shown as written; only its fences are defused
            self.out.append(data.replace("`", "'") if self.code else data.replace("```", "~~~"))
            return
        # A leading "\n" stands for "at the start of a line", so markers there are escaped too.
        text = ("\n" if self.at_line_start() else " ") + _INLINE_SPECIAL.sub(r"\\\1", data)
        text = _LINE_INDENT.sub("\n", text)  # indentation would make a code block
        text = _LINE_MARKER.sub(r"\1\\\2", text)
        text = _LINE_NUMBER.sub(r"\1\\\2", text)
        self.out.append(text[1:])

    def result(self) -> str:
        while len(self.buffers) > 1:  # unclosed links and quotes keep their text
            self.buffers[-2].extend(self.buffers.pop())
        text = _TRAILING_SPACE.sub("\n", "".join(self.buffers[0]))
        return _BLANK_LINES.sub("\n\n", text).strip()


def html_to_markdown(html: str) -> str:
    """The Markdown for a comment's HTML; newlines in the text are kept as line breaks, as
    WordPress shows them."""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    return converter.result()
