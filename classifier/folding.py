"""Per-character folding: obfuscation (zero-width characters, look-alike letters, accents,
fullwidth forms, typographic punctuation) lands on the same characters as the plain text.

Every output character comes from exactly one input character (or none), which is what lets
:mod:`classifier.text` track offsets through it.
"""

from __future__ import annotations

import re
import unicodedata

_DROP = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufe0e\ufe0f\ufeff"
)
_PUNCT = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
# Cyrillic/Greek letters that look Latin, a common way to dodge word filters.
_CONFUSABLES = dict(
    zip(
        "\u0430\u0432\u0435\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443\u0445\u0456\u0458"
        "\u0455\u0501\u0261\u04cf\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422"
        "\u0423\u0425\u0406\u0408\u0405\u03b1\u03b5\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5"
        "\u03c7\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5"
        "\u03a7",
        "abekmhopctyxijsdglABEKMHOPCTYXIJSaeikvoptuxABEZHIKMNOPTYX",
        strict=True,
    )
)
_TABLE_LIMIT = 50_000  # bound the memo so hostile input cannot grow it without limit


def _fold_char(char: str) -> str:
    """Map one character to its canonical form; keeps case, never yields case-expanding chars."""
    if char in _DROP:
        return ""
    category = unicodedata.category(char)
    if char.isspace() or category == "Cc":
        return " "
    if category == "Cf":
        return ""
    if char in _CONFUSABLES:
        return _CONFUSABLES[char]
    out = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(part):
            continue
        part = _PUNCT.get(part, _CONFUSABLES.get(part, part))
        if part.isspace():
            part = " "
        # Lower-casing later must not change the length (offsets are tracked position-wise).
        out.append(part if len(part.lower()) == 1 else part.lower()[0])
    return "".join(out)


class _FoldTable(dict[int, str]):
    """``str.translate`` table that fills itself on first sight of a code point."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        if len(self) < _TABLE_LIMIT:
            self[key] = value
        return value


FOLD_TABLE = _FoldTable()
# Printable ASCII folds to itself but for the backquote (checked here, not assumed); only runs of
# other characters need the table, and ``str.translate`` is slow on non-ASCII strings.
_FOLD_KEEP = "".join(chr(i) for i in range(32, 127) if _fold_char(chr(i)) == chr(i))
_FOLD_RUNS_RE = re.compile(f"([^{re.escape(_FOLD_KEEP)}]+)")


def fold(s: str) -> str:
    """``s.translate(FOLD_TABLE)``, faster on mostly-ASCII text with a few other characters."""
    if s.isascii() or len(s.encode("utf-8", "surrogatepass")) > len(s) + 64:  # many non-ASCII
        return s.translate(FOLD_TABLE)
    parts = _FOLD_RUNS_RE.split(s)  # kept text, a run to fold, kept text, ...
    parts[1::2] = [run.translate(FOLD_TABLE) for run in parts[1::2]]
    return "".join(parts)
