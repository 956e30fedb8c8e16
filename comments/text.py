"""What the service accepts as text: cleaned once at the edge, identically for every field."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Bidirectional overrides/isolates and marks can disguise what a reader sees (Trojan Source).
_BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible characters that let a name impersonate another one; kept in bodies (emoji ZWJ).
_INVISIBLE_IN_LINES = "\u200b\u200c\u200d\u2060\ufeff"
# C0/C1 controls (NUL would also break PostgreSQL) and lone surrogates, which JSON can carry
# but UTF-8 cannot encode.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_WHITESPACE = re.compile(r"\s+")
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_INVISIBLE = re.compile(f"[{_INVISIBLE_IN_LINES}]")


def clean_multiline(value: str) -> str:
    """NFC, one kind of line break, no control or bidi characters, trimmed."""
    value = unicodedata.normalize("NFC", value)
    value = _LINE_BREAKS.sub("\n", value)
    value = _CONTROL.sub("", value)
    value = _BIDI.sub("", value)
    value = value.replace("\ufeff", "")
    return value.strip()


def clean_line(value: str) -> str:
    """Like clean_multiline, for one-line fields: whitespace runs collapse to one space."""
    value = clean_multiline(value)
    value = _INVISIBLE.sub("", value)
    return _WHITESPACE.sub(" ", value).strip()


_ASCII_VISIBLE = re.compile(r"[!-~]")
#: Letters that render as blank space (Hangul fillers, the braille blank).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
#: Unicode categories that draw nothing on their own: formats (zero-width space, joiners,
#: soft hyphen), combining marks with no base (the grapheme joiner, variation selectors),
#: separators and whitespace.
_DRAW_NOTHING = frozenset({"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"})


def has_visible_text(value: str) -> bool:
    """Whether a reader would see anything: not only spaces, zero-width or combining marks."""
    if _ASCII_VISIBLE.search(value):
        return True
    return any(
        char not in _BLANK_LETTERS and unicodedata.category(char) not in _DRAW_NOTHING
        for char in value
    )


def fingerprint(body: str) -> str:
    """Identity of a body for duplicate detection, blind to case and spacing."""
    folded = _WHITESPACE.sub(" ", body.casefold()).strip()
    return hashlib.sha256(folded.encode()).hexdigest()
