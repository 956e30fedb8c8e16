"""The queue page: what a card shows, the tabs, filters and paging."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment, CommentScore
from comments.moderation_ui import present
from comments.services.edits import delete_comment
from tests.moderation_ui.conftest import (
    ABUSIVE,
    NICE,
    PostComment,
    SignedIn,
    card_html,
    session_csrf,
    status_of,
)


def test_a_card_shows_everything_a_moderator_needs(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    post_comment(author_email="troll@example.org", body="A fair point, thanks.")
    parent = post_comment(body=NICE, thread="/news/1", thread_title="Elections <2026>")
    held = post_comment(
        thread="/news/1",
        parent_id=parent,
        author_name="Troll",
        author_email="troll@example.org",
        author_url="https://troll.example/",
        body=ABUSIVE,
    )
    client = signed_in("moderator")
    page = client.get("/moderation/").text
    card = card_html(page, held)
    assert "Elections &lt;2026&gt;" in card and "/news/1" in card
    assert f"In reply to Ann (#{parent}, published)" in card and "the point about" in card
    assert "troll@example.org" in card and "https://troll.example/" in card
    assert re.search(r"IP hash</dt><dd><code title=\"[0-9a-f]{64}\">[0-9a-f]{12}…", card)
    assert "1 published · 1 pending" in card
    assert re.search(r"toxicity</span>\s*<strong class=\"score-value\">[01]\.\d\d</strong>", card)
    assert "likely" in card and "Model <code>" in card
    assert "<code>toxic</code>" in card and "threshold" in card
    assert f'href="/moderation/comments/{held}"' in card
    for action in ("approve", "reject", "spam"):
        assert f'value="{action}"' in card
    assert 'value="not_spam"' not in card and 'value="restore"' not in card
    assert "Ban this author" in card and "Trust author" in card
    assert 'class="count" data-count="pending">1<' in page


def test_history_of_an_author_without_email_says_it_goes_by_ip_address(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    post_comment(author_email="ann@example.org", body=NICE)
    held = post_comment(author_name="Troll", body=ABUSIVE)
    card = card_html(signed_in("moderator").get("/moderation/").text, held)
    assert '<dd class="history">1 published · 1 pending (by IP address)</dd>' in card


def _positions(entry: dict[str, Any]) -> set[int]:
    spans = entry.get("spans") or [[entry["start"], entry["end"]]]
    return {i for start, end in spans for i in range(start, end)}


def test_highlights_escape_the_body_and_mark_the_explained_words(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    body = '<script>alert("owned")</script> ' + ABUSIVE
    held = post_comment(body=body)
    with app.app_context():
        score = db.session.scalar(select(CommentScore).where(CommentScore.comment_id == held))
        assert score is not None and score.explanation
        explanation = score.explanation
        shown_heads = {
            kind for kind in ("toxicity", "spam") if getattr(score, kind) >= present.HIGHLIGHT_FROM
        }
    expected = {
        kind: set().union(*(_positions(w) for w in explanation[kind] if w["weight"] > 0))
        if kind in shown_heads
        else set()
        for kind in ("toxicity", "spam")
    }
    assert expected["toxicity"], "the shipped model explains its toxicity score"
    page = signed_in("moderator").get("/moderation/").text
    text = re.search(r'<p class="comment-text"[^>]*>(.*?)</p>', card_html(page, held), re.S)
    assert text is not None
    shown = text.group(1)
    assert "<script>" not in page
    plain = re.sub(r"</?mark[^>]*>", "", shown)
    assert plain.startswith("&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;")
    # Walk the HTML: the text is the body, escaped, and each score's marks cover exactly the
    # characters its explanation names.
    position = 0
    marked: dict[str, set[int]] = {"toxicity": set(), "spam": set()}
    for piece in re.split(r"(<mark[^>]*>.*?</mark>)", shown):
        inner = re.fullmatch(r'<mark class="hl ([^"]+)"[^>]*>(.*?)</mark>', piece)
        raw = html.unescape(inner.group(2) if inner else piece)
        assert body[position : position + len(raw)] == raw
        if inner:
            for kind in marked:
                if f"hl-{kind}" in inner.group(1).split():
                    marked[kind] |= set(range(position, position + len(raw)))
        position += len(raw)
    assert position == len(body) and marked == expected


def test_a_published_comment_is_explained_when_its_page_is_opened(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    body = "I disagree, this argument is silly."  # below the hold threshold, above 0.2
    published = post_comment(body=body)
    client = signed_in("moderator")
    page = client.get(f"/moderation/comments/{published}").text
    marked = re.findall(r'<mark class="hl [^"]*toxicity[^"]*"[^>]*>(.*?)</mark>', page)
    assert marked, "no word of the published comment is highlighted"
    assert all(html.unescape(word).lower() in body.lower() for word in marked)


def test_filters_sorts_and_the_next_page_link(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    ids = [post_comment(body=f"{ABUSIVE} number {n}", author_email=f"a{n}@x.org") for n in range(5)]
    client = signed_in("moderator")
    seen: list[int] = []
    url = "/moderation/?status=pending&sort=oldest&per_page=2"
    while url:
        page = client.get(url).text
        seen += [int(i) for i in re.findall(r'<article class="card" id="comment-(\d+)"', page)]
        link = re.search(r'<a href="([^"]+)" rel="next"', page)
        url = html.unescape(link.group(1)) if link else ""
        assert "per_page" not in url or "sort=oldest" in url
    assert seen == ids
    by_author = client.get("/moderation/?author=a3@x.org&site=&signal=").text
    assert re.findall(r'id="comment-(\d+)"', by_author) == [str(ids[3])]
    assert '<details class="filters" open>' in by_author
    none = client.get("/moderation/?min_toxicity=0.99&max_toxicity=1&signal=honeypot_filled")
    assert "Nothing here for these filters" in none.text


@pytest.mark.parametrize("app_config", [{"QUEUE_COUNT_CAP": 2}])
def test_a_queue_larger_than_the_count_cap_reads_cap_plus(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    for n in range(3):
        post_comment(body=f"{ABUSIVE} number {n}", author_email=f"a{n}@x.org")
    page = signed_in("moderator").get("/moderation/?status=pending").text
    assert re.search(r'data-count="pending">2\+</span>', page)
    assert re.search(r'data-count="spam">0</span>', page)
    assert "<title>Pending (2+)" in page


def test_under_a_filter_the_tabs_and_title_count_what_it_selects(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    for n in range(3):
        post_comment(body=f"{NICE} ({n})", author_name=f"Reader {n}", thread="/elsewhere")
    post_comment(body=NICE, author_name="Bob", thread="/bob")
    post_comment(body=ABUSIVE, author_name="Bob", thread="/bob")
    client = signed_in("moderator")
    everyone = client.get("/moderation/?status=published").text
    assert "<title>Published (4)" in everyone
    bob = client.get("/moderation/?status=published&thread=/bob").text
    assert "<title>Published (1)" in bob
    assert 'data-count="published">1<' in bob and 'data-count="pending">1<' in bob
    # The tabs keep the filter, and the script asks the counts again under it.
    assert 'data-count-filters="thread=%2Fbob"' in bob
    assert 'href="/moderation/?thread=/bob&amp;status=pending"' in bob
    refused = client.get("/moderation/?status=published&thread=/bob&min_spam=2").text
    assert "<title>Published (4)" in refused and 'data-count-filters=""' in refused


def test_under_an_author_the_queues_count_their_comments_under_a_signal_or_search_none(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    post_comment(body=NICE, author_name="Bob")
    post_comment(body=ABUSIVE, author_name="BOB")
    post_comment(body=NICE + " (someone else)", author_name="Carol")
    client = signed_in("moderator")
    bob = client.get("/moderation/?status=published&author=bob").text
    assert "<title>Published (1)" in bob
    assert 'data-count="published">1<' in bob and 'data-count="pending">1<' in bob
    assert "not counted" not in bob
    for query in ("signal=toxic", "q=someone"):
        page = client.get(f"/moderation/?status=published&{query}").text
        assert "<title>Published ·" in page and 'class="count"' not in page
        assert "The queues are not counted under a signal or search filter." in page


@pytest.mark.parametrize("app_config", [{"QUEUE_COUNT_CAP": 2}])
def test_a_filter_selecting_more_than_the_cap_reads_cap_plus(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    for n in range(3):
        post_comment(body=f"{ABUSIVE} number {n}", thread="/busy")
    post_comment(body=ABUSIVE, thread="/quiet")
    client = signed_in("moderator")
    assert "<title>Pending (2+)" in client.get("/moderation/?thread=/busy").text
    assert "<title>Pending (1)" in client.get("/moderation/?thread=/quiet").text


@pytest.mark.parametrize(
    "query",
    ["status=everything", "sort=random", "min_toxicity=2", "cursor=%%", "min_spam=1&max_spam=0"],
)
def test_bad_filters_are_explained_not_crashed(signed_in: SignedIn, query: str) -> None:
    response = signed_in("moderator").get(f"/moderation/?{query}")
    assert response.status_code == 400 and "Some filters are not valid" in response.text


def test_a_search_of_invisible_characters_asks_for_a_word(signed_in: SignedIn) -> None:
    """Spaces alone are dropped as an empty field; a zero-width space is blank once cleaned."""
    response = signed_in("moderator").get("/moderation/?q=%E2%80%8B")
    assert response.status_code == 400
    assert "<strong>q</strong>: Enter a word to search for." in response.text


def test_a_reported_comment_offers_keep_and_shows_its_reports(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    published = post_comment()
    reader = app.test_client()
    report = reader.post(
        f"/api/v1/comments/{published}/reports", json={"reason": "abusive", "text": "rude <b>"}
    )
    assert report.status_code == 201
    client = signed_in("moderator")
    page = client.get("/moderation/?status=reported").text
    card = card_html(page, published)
    assert "Open reports (1)" in card and "rude &lt;b&gt;" in card
    assert '<strong class="report-reason">Abusive</strong>' in card
    assert "Keep (dismiss reports)" in card
    client.post(
        f"/moderation/comments/{published}/decision",
        data={"action": "approve", "csrf_token": session_csrf(client)},
    )
    assert f'id="comment-{published}"' not in client.get("/moderation/?status=reported").text
    assert status_of(app, published) == "published"


def test_what_an_author_deleted_has_its_own_tab_offering_restore_alone(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    withdrawn = post_comment(body="I take this back.")
    with app.app_context():
        comment = db.session.get(Comment, withdrawn)
        assert comment is not None
        delete_comment(db.session(), comment, datetime.now(UTC))
        db.session.commit()
    client = signed_in("moderator")
    page = client.get("/moderation/?status=deleted").text
    assert "Deleted by author" in page and 'data-count="deleted">1<' in page
    card = card_html(page, withdrawn)
    assert "I take this back." in card
    assert 'value="restore"' in card
    assert all(f'value="{action}"' not in card for action in ("approve", "reject", "spam"))
    client.post(
        f"/moderation/comments/{withdrawn}/decision",
        data={"action": "restore", "csrf_token": session_csrf(client)},
    )
    assert status_of(app, withdrawn) == "pending"


def test_only_the_queue_offers_keyboard_shortcuts(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    """The keys are handled by the queue's scripts: a comment's own page, which loads none,
    must not show them on its buttons nor announce them to assistive technology."""
    held = post_comment(body=ABUSIVE, author_email="keys@x.org")
    client = signed_in("moderator")
    queue = client.get("/moderation/")
    card = card_html(queue.text, held)
    assert 'aria-keyshortcuts="a"' in card and '<kbd aria-hidden="true">a</kbd>' in card
    assert "shortcuts.js" in queue.text
    assert 'data-decision-keys="a r s n p"' in queue.text  # what a card without the button refuses
    page = client.get(f"/moderation/comments/{held}").text
    assert "shortcuts.js" not in page
    own = card_html(page, held)
    assert 'value="approve"' in own and "Ban this author" in own
    assert "aria-keyshortcuts" not in own and "<kbd" not in own


def test_a_comments_history_page_does_not_link_its_card_to_itself(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE, author_email="history@x.org")
    client = signed_in("moderator")
    link = f'href="/moderation/comments/{held}"'
    assert link in card_html(client.get("/moderation/").text, held)
    page = client.get(f"/moderation/comments/{held}").text
    assert link not in page and f"History of comment {held}" not in html.unescape(
        re.sub(r"<[^>]+>", "", page)
    )
    assert "Decision history" in page


def test_a_finished_later_page_leads_back_to_the_start_of_the_queue(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    """Once every card of page 2 is decided, "Load the queue again" must not load page 2
    again (empty by now, while page 1 still waits), but the queue from its start."""
    for n in range(3):
        post_comment(body=f"{ABUSIVE} number {n}", author_email=f"p{n}@x.org")
    client = signed_in("moderator")
    first = client.get("/moderation/?status=pending&sort=oldest&per_page=2").text
    link = re.search(r'<a href="([^"]+)" rel="next"', first)
    assert link and "cursor=" in link.group(1)
    second = client.get(html.unescape(link.group(1))).text
    again = re.search(r'id="queue-empty" hidden>This page is done.\s*<a href="([^"]+)"', second)
    assert again, "the done page offers to load the queue again"
    target = html.unescape(again.group(1))
    assert "cursor=" not in target
    assert "sort=oldest" in target and "per_page=2" in target and "status=pending" in target
