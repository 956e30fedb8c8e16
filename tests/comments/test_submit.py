"""Posting a comment: scored by the shipped model, decided, stored, answered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment, CommentScore, CommentSignal, Decision
from tests.comments.conftest import ABUSIVE, NICE, PostComment


def test_ordinary_comment_is_published_with_rendered_html(post_comment: PostComment) -> None:
    response = post_comment(body="I *really* liked this.\n\nSee https://example.org/a for more.")
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "published"
    assert isinstance(data["id"], int)
    assert "<em>really</em>" in data["html"]
    assert 'rel="nofollow ugc noopener"' in data["html"]
    assert "author_email" not in data and "ip_hash" not in data


def test_abusive_comment_is_held_for_moderation(post_comment: PostComment) -> None:
    response = post_comment(body=ABUSIVE)
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"


def test_every_signal_score_and_decision_is_recorded(app: Flask, post_comment: PostComment) -> None:
    response = post_comment(
        body=ABUSIVE + " http://a.example http://b.example http://c.example http://d.example"
    )
    comment_id = response.get_json()["id"]
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert comment is not None and comment.status == "pending"
        signals = {
            s.name
            for s in db.session.scalars(
                select(CommentSignal).where(CommentSignal.comment_id == comment_id)
            )
        }
        assert {"toxic", "too_many_links", "form_token_missing"} <= signals
        score = db.session.scalar(select(CommentScore).where(CommentScore.comment_id == comment_id))
        assert score is not None and score.toxicity > 0.5
        assert score.model_version == app.extensions["model_provider"].get().version
        assert score.explanation and score.explanation["toxicity"]
        decision = db.session.scalar(select(Decision).where(Decision.comment_id == comment_id))
        assert decision is not None
        assert (decision.actor, decision.to_status) == ("model", "pending")
        assert decision.model_version == score.model_version
        assert "toxic" in decision.reason and "too_many_links" in decision.reason


def test_spam_is_filed_but_shown_to_its_poster_as_pending(
    app: Flask, post_comment: PostComment
) -> None:
    response = post_comment(honeypot="http://cheap-pills.example")
    assert response.get_json()["status"] == "pending"
    with app.app_context():
        assert db.session.get(Comment, response.get_json()["id"]).status == "spam"


def test_stored_row_keeps_raw_text_author_details_and_hashed_ip(
    app: Flask, client, post_comment: PostComment
) -> None:
    response = post_comment(
        author_email="Ann@Example.org", author_url="ann.example.org", body="Hello **there**"
    )
    with app.app_context():
        comment = db.session.get(Comment, response.get_json()["id"])
        assert comment.body_raw == "Hello **there**"
        assert comment.body_html == "<p>Hello <strong>there</strong></p>"
        assert comment.author_email == "ann@example.org"
        assert comment.author_url == "https://ann.example.org"
        assert comment.ip_hash and "127.0.0.1" not in comment.ip_hash and len(comment.ip_hash) == 64


def test_reply_to_published_comment(post_comment: PostComment) -> None:
    parent = post_comment().get_json()
    reply = post_comment(parent_id=parent["id"], body="Agreed, a useful read.")
    assert reply.status_code == 201
    assert reply.get_json()["parent_id"] == parent["id"]


def test_duplicate_by_same_author_is_held(post_comment: PostComment) -> None:
    first = post_comment(author_email="dup@example.org")
    assert first.get_json()["status"] == "published"
    again = post_comment(author_email="dup@example.org", body=NICE.upper())
    assert again.get_json()["status"] == "pending"


def test_idempotency_key_returns_the_same_comment(
    post_comment: PostComment, count_comments: Callable[[], int]
) -> None:
    first = post_comment(idempotency_key="widget-key-0001")
    second = post_comment(idempotency_key="widget-key-0001")
    assert first.status_code == 201 and second.status_code == 200
    assert first.get_json() == second.get_json()
    assert count_comments() == 1


def test_a_used_idempotency_key_does_not_fetch_another_comment_or_its_edit_token(
    post_comment: PostComment, count_comments: Callable[[], int]
) -> None:
    """The answer to a retry carries the edit token, so the key alone is not enough: another
    text, or the same text from another e-mail, is refused and changes nothing."""
    first = post_comment(idempotency_key="widget-key-0002", author_email="ann@example.org")
    other_text = post_comment(
        idempotency_key="widget-key-0002", author_email="ann@example.org", body="Another text."
    )
    other_author = post_comment(idempotency_key="widget-key-0002", author_email="eve@example.org")
    for refused in (other_text, other_author):
        assert refused.status_code == 422
        assert list(refused.get_json()["errors"]) == ["idempotency_key"]
        assert "edit_token" not in refused.get_json()
    retry = post_comment(idempotency_key="widget-key-0002", author_email="ann@example.org")
    assert retry.status_code == 200 and retry.get_json() == first.get_json()
    assert count_comments() == 1


def test_blocked_words_and_domains_of_the_site(
    app: Flask, post_comment: PostComment, runner
) -> None:
    result = runner.invoke(
        args=[
            "sites",
            "update",
            "default",
            "--blocked-word",
            "casino royale",
            "--blocked-domain",
            "spam.example",
        ]
    )
    assert result.exit_code == 0, result.output
    held = post_comment(body="Best CASINO   royale offers here")
    assert held.get_json()["status"] == "pending"
    filed = post_comment(body="Nice post", author_url="https://www.spam.example/x")
    comment_id = filed.get_json()["id"]
    with app.app_context():
        assert db.session.get(Comment, comment_id).status == "spam"


def signals_of(app: Flask, comment_id: int) -> dict[str, dict | None]:
    with app.app_context():
        rows = db.session.scalars(
            select(CommentSignal).where(CommentSignal.comment_id == comment_id)
        )
        return {row.name: row.detail for row in rows}


def test_links_are_counted_as_readers_see_them(
    app: Flask, post_comment: PostComment, runner
) -> None:
    """Bare domains become links when the comment is rendered, so they count against
    max_links (3 by default) and match blocked domains; a Markdown link whose text is its own
    address is one link, not two."""
    bare = post_comment(
        body="Thanks for the clear summary. Other reports: bbc.co.uk, reuters.org, apnews.org "
        "and dw.de."
    ).get_json()
    assert bare["html"].count("<a ") == 4
    assert bare["status"] == "pending"
    assert signals_of(app, bare["id"])["too_many_links"] == {"links": 4, "max": 3}

    runner.invoke(args=["sites", "update", "default", "--max-links", "2"])
    report = "https://data.example/report"
    tables = "https://data.example/tables"
    linked = post_comment(
        body=f"The report is at [{report}]({report}), the raw tables at [{tables}]({tables})."
    ).get_json()
    assert linked["html"].count("<a ") == 2
    assert linked["status"] == "published"

    result = runner.invoke(args=["sites", "update", "default", "--add-blocked-domain", "pills.com"])
    assert result.exit_code == 0, result.output
    filed = post_comment(
        body="Thanks for the clear summary. The source is quoted in full on spam-pills.com, "
        "oddly, and on cheap.pills.com."
    ).get_json()
    assert signals_of(app, filed["id"])["blocked_domain"] == {"domains": ["cheap.pills.com"]}
    with app.app_context():
        assert db.session.get(Comment, filed["id"]).status == "spam"


def test_site_that_holds_everything(post_comment: PostComment, runner) -> None:
    runner.invoke(args=["sites", "update", "default", "--moderation", "all"])
    assert post_comment().get_json()["status"] == "pending"


def test_a_site_change_applies_to_the_next_comment(post_comment: PostComment, runner) -> None:
    """The site's settings are reused between comments only while its row is unchanged."""
    assert post_comment(body="First thoughts.").get_json()["status"] == "published"
    runner.invoke(args=["sites", "update", "default", "--moderation", "all"])
    assert post_comment(body="Second thoughts.").get_json()["status"] == "pending"
    runner.invoke(args=["sites", "update", "default", "--moderation", "auto"])
    assert post_comment(body="Third thoughts.").get_json()["status"] == "published"


def test_unknown_site_is_a_field_error(post_comment: PostComment) -> None:
    response = post_comment(site="nope")
    assert response.status_code == 422
    assert "site" in response.get_json()["errors"]


def test_body_limit_counts_characters_after_normalisation(post_comment: PostComment) -> None:
    # Stripped bidi overrides do not count: 10,000 visible characters are accepted.
    accepted = post_comment(body="\u202e" * 50 + "fine " * 2_000)
    assert accepted.status_code == 201, accepted.get_json()
    refused = post_comment(body="\u202e" + "y" * 10_001)
    assert refused.status_code == 422


def test_control_and_bidi_characters_are_stripped(app: Flask, post_comment: PostComment) -> None:
    response = post_comment(author_name="Ev\u202eil\u0000 \u200bName", body="a\u2066b\x07c")
    assert response.get_json()["author_name"] == "Evil Name"
    with app.app_context():
        assert db.session.get(Comment, response.get_json()["id"]).body_raw == "abc"


def test_reply_must_be_to_a_published_comment_of_the_same_thread(
    app: Flask, post_comment: PostComment, count_comments: Callable[[], int]
) -> None:
    published = post_comment(thread="/first").get_json()
    held = post_comment(thread="/first", body=ABUSIVE).get_json()
    assert held["status"] == "pending"
    stored = count_comments()
    for parent, thread in ((published["id"], "/second"), (held["id"], "/first")):
        response = post_comment(thread=thread, parent_id=parent)
        assert response.status_code == 422
        assert "parent_id" in response.get_json()["errors"]
    assert count_comments() == stored


@pytest.mark.parametrize("body", ["ok", "\u00e9", "\u4f60\u597d", "\U0001f44d", "e\u0301", ":)"])
def test_short_bodies_people_can_see_are_accepted(post_comment: PostComment, body: str) -> None:
    assert post_comment(body=body).status_code == 201
