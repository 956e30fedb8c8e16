"""Rule checks on the text and author fields of a comment: pure functions of their input."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from classifier import normalize
from comments.commercial_terms import COMMERCIAL_TERMS
from comments.policy import Signal

_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
#: Any commercial term as whole words of a `_folded_words` string (space-padded).
_COMMERCIAL = re.compile(
    "(?<= )(?:"
    + "|".join(re.escape(term) for term in sorted(COMMERCIAL_TERMS, key=len, reverse=True))
    + ")(?= )"
)


def link_domains(*texts: str) -> list[str]:
    """Host names of every link in the texts, lower-case, in order of appearance."""
    domains: list[str] = []
    for text in texts:
        for match in _URL.finditer(text):
            url = match.group(0)
            if not url.lower().startswith("http"):
                url = "http://" + url
            host = urlsplit(url).hostname
            if host:
                domains.append(host.lower().rstrip("."))
    return domains


def domain_key(blocked: str) -> str:
    """A blocked-domain entry as it is matched: "*.Spam.example." and "spam.example" are one."""
    return blocked.lower().strip().lstrip("*.").rstrip(".")


def word_key(blocked: str) -> str:
    """A blocked-word entry as it is matched: "Casino" and "casino" are one entry."""
    return _folded_words(blocked).strip()


def _domain_matches(host: str, blocked: str) -> bool:
    blocked = domain_key(blocked)
    return bool(blocked) and (host == blocked or host.endswith("." + blocked))


def _folded_words(text: str) -> str:
    """Words of the text, case- and width-folded, space-separated and space-padded."""
    return " " + " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold())) + " "


def check_links(
    body: str,
    links: Sequence[str],
    author_url: str,
    *,
    max_links: int,
    blocked_domains: Iterable[str],
) -> list[Signal]:
    """``links`` are the addresses the rendered body links to (`rendering.link_targets`);
    up to ``max_links`` of them are recorded as ``has_links``, more as ``too_many_links``.

    They are what the link count counts: the links a reader sees, bare domains such as
    "cheap-pills.com" included, which the address pattern alone misses. Blocked domains are
    also looked for in the raw text (an address in a code span is no link, yet readers can
    copy it) and in the author's website.
    """
    signals: list[Signal] = []
    if len(links) > max_links:
        signals.append(Signal("too_many_links", {"links": len(links), "max": max_links}))
    elif links:  # holds nothing alone; the policy weighs it (comments.policy.LINK_SIGNALS)
        signals.append(Signal("has_links", {"links": len(links)}))
    all_domains = [*link_domains(*links), *link_domains(body), *link_domains(author_url)]
    hits = sorted(
        {
            host
            for host in all_domains
            for blocked in blocked_domains
            if _domain_matches(host, blocked)
        }
    )
    if hits:
        signals.append(Signal("blocked_domain", {"domains": hits}))
    return signals


def check_words(texts: Iterable[str], blocked_words: Iterable[str]) -> list[Signal]:
    """Whole-word, case- and width-insensitive matches; multi-word entries match as phrases."""
    folded = _folded_words(" ".join(texts))
    hits = sorted(
        entry for entry in blocked_words if word_key(entry) and _folded_words(entry) in folded
    )
    return [Signal("blocked_word", {"words": hits})] if hits else []


def check_commercial_terms(texts: Iterable[str], *, linked: bool) -> list[Signal]:
    """Commercial spam's words (`comments.commercial_terms`) in a comment that links somewhere,
    or whose author gives a website: what such spam is posted for. ``texts`` are the body,
    the author's name and website and the addresses linked to."""
    if not linked:
        return []
    text = " ".join(texts)
    found = _COMMERCIAL.findall(_folded_words(text)) + _COMMERCIAL.findall(
        _folded_words(normalize(text))
    )
    return [Signal("commercial_terms", {"terms": sorted(set(found))})] if found else []


def check_honeypot(value: str) -> list[Signal]:
    return [Signal("honeypot_filled")] if value.strip() else []
