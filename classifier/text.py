"""The one text normalisation shared by training, scoring and explanations.

Every corpus carries its own artifacts (HTML entities and ``<br />`` on YouTube, ``RT @user:`` and
``&#128514;`` on Twitter, ``@USER``/``URL`` placeholders in OLID, wiki markup and ``(UTC)``
signatures on Wikipedia, Penn-Treebank tokenisation on Stormfront).  A model trained on the raw text
learns *which dataset* a comment came from instead of what it says, so all of them are rewritten
the same way here.  Obfuscation (``1d10t``, ``f u c k``, zero-width characters, look-alike letters,
accents, fullwidth forms) is folded so it lands on the same features as the plain word.

The pipeline is a fixed list of rules.  Scoring runs them with ``re.sub``/``str.translate``
(fast); :func:`analyse_with_offsets` runs the very same rules while tracking, for every output
character, the span of the original text it came from, so explanations can highlight the original.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

Replacement = str | Callable[[re.Match[str]], str]
Gate = Callable[[str], object]


@dataclass(frozen=True, slots=True)
class Rule:
    """A regex rewrite, run only when its cheap ``gate`` passes (regex scans are slow in CPython).

    ``aligned`` rules keep length, so offsets map character by character.
    """

    pattern: re.Pattern[str]
    repl: Replacement
    needle: str | None = None  # the rule can only match if this substring is present
    gate: Gate | None = None  # ... and if this cheap test passes
    aligned: bool = False

    def applies(self, s: str) -> bool:
        needle, gate = self.needle, self.gate
        return (needle is None or needle in s) and (gate is None or bool(gate(s)))

    def expand(self, match: re.Match[str]) -> str:
        return self.repl(match) if callable(self.repl) else match.expand(self.repl)


class Analysed(NamedTuple):
    """``clean`` keeps case (for casing features); ``norm`` is what n-grams are built from.

    A named tuple rather than a frozen dataclass: it is built for every comment scored.
    """

    clean: str
    norm: str


@dataclass(frozen=True, slots=True)
class Offsets:
    """For each character of a derived string, the ``[start, end)`` span in the original text."""

    starts: list[int]
    ends: list[int]


# --- per-character folding -------------------------------------------------------------------

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


_FOLD_TABLE = _FoldTable()


# --- structural rules (case preserved) --------------------------------------------------------

# Bare domains ("kidsmediausa.com") count as links; TLDs that are also English words are left out.
_TLDS = ("com", "net", "org", "info", "biz", "ly", "co", "uk", "ru", "io", "tv", "gl", "ca", "au")
# Possessive quantifiers keep these from backtracking through every word (CPython regex is slow).
_LINK = (
    r"\b(?:[a-z][a-z0-9+.-]*+://\S+|www\d?\.\S+"
    rf"|(?:[\w-]++\.)++(?:{'|'.join(_TLDS)})\b(?:/\S*)?)"
)


def _url(match: re.Match[str]) -> str:
    """A link becomes ``url <host>``: link presence and domain are signals, paths are noise."""
    host = re.sub(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\d?\.)?", "", match.group().lower())
    host = re.split(r"[/?#:\s]", host, maxsplit=1)[0].strip(".")
    return f" url {host} " if host else " url "


_DOT_TLD_RE = re.compile(rf"\.(?:{'|'.join(_TLDS)})\b", re.I)  # literal "." first: a fast scan


def _has_link(s: str) -> bool:
    return "://" in s or "www" in s or "WWW" in s or _DOT_TLD_RE.search(s) is not None


_DOT_DIGITS = re.compile(r"\.\d{1,3}\.\d")


def _maybe_ip(s: str) -> bool:
    return _DOT_DIGITS.search(s) is not None


def _maybe_clitic(s: str) -> bool:
    return " '" in s or " n'" in s or " N'" in s


def _hashtag(match: re.Match[str]) -> str:
    """``#LockThemAllUp`` -> ``Lock Them All Up`` (hashtags are Twitter-only artifacts)."""
    return " " + re.sub(r"(?<=[a-z])(?=[A-Z])", " ", match.group(1)) + " "


def _rule(
    pattern: str,
    repl: Replacement,
    gate: str | Gate | None = None,
    flags: int = 0,
    *,
    aligned: bool = False,
) -> Rule:
    needle = gate if isinstance(gate, str) else None
    test = None if isinstance(gate, str) else gate
    return Rule(re.compile(pattern, flags), repl, needle, test, aligned)


_ENTITY = _rule(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    lambda m: html.unescape(m.group()),
    "&",
)

_STRUCTURE = (
    # HTML: keep the target of links (a strong spam signal), drop every other tag.
    _rule(r"""<a\s[^>]*?href\s*=\s*["']?([^"'\s>]+)[^>]*>""", r" \1 ", "<", re.I),
    _rule(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200})?/?>", " ", "<"),
    _rule(r"\b(https?) : //", r"\1://", " : //", re.I),  # Stormfront's tokeniser split URLs
    _rule(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", " email ", re.compile(r"@[\w-]+\.\w").search),
    _rule(_LINK, _url, _has_link, re.I),
    _rule(r"\bURL\b", " url ", "URL"),  # OLID's placeholder
    _rule(r"\bRT\s*@\w+\s*:?", " ", "RT"),  # retweet prefix
    _rule(r"(?<![\w@])@\w+", " @user ", "@"),
    _rule(r"(?<![\w&#])#([A-Za-z]\w*)", _hashtag, "#"),
    # Wikipedia: signatures, links, templates, bold/italic, headings, IP editors.
    _rule(r"\d{1,2}:\d{2},? \d{1,2} \w+ \d{4} \(UTC\)", " ", "(UTC)"),
    _rule(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", "[["),
    _rule(r"\{\{[^{}]*\}\}", " ", "{{"),
    _rule(r"'{3,}", "", "'''"),
    _rule(r"={2,} *([^=]{1,80}?) *={2,}", r" \1 ", "=="),
    _rule(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", " ipaddr ", _maybe_ip),
    # Penn-Treebank tokenisation (Stormfront): quotes, clitics and punctuation re-attached.
    _rule(r"''", '"', "''"),
    _rule(r"(?<=\w) (n't|'(?:s|ve|re|ll|d|m))\b", r"\1", _maybe_clitic, re.I),
    _rule(r" +([,.!?;:%)\]])(?= |$)", r"\1", re.compile(r" [,.!?;:%)\]](?: |$)").search),
    _rule(r"  +", " ", "  "),
)

# --- lexical rules (on lower-cased text) ------------------------------------------------------

_LEET = str.maketrans("013457@$|!", "oieastasli")
# Letters -> "a", leet characters -> "1", letter separators -> ".", anything else -> "#": a cheap
# test (on bytes: non-ASCII becomes "?") of whether the slow lexical regexes can match at all.
_SHAPE = bytes(
    ord("a")
    if chr(i).islower() and chr(i).isascii()
    else ord("1")
    if chr(i) in "013457@$|!"
    else ord(".")
    if chr(i) in " .*_-"
    else ord("#")
    for i in range(256)
)


_RUN_CHARS = "abcdefghijklmnopqrstuvwxyz!?.*-_=~+#$"
_RUN_RE = re.compile(rf"([{re.escape(_RUN_CHARS)}])\1\1\1")

_LEXICAL = (
    # "1d10t" -> "idiot", "sh!t" -> "shit": leet characters between letters.  Leading or trailing
    # digits alone ("covid19", "4chan", "mp3") and "!!" emphasis are left alone.
    _rule(
        r"(?<![\w@$|])[013457@$|]*[^\W\d_]+(?:(?:[013457@$|]+|!)[^\W\d_]+)+[013457@$|]*(?![\w@$|])",
        lambda m: m.group().translate(_LEET),
        aligned=True,
    ),
    # "f u c k", "i.d.i.o.t" -> one word.
    _rule(
        r"(?<![a-z0-9_])[a-z](?:[ .*_-][a-z]){3,}(?![a-z0-9_])",
        lambda m: re.sub(r"[ .*_-]", "", m.group()),
    ),
    # "stupiiiiid" -> "stupiiid", "!!!!!!" -> "!!!".
    _rule(_RUN_RE.pattern + "+", r"\1\1\1"),
)


def _lexical_gates(lowered: str) -> tuple[bool, bool, bool]:
    """Which lexical rules may match, decided once on the lower-cased text (the regexes are the
    slowest part of normalisation and rarely match)."""
    shape = lowered.encode("ascii", "replace").translate(_SHAPE)
    return (
        b"a1a" in shape or b"a11a" in shape or b"a111a" in shape,
        b"a.a.a.a" in shape,
        _RUN_RE.search(lowered) is not None,
    )


_STRUCTURE_STEPS = tuple((r.pattern.sub, r.repl, r.needle, r.gate) for r in _STRUCTURE)


def analyse(text: str) -> Analysed:
    """Fast path used for scoring and training (the rule loop is inlined: it runs per comment)."""
    s = _ENTITY.pattern.sub(_ENTITY.repl, text) if "&" in text else text
    s = s.translate(_FOLD_TABLE)
    for sub, repl, needle, gate in _STRUCTURE_STEPS:
        if (needle is None or needle in s) and (gate is None or gate(s)):
            s = sub(repl, s)
    clean = s.strip(" ")
    s = clean.lower()
    for rule, applies in zip(_LEXICAL, _lexical_gates(s), strict=True):
        if applies:
            s = rule.pattern.sub(rule.repl, s)
    return Analysed(clean, s)


def normalize(text: str) -> str:
    """The normalised text the features are built from (lower-case, artifacts rewritten)."""
    return analyse(text).norm


# --- offset-tracking twin (explanations) ------------------------------------------------------


def _apply_tracked(rule: Rule, s: str, offsets: Offsets) -> tuple[str, Offsets]:
    if not rule.applies(s):
        return s, offsets
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for match in rule.pattern.finditer(s):
        a, b = match.span()
        parts.append(s[pos:a])
        starts.extend(offsets.starts[pos:a])
        ends.extend(offsets.ends[pos:a])
        out = rule.expand(match)
        parts.append(out)
        if rule.aligned and len(out) == b - a:
            starts.extend(offsets.starts[a:b])
            ends.extend(offsets.ends[a:b])
        else:  # patterns never match empty, so the match has a first and a last character
            starts.extend([offsets.starts[a]] * len(out))
            ends.extend([offsets.ends[b - 1]] * len(out))
        pos = b
    parts.append(s[pos:])
    starts.extend(offsets.starts[pos:])
    ends.extend(offsets.ends[pos:])
    return "".join(parts), Offsets(starts, ends)


def _fold_tracked(s: str, offsets: Offsets) -> tuple[str, Offsets]:
    if s.translate(_FOLD_TABLE) == s:  # nothing to fold: the usual case, skip the slow loop
        return s, offsets
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, char in enumerate(s):
        out = _FOLD_TABLE[ord(char)]
        parts.append(out)
        starts.extend([offsets.starts[i]] * len(out))
        ends.extend([offsets.ends[i]] * len(out))
    return "".join(parts), Offsets(starts, ends)


def analyse_with_offsets(text: str) -> tuple[Analysed, Offsets, Offsets]:
    """Same result as :func:`analyse`, plus original-text spans for ``clean`` and ``norm``."""
    offsets = Offsets(list(range(len(text))), list(range(1, len(text) + 1)))
    s, offsets = _apply_tracked(_ENTITY, text, offsets)
    s, offsets = _fold_tracked(s, offsets)
    for rule in _STRUCTURE:
        s, offsets = _apply_tracked(rule, s, offsets)
    head, tail = len(s) - len(s.lstrip(" ")), len(s.rstrip(" "))
    s, offsets = s[head:tail], Offsets(offsets.starts[head:tail], offsets.ends[head:tail])
    clean, clean_offsets = s, offsets
    s = s.lower()
    for rule, applies in zip(_LEXICAL, _lexical_gates(s), strict=True):
        if applies:
            s, offsets = _apply_tracked(rule, s, offsets)
    return Analysed(clean, s), clean_offsets, offsets
