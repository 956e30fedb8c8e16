"""The comment detail says whether its author is trusted or banned, and what the card may
offer about them (author_actions): the same rules as the trust endpoints."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.comments.conftest import ABUSIVE, PostComment, StaffToken

API = "/api/v1/moderation"
TRUST = {"name": "trust", "label": "Trust author"}
UNTRUST = {"name": "untrust", "label": "Stop trusting author"}


def detail(client: FlaskClient, headers: dict[str, str], comment_id: int) -> Any:
    response = client.get(f"{API}/comments/{comment_id}", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def standing(client: FlaskClient, headers: dict[str, str], comment_id: int) -> tuple[Any, ...]:
    item = detail(client, headers, comment_id)
    return item["author"]["trusted"], item["author"]["banned"], item["author_actions"]


def test_trusting_and_untrusting_changes_what_the_detail_offers(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    maria = staff_headers(name="maria")
    held = post_comment(body=ABUSIVE, author_email="ann@example.org").get_json()["id"]
    assert standing(client, maria, held) == (False, False, [TRUST])
    assert client.post(f"{API}/comments/{held}/trust", headers=maria).status_code == 200
    assert standing(client, maria, held) == (True, False, [UNTRUST])
    assert client.delete(f"{API}/comments/{held}/trust", headers=maria).status_code == 200
    assert standing(client, maria, held) == (False, False, [TRUST])

    analyst = staff_headers("analyst")  # describes the comment, not the caller
    assert standing(client, analyst, held) == (False, False, [TRUST])


def test_a_banned_author_is_offered_no_trust_and_trust_is_refused(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    maria = staff_headers(name="maria")
    held = post_comment(body=ABUSIVE, author_email="troll@example.org").get_json()["id"]
    ban = client.post(f"{API}/comments/{held}/ban", json={"by": "email"}, headers=maria)
    assert ban.status_code == 201
    assert standing(client, maria, held) == (False, True, [])
    queue = client.get(f"{API}/queue?status=pending", headers=maria).get_json()
    assert queue["items"][0]["author"]["banned"] is True

    refused = client.post(f"{API}/comments/{held}/trust", headers=maria)
    assert refused.status_code == 409
    assert refused.get_json()["message"] == (
        "The author is banned: lift the ban before trusting them."
    )
    lifted = client.post(f"{API}/bans/{ban.get_json()['ban_id']}/lift", headers=maria)
    assert lifted.status_code == 200
    assert standing(client, maria, held) == (False, False, [TRUST])


def test_a_ban_by_ip_address_counts_and_a_trusted_author_can_still_be_untrusted(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    maria = staff_headers(name="maria")
    friend = post_comment(author_email="friend@example.org").get_json()["id"]
    assert client.post(f"{API}/comments/{friend}/trust", headers=maria).status_code == 200
    # Someone else at the same address is banned by IP hash: that ban matches the friend too.
    troll = post_comment(body=ABUSIVE, author_email="troll@example.org").get_json()["id"]
    assert client.post(f"{API}/comments/{troll}/ban", json={"by": "ip"}, headers=maria).json
    assert standing(client, maria, friend) == (True, True, [UNTRUST])
    # Trusted already: asking again changes nothing and is no error.
    assert client.post(f"{API}/comments/{friend}/trust", headers=maria).status_code == 200
    assert client.delete(f"{API}/comments/{friend}/trust", headers=maria).status_code == 200
    assert standing(client, maria, friend) == (False, True, [])


def test_no_trust_for_authors_without_e_mail_or_of_decided_against_comments(
    client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    maria = staff_headers(name="maria")
    anonymous = post_comment(body=ABUSIVE).get_json()["id"]
    assert standing(client, maria, anonymous) == (False, False, [])
    filed = post_comment(body="buy now", honeypot="x", author_email="s@example.org")
    assert standing(client, maria, filed.get_json()["id"]) == (False, False, [])
    for comment_id in (anonymous, filed.get_json()["id"]):  # what is not offered is refused
        response = client.post(f"{API}/comments/{comment_id}/trust", headers=maria)
        assert response.status_code == 409
