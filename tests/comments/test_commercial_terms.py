"""Commercial spam the model was never taught (pharmacy, gambling, loans, SEO) is held when it
links somewhere, on the widget and on Akismet's check alike, unless the site turns it off.

The shipped model scores these texts below its spam hold threshold (0.81): without the rule
they would be published.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from comments.rules import check_commercial_terms
from tests.comments.conftest import PostComment
from tests.comments.test_policy_author_record import signals_of

PHARMACY = "Buy cheap viagra now!!! http://cheap-pills.example/buy"
#: The words only in the link's address, and in leetspeak in the text.
LOANS = "Need cash fast? Approval in minutes: http://payday-loans.example/apply"
LEET = "B3st c1al1s prices, order today http://shop.example/"


def test_commercial_spam_with_a_link_is_held_and_says_why(
    app: Flask, post_comment: PostComment
) -> None:
    for body, terms in [(PHARMACY, ["viagra"]), (LOANS, ["payday loans"]), (LEET, ["cialis"])]:
        answer = post_comment(body=body).get_json()
        assert answer["status"] == "pending", body
        assert signals_of(app, answer["id"])["commercial_terms"] == {"terms": terms}, body


def test_the_authors_website_counts_as_the_link(app: Flask, post_comment: PostComment) -> None:
    answer = post_comment(
        body="Great post, I learned a lot from it and bookmarked your blog.",
        author_name="Essay Help",
        author_url="https://buy-essay.example/",
    ).get_json()
    assert answer["status"] == "pending"
    assert signals_of(app, answer["id"])["commercial_terms"] == {"terms": ["buy essay"]}


def test_ordinary_comments_that_name_the_topic_are_published(post_comment: PostComment) -> None:
    """No link, or words that ordinary readers use: the rule stays silent."""
    for body in [
        "My doctor prescribed viagra for my blood pressure, oddly enough.",
        "The casino bill passed the senate yesterday: https://news.example/casino-bill",
        "Payday lenders should be regulated like banks, see https://news.example/lenders",
    ]:
        assert post_comment(body=body).get_json()["status"] == "published", body


def test_a_site_can_turn_the_rule_off(
    app: Flask, post_comment: PostComment, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["sites", "update", "default", "--no-hold-commercial-terms"])
    assert result.exit_code == 0, result.output
    assert '"hold_commercial_terms": false' in result.output
    answer = post_comment(body=PHARMACY).get_json()
    assert answer["status"] == "published"
    assert "commercial_terms" not in signals_of(app, answer["id"])
    runner.invoke(args=["sites", "update", "default", "--hold-commercial-terms"])
    assert post_comment(body=PHARMACY, author_name="Bo").get_json()["status"] == "pending"


def test_akismets_check_calls_it_spam(client: FlaskClient, key: str) -> None:
    form = {"api_key": key, "blog": "https://blog.example/", "user_ip": "203.0.113.9"}
    answer = client.post("/1.1/comment-check", data={**form, "comment_content": PHARMACY})
    assert answer.text == "true"
    ordinary = "Thanks, the second chart explains it well: https://news.example/chart"
    assert client.post("/1.1/comment-check", data={**form, "comment_content": ordinary}).text == (
        "false"
    )


def test_terms_are_whole_words_and_need_a_link() -> None:
    assert check_commercial_terms(["viagra pills"], linked=False) == []
    assert check_commercial_terms(["viagrafication", "https://a.example/"], linked=True) == []
    found = check_commercial_terms(["ONLINE   Casino", "https://a.example/"], linked=True)
    assert [signal.detail for signal in found] == [{"terms": ["online casino"]}]
