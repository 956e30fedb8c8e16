"""Reading large XML exports one record at a time, refusing what makes XML dangerous.

A document type declaration is refused outright: every entity trick (billion laughs,
quadratic blow-up, external entities and DTDs) needs one, and no WXR or Disqus export has one.
Expat is driven directly, so the refusal happens at the declaration, before any entity is
defined; only the records asked for are kept in memory, each dropped once handed over.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element
from xml.parsers import expat

from comments.services.imports.records import Progress, SourceError, no_progress

CHUNK = 1 << 16


def _refuse_dtd(*_: object) -> None:
    raise SourceError("the file declares a document type (DTD), which exports never do")


class _Collector:
    """Builds Elements only inside the wanted records; everything else is just walked past.
    The document's root element must be ``root``: another format's file is refused."""

    def __init__(self, wanted: frozenset[str], root: str, kind: str) -> None:
        self.wanted = wanted
        self.root: str | None = root
        self.kind = kind
        self.stack: list[Element] = []
        self.text: list[list[str]] = []
        self.ready: list[Element] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = _qualified(name)
        if self.root is not None:
            if tag != self.root:
                raise SourceError(
                    f"not {self.kind}: the root element is <{_shown(tag)}>,"
                    f" not <{_shown(self.root)}>"
                )
            self.root = None
        if not self.stack and tag not in self.wanted:
            return
        element = Element(tag, {_qualified(k): v for k, v in attributes.items()})
        if self.stack:
            self.stack[-1].append(element)
        self.stack.append(element)
        self.text.append([])

    def end(self, name: str) -> None:
        if not self.stack:
            return
        element = self.stack.pop()
        element.text = "".join(self.text.pop())
        if not self.stack:
            self.ready.append(element)

    def data(self, text: str) -> None:
        if self.text:
            self.text[-1].append(text)


def _qualified(name: str) -> str:
    """Expat writes "namespace}local"; ElementTree's convention is "{namespace}local"."""
    return "{" + name if "}" in name else name


def _shown(tag: str) -> str:
    """``{namespace}local`` as ``local xmlns="namespace"``, for a message."""
    namespace, _, name = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    return f'{name} xmlns="{namespace}"' if namespace else name


def records(
    source: BinaryIO,
    wanted: set[str],
    root: str,
    kind: str,
    progress: Progress = no_progress,
) -> Iterator[Element]:
    """The top-most elements whose tag (``{namespace}local``) is in ``wanted``, in order, from
    a document whose root element is ``root`` (else SourceError: the file is not ``kind``)."""
    collector = _Collector(frozenset(wanted), root, kind)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.data
    parser.buffer_text = True
    while True:
        chunk = source.read(CHUNK)
        try:
            parser.Parse(chunk, not chunk)
        except expat.ExpatError as error:
            raise SourceError(f"not well-formed XML: {error}") from error
        progress(len(chunk))
        yield from collector.ready
        collector.ready.clear()
        if not chunk:
            return


def local(tag: str) -> str:
    """The element's name without its namespace."""
    return tag.rpartition("}")[2]


def child_text(element: Element, name: str, namespace: str = "") -> str:
    """The text of the first child called ``name`` (in ``namespace``), or ""."""
    found = element.find(f"{{{namespace}}}{name}" if namespace else name)
    return (found.text or "") if found is not None else ""
