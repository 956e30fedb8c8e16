"""The parts of a decision every way in shares: the widget, a reader's edit, Akismet's check.

Each path gathers the signals only it can see (form tokens, duplicates, bans as it finds
them), then calls these, so a site's word lists, link rules, thresholds and "hold everything"
setting mean the same wherever a comment comes from.
"""

from __future__ import annotations

from comments.models import Site
from comments.policy import Outcome, Signal, Thresholds, decide
from comments.rendering import link_targets
from comments.rules import check_commercial_terms, check_links, check_words
from comments.services.scoring import ScoreResult


def content_signals(
    site: Site, body: str, body_html: str, author_name: str, author_url: str
) -> list[Signal]:
    """The site's rules on what the author wrote: links, their domains, blocked words and,
    unless the site turned it off, commercial spam's words in a comment that links somewhere.

    ``body_html`` is ``render(body)``: links are counted as readers will see them.
    """
    links = link_targets(body_html)
    signals = check_links(
        body,
        links,
        author_url,
        max_links=site.max_links,
        blocked_domains=site.blocked_domains,
    )
    signals += check_words([body, author_name], site.blocked_words)
    if site.hold_commercial_terms:
        signals += check_commercial_terms(
            [body, author_name, author_url, *links], linked=bool(links or author_url)
        )
    return signals


def site_thresholds(site: Site, scored: ScoreResult) -> Thresholds | None:
    """The site's own thresholds, else those the scoring model was evaluated with."""
    if scored.model is None:
        return None
    site_values = {
        "toxicity_hold": site.toxicity_hold,
        "spam_hold": site.spam_hold,
        "spam_file": site.spam_file,
    }
    return Thresholds.resolve(site_values, scored.model.card["thresholds"])


def decide_for_site(
    site: Site,
    signals: list[Signal],
    scored: ScoreResult,
    *,
    author_approved: bool,
    author_trusted: bool,
) -> Outcome:
    """The policy's decision with the site's settings; ``signals`` is left as it was."""
    signals = list(signals)
    if site.moderation == "all":
        signals.append(Signal("site_holds_all"))
    if scored.error:
        signals.append(Signal("model_unavailable", {"error": scored.error[:200]}))
    return decide(
        signals,
        scored.scores,
        site_thresholds(site, scored),
        author_approved=author_approved,
        author_trusted=author_trusted,
    )
