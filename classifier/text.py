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
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .folding import FOLD_TABLE, fold

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


# --- structural rules (case preserved) --------------------------------------------------------

# Bare domains ("kidsmediausa.com") count as links; TLDs that are also English words are left out.
_TLDS = ("com", "net", "org", "info", "biz", "ly", "co", "uk", "ru", "io", "tv", "gl", "ca", "au")
# Possessive quantifiers keep these from backtracking through every word (CPython regex is slow).
_LINK = (
    r"\b(?:[a-z][a-z0-9+.-]*+://\S+|www\d?\.\S+"
    rf"|(?:[\w-]++\.)++(?:{'|'.join(_TLDS)})\b(?:/\S*)?)"
)


_SCHEME_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\d?\.)?")
_HOST_END_RE = re.compile(r"[/?#:\s]")


def _url(match: re.Match[str]) -> str:
    """A link becomes ``url <host>``: link presence and domain are signals, paths are noise."""
    host = _SCHEME_RE.sub("", match.group().lower())
    host = _HOST_END_RE.split(host, maxsplit=1)[0].strip(".")
    return f" url {host} " if host else " url "


_DOT_TLD_RE = re.compile(rf"\.(?:{'|'.join(_TLDS)})\b", re.I)  # literal "." first: a fast scan


def _has_link(s: str) -> bool:
    return "://" in s or "www" in s or "WWW" in s or _DOT_TLD_RE.search(s) is not None


_DOT_DIGITS = re.compile(r"\.\d{1,3}\.\d")


def _maybe_ip(s: str) -> bool:
    return _DOT_DIGITS.search(s) is not None


def _maybe_clitic(s: str) -> bool:
    return "'" in s and (" '" in s or " n'" in s or " N'" in s)  # one-character tests are fast


_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _hashtag(match: re.Match[str]) -> str:
    """``#LockThemAllUp`` -> ``Lock Them All Up`` (hashtags are Twitter-only artifacts)."""
    return " " + _CAMEL_RE.sub(" ", match.group(1)) + " "


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
    # The lookbehinds follow the literal, so the regex engine can skip ahead to it.
    _rule(r"@(?<![\w@]@)\w+", " @user ", "@"),
    _rule(r"#(?<![\w&#]#)([A-Za-z]\w*)", _hashtag, "#"),
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


_SEPARATORS_RE = re.compile(r"[ .*_-]")
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
        lambda m: _SEPARATORS_RE.sub("", m.group()),
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


_Sub = Callable[[Replacement, str], str]
# Searching for one character is several times faster than for a longer string, so a rule whose
# needle has a rarely used character first tests that character, then the needle.
_RARE = "[]{}=()<>#@|~^\\/:'\"" + string.ascii_uppercase


# Frequent rules that delete spaces before a captured group, rewritten to delete them with a
# lookahead instead: a constant replacement stays in C, a group reference calls Python per match
# (before 3.12).  Matches start with a space and the groups hold none: same output.
_DELETIONS = {
    r"(?<=\w) (n't|'(?:s|ve|re|ll|d|m))\b": re.compile(
        r"(?<=\w) (?=(?:n't|'(?:s|ve|re|ll|d|m))\b)", re.I
    ),
    r" +([,.!?;:%)\]])(?= |$)": re.compile(r" +(?=[,.!?;:%)\]](?: |$))"),
}


def _step(rule: Rule) -> tuple[_Sub, Replacement, str | None, Gate | None]:
    needle, gate = rule.needle, rule.gate
    probe = min((c for c in needle or "" if c in _RARE), key=_RARE.index, default=None)
    if needle is not None and len(needle) > 1 and probe is not None and gate is None:
        needle, gate = probe, re.compile(re.escape(needle)).search
    deletion = _DELETIONS.get(rule.pattern.pattern)
    if deletion is not None:
        if rule.repl != r"\1" or deletion.flags != rule.pattern.flags:  # pragma: no cover
            raise AssertionError(f"{rule.pattern.pattern!r} changed: update its rewrite")
        return deletion.sub, "", needle, gate
    return rule.pattern.sub, rule.repl, needle, gate


if len([r for r in _STRUCTURE if r.pattern.pattern in _DELETIONS]) != len(_DELETIONS):
    raise AssertionError("a rewritten rule is gone")  # pragma: no cover


_STRUCTURE_STEPS = tuple(_step(rule) for rule in _STRUCTURE)


def analyse(text: str) -> Analysed:
    """Fast path used for scoring and training (the rule loop is inlined: it runs per comment)."""
    s = _ENTITY.pattern.sub(_ENTITY.repl, text) if "&" in text else text
    s = fold(s)
    for sub, repl, needle, gate in _STRUCTURE_STEPS:
        if (needle is None or needle in s) and (gate is None or gate(s)):
            s = sub(repl, s)
    clean = s.strip(" ")
    s = clean.lower()
    for rule, applies in zip(_LEXICAL, _lexical_gates(s), strict=True):
        if applies:
            s = rule.pattern.sub(rule.repl, s)
    return Analysed(clean, s)


def _structure(text: str) -> str:
    """``clean``: entities, folding and the structural rules (the first half of ``analyse``)."""
    s = _ENTITY.pattern.sub(_ENTITY.repl, text) if "&" in text else text
    s = fold(s)
    for sub, repl, needle, gate in _STRUCTURE_STEPS:
        if (needle is None or needle in s) and (gate is None or gate(s)):
            s = sub(repl, s)
    return s.strip(" ")


# Bytes (of ``str.encode("ascii", "replace")``) that may start a run the run rule shortens;
# a non-ASCII character becomes "?", which is one of them, so the test has no false negatives.
_RUN_BYTES = np.zeros(256, dtype=bool)
_RUN_BYTES[list(_RUN_CHARS.encode("ascii"))] = True


def _lexical_candidates(lowered: Sequence[str]) -> set[int]:
    """Indices of the texts on which a lexical gate may pass, found with a few numpy passes over
    the whole batch (per text, the gates cost more than the rest of the lexical stage).

    The gates look at a few consecutive characters; a newline (shape "#", not a run character)
    between texts keeps matches from spanning two texts.  Over-inclusion is harmless: each
    candidate is then tested with :func:`_lexical_gates` itself.
    """
    raw = "\n".join(lowered).encode("ascii", "replace") + b"\n" * 8  # a byte per character
    shape = np.frombuffer(raw.translate(_SHAPE), dtype=np.uint8)
    letter, leet, gap = shape == ord("a"), shape == ord("1"), shape == ord(".")
    # "a1a", "a11a", "a111a": 1-3 leet characters between letters (p: the first of them).
    p = (letter[:-1] & leet[1:]).nonzero()[0] + 1
    leet_word = p[letter[p + 1] | (leet[p + 1] & (letter[p + 2] | (leet[p + 2] & letter[p + 3])))]
    # "a.a.a.a": single letters between separators.
    pair = letter[:-1] & gap[1:]
    n = shape.size - 6
    spaced = (pair[:n] & pair[2 : n + 2] & pair[4 : n + 4] & letter[6:]).nonzero()[0]
    # Four equal bytes in a row, the first a run character.
    codes = np.frombuffer(raw, dtype=np.uint8)
    same = codes[1:] == codes[:-1]
    runs = (same[:-2] & same[1:-1] & same[2:]).nonzero()[0]
    runs = runs[_RUN_BYTES.take(codes.take(runs))]
    starts = np.zeros(len(lowered), dtype=np.intp)
    np.cumsum(
        np.fromiter(map(len, lowered[:-1]), dtype=np.intp, count=len(lowered) - 1) + 1,
        out=starts[1:],
    )
    found = np.concatenate([leet_word, spaced, runs])
    return set((starts.searchsorted(found, side="right") - 1).tolist())


def analyse_many(texts: Sequence[str]) -> list[Analysed]:
    """``[analyse(t) for t in texts]``, faster: the lexical gates are tested on the whole batch
    at once (they rarely pass, and testing them was most of the lexical rules' cost)."""
    cleans = [_structure(text) for text in texts]
    norms = [clean.lower() for clean in cleans]
    for i in sorted(_lexical_candidates(norms)) if norms else ():
        s = norms[i]
        for rule, applies in zip(_LEXICAL, _lexical_gates(s), strict=True):
            if applies:
                s = rule.pattern.sub(rule.repl, s)
        norms[i] = s
    return list(map(Analysed, cleans, norms))


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
    if s.translate(FOLD_TABLE) == s:  # nothing to fold: the usual case, skip the slow loop
        return s, offsets
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, char in enumerate(s):
        out = FOLD_TABLE[ord(char)]
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
