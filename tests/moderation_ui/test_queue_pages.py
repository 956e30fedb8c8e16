"""The queue, the comment page and the no-JavaScript decision forms."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from comments.extensions import db
from comments.models import Ban, Comment, CommentScore, LabelledExample, Staff, TrustedAuthor
from comments.moderation_ui import present
from comments.services import accounts
from comments.services.edits import delete_comment
from comments.services.moderation import authors
from comments.services.moderation.decisions import DecisionRequest, decide_comment
from tests.moderation_ui.conftest import (
    ABUSIVE,
    NICE,
    PASSWORD,
    MakeStaff,
    PostComment,
    SignedIn,
    session_csrf,
)


def status_of(app: Flask, comment_id: int) -> str:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert comment is not None
        return comment.status


def card_html(page: str, comment_id: int) -> str:
    start = page.index(f'id="comment-{comment_id}"')
    return page[start : page.index("</article>", start)]


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
    text = re.search(r'<p class="comment-text">(.*?)</p>', card_html(page, held), re.S)
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


@pytest.mark.parametrize(
    "query", ["status=everything", "sort=random", "min_toxicity=2", "cursor=%%"]
)
def test_bad_filters_are_explained_not_crashed(signed_in: SignedIn, query: str) -> None:
    response = signed_in("moderator").get(f"/moderation/?{query}")
    assert response.status_code == 400 and "Some filters are not valid" in response.text


@pytest.mark.parametrize(
    ("start", "action", "status"),
    [
        ("pending", "approve", "published"),
        ("pending", "reject", "rejected"),
        ("pending", "spam", "spam"),
        ("spam", "not_spam", "published"),
        ("spam", "restore", "pending"),
    ],
)
def test_decision_forms_work_without_javascript(
    app: Flask,
    signed_in: SignedIn,
    post_comment: PostComment,
    start: str,
    action: str,
    status: str,
) -> None:
    extra = {"honeypot": "x"} if start == "spam" else {}
    comment_id = post_comment(body=ABUSIVE, **extra)
    assert status_of(app, comment_id) == start
    client = signed_in("moderator")
    back = f"/moderation/?status={start}"
    response = client.post(
        f"/moderation/comments/{comment_id}/decision",
        data={
            "action": action,
            "reason": "checked",
            "note": "by hand",
            "csrf_token": session_csrf(client),
            "next": back,
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == back
    assert status_of(app, comment_id) == status
    confirmed = client.get(back).text  # the flashed confirmation, in the polite region
    assert re.search(
        rf'<div id="announcer" role="status"[^>]*>\s*<p class="flash flash-ok">'
        rf"Comment #{comment_id} ",
        confirmed,
    )
    history = client.get(f"/moderation/comments/{comment_id}").text
    assert f"{start} → {status}" in history and "checked" in history and "by hand" in history
    assert re.search(r"toxicity [01]\.\d\d, spam [01]\.\d\d", history)


def test_ui_writes_without_the_csrf_token_are_refused(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE, author_email="t@x.org")
    client = signed_in("moderator")
    for url, data in [
        (f"/moderation/comments/{held}/decision", {"action": "approve"}),
        ("/moderation/decisions", {"action": "approve", "ids": str(held)}),
        (f"/moderation/comments/{held}/ban", {"reject_comments": "1"}),
        (f"/moderation/comments/{held}/trust", {}),
        ("/moderation/logout", {}),
    ]:
        for token in (None, "forged"):
            sent = {**data, "csrf_token": token} if token else data
            response = client.post(url, data=sent)
            assert response.status_code == 403, (url, token)
            assert "CSRF" in response.text
    assert status_of(app, held) == "pending"
    with app.app_context():
        assert db.session.scalar(select(Ban)) is None
        assert db.session.scalar(select(TrustedAuthor)) is None


def test_an_illegal_transition_is_a_message_and_changes_nothing(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    published = post_comment()
    client = signed_in("moderator")
    response = client.post(
        f"/moderation/comments/{published}/decision",
        data={"action": "not_spam", "csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Cannot not spam a published comment" in response.text
    # A refusal goes to the region that interrupts (a success to the polite one, above).
    assert re.search(
        r'<div id="alerts" role="alert"[^>]*>\s*<p class="flash flash-error">'
        r"Comment #\d+: Cannot not spam",
        response.text,
    )
    assert status_of(app, published) == "published"
    bad = client.post(
        f"/moderation/comments/{published}/decision",
        data={"action": "delete", "csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert "nothing was changed" in bad.text


def test_a_card_decided_meanwhile_by_someone_else_is_not_overruled(
    app: Flask, signed_in: SignedIn, make_staff: MakeStaff, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE)
    client = signed_in("moderator", "omar")
    make_staff("moderator", "maria")
    page = client.get("/moderation/?status=pending").text
    assert 'name="expected_status" value="pending"' in page  # the card says what it showed
    with app.app_context():  # another moderator rejects it after the page was loaded
        comment = db.session.get(Comment, held)
        staff = db.session.scalar(select(Staff).where(Staff.name == "maria"))
        decide_comment(db.session(), comment, DecisionRequest("reject"), staff)
        db.session.commit()
    response = client.post(
        f"/moderation/comments/{held}/decision",
        data={
            "action": "approve",
            "expected_status": "pending",
            "csrf_token": session_csrf(client),
        },
        follow_redirects=True,
    )
    assert "The comment is rejected now, not pending: maria decided it" in response.text
    assert status_of(app, held) == "rejected"


def test_bulk_form_decides_each_selected_comment(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = [post_comment(body=f"{ABUSIVE} {n}", author_email=f"b{n}@x.org") for n in range(2)]
    published = post_comment()
    client = signed_in("moderator")
    response = client.post(
        "/moderation/decisions",
        data={
            "action": "reject",
            "ids": [str(i) for i in [*held, published, 999999]],
            "csrf_token": session_csrf(client),
        },
        follow_redirects=True,
    )
    assert "3 comments rejected." in response.text
    assert "#999999: " in response.text
    assert [status_of(app, i) for i in [*held, published]] == ["rejected"] * 3
    with app.app_context():
        labels = db.session.scalars(select(LabelledExample.toxic)).all()
        assert labels == [True, True, True]
    empty = client.post(
        "/moderation/decisions",
        data={"action": "reject", "csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert "Select at least one comment first." in empty.text


def test_ban_and_trust_forms(app: Flask, signed_in: SignedIn, post_comment: PostComment) -> None:
    held = post_comment(body=ABUSIVE, author_email="troll@x.org")
    friend = post_comment(body=ABUSIVE + " friend", author_email="friend@x.org")
    client = signed_in("moderator")
    token = session_csrf(client)
    trusted = client.post(
        f"/moderation/comments/{friend}/trust", data={"csrf_token": token}, follow_redirects=True
    )
    assert "friend@x.org is now trusted" in trusted.text
    card = card_html(client.get("/moderation/").text, held)
    assert all(f'name="by" value="{by}"' in card for by in ("email_and_ip", "email", "ip"))
    banned = client.post(
        f"/moderation/comments/{held}/ban",
        data={"csrf_token": token, "reason": "abuse", "reject_comments": "1", "by": "email"},
        follow_redirects=True,
    )
    assert f"The author of comment #{held} is banned" in banned.text
    assert status_of(app, held) == "rejected"
    with app.app_context():
        ban = db.session.scalar(select(Ban))
        assert ban is not None and ban.email == "troll@x.org" and ban.reason == "abuse"
        assert ban.ip_hash is None  # by e-mail only, as chosen
        assert db.session.scalar(select(TrustedAuthor.email)) == "friend@x.org"
    history = client.get(f"/moderation/comments/{held}").text
    assert "pending → pending" in history and "<td>ban</td>" in history
    assert "<td>moderator</td>" in history


def test_a_trusted_authors_card_offers_to_stop_trusting(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    friend = post_comment(author_email="friend@x.org")
    client = signed_in("moderator")
    token = session_csrf(client)
    client.post(f"/moderation/comments/{friend}/trust", data={"csrf_token": token})
    card = card_html(client.get("/moderation/?status=published").text, friend)
    assert "Stop trusting author" in card and ">Trust author<" not in card
    stopped = client.post(
        f"/moderation/comments/{friend}/untrust",
        data={"csrf_token": token, "next": "/moderation/?status=published"},
        follow_redirects=True,
    )
    assert "friend@x.org is no longer trusted." in stopped.text
    assert ">Trust author<" in card_html(stopped.text, friend)
    with app.app_context():
        assert db.session.scalar(select(TrustedAuthor)) is None


def test_a_ban_form_warns_about_others_at_the_same_address_and_spares_them_by_default(
    app: Flask, signed_in: SignedIn
) -> None:
    def post(email: str, address: str) -> int:
        response = app.test_client().post(
            "/api/v1/comments",
            json={"thread": "/campus", "body": ABUSIVE, "author_email": email or ""},
            environ_base={"REMOTE_ADDR": address},
        )
        assert response.status_code == 201, response.get_json()
        return int(response.get_json()["id"])

    troll = post("troll@x.org", "198.51.100.5")
    post("student1@x.org", "198.51.100.5")
    post("student2@x.org", "198.51.100.5")
    post("", "198.51.100.5")  # no e-mail: one more author
    alone = post("alone@x.org", "203.0.113.77")
    client = signed_in("moderator")
    page = client.get("/moderation/?status=pending&thread=/campus").text
    card = card_html(page, troll)
    assert "3 comments by 3 other authors came from the same IP address" in card
    assert re.search(r'name="by" value="email"\s*checked', card)  # spares them by default
    quiet = card_html(page, alone)
    assert "came from the same IP address" not in quiet
    detail = client.get(f"/api/v1/moderation/comments/{troll}")
    assert detail.get_json()["author"]["shared_address"] == {"comments": 3, "authors": 3}


def test_the_bans_page_lists_bans_and_lifts_them(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE, author_email="troll@x.org")
    client = signed_in("moderator")
    token = session_csrf(client)
    ban = {"csrf_token": token, "reason": "abuse", "by": "email"}
    client.post(f"/moderation/comments/{held}/ban", data=ban)
    again = client.post(f"/moderation/comments/{held}/ban", data=ban, follow_redirects=True)
    assert f"The author of comment #{held} is already banned" in again.text

    page = client.get("/moderation/bans").text
    assert 'aria-current="page">Bans</a>' in page
    with app.app_context():
        [ban_id] = db.session.scalars(select(Ban.id)).all()  # banning twice made one ban
    row = page[page.index(f'id="ban-{ban_id}"') :]
    row = row[: row.index("</tr>")]
    assert "troll@x.org" in row and "abuse" in row and f"#{held}" in row
    lifted = client.post(
        f"/moderation/bans/{ban_id}/lift",
        data={"csrf_token": token, "next": "/moderation/bans"},
        follow_redirects=True,
    )
    assert f"Ban #{ban_id} is lifted" in lifted.text and "No live bans." in lifted.text
    assert post_comment(author_email="troll@x.org") and status_of(app, held + 1) == "published"
    history = client.get("/moderation/bans?lifted=1").text
    assert f'id="ban-{ban_id}"' in history and "Lifted" in history and "by moderator" in history
    twice = client.post(
        f"/moderation/bans/{ban_id}/lift", data={"csrf_token": token}, follow_redirects=True
    )
    assert "The ban was lifted already." in twice.text


def test_analysts_see_bans_without_a_lift_button(
    signed_in: SignedIn, post_comment: PostComment, app: Flask
) -> None:
    held = post_comment(body=ABUSIVE, author_email="troll@x.org")
    with app.app_context():
        comment = db.session.get(Comment, held)
        assert comment is not None
        admin = accounts.create_staff(db.session(), "root", "admin", PASSWORD, [])
        authors.ban_author(db.session(), comment, admin)
        db.session.commit()
    page = signed_in("analyst").get("/moderation/bans").text
    assert "troll@x.org" in page and "/lift" not in page  # listed, with no form to lift it


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
