"""The moderation API's bans and trust: who a ban matches, what it does to the author's
comments, and trusted authors who skip the queue."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments.extensions import db
from comments.models import Site
from tests.comments.conftest import ABUSIVE, NICE, PostComment


@pytest.fixture
def moderator(staff_headers) -> dict[str, str]:
    return staff_headers("moderator", name="maria")


def test_ban_rejects_the_authors_comments_and_files_new_ones(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    first = post_comment(author_email="troll@example.org").get_json()["id"]
    held = post_comment(author_email="troll@example.org", body=ABUSIVE).get_json()["id"]
    response = client.post(
        f"/api/v1/moderation/comments/{held}/ban",
        json={"reason": "abuse", "reject_comments": True},
        headers=moderator,
    )
    assert response.status_code == 201
    assert sorted(response.get_json()["rejected"]) == sorted([first, held])
    new = post_comment(author_email="troll@example.org", body="Back again with a kind word")
    assert new.get_json()["status"] == "pending"
    detail = client.get(f"/api/v1/moderation/comments/{new.get_json()['id']}", headers=moderator)
    assert detail.get_json()["status"] == "spam"
    assert "author_banned" in {s["name"] for s in detail.get_json()["signals"]}
    ban_id = response.get_json()["ban_id"]
    lifted = client.post(f"/api/v1/moderation/bans/{ban_id}/lift", headers=moderator)
    assert lifted.status_code == 200
    assert (
        client.post(f"/api/v1/moderation/bans/{ban_id}/lift", headers=moderator).status_code == 409
    )


def test_banning_a_banned_author_again_returns_the_same_ban_and_lifting_it_frees_them(
    client: FlaskClient, staff_headers, post_comment: PostComment
) -> None:
    """Two moderators ban the same troll: one ban, so lifting it really lifts it."""
    first, second = staff_headers(name="maria"), staff_headers(name="omar")
    held = post_comment(author_email="troll@example.org", body=ABUSIVE).get_json()["id"]
    url = f"/api/v1/moderation/comments/{held}/ban"
    banned = client.post(url, json={"by": "email"}, headers=first)
    again = client.post(url, json={"by": "email", "reject_comments": True}, headers=second)
    assert banned.status_code == 201 and banned.get_json()["created"] is True
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert again.get_json()["ban_id"] == banned.get_json()["ban_id"]
    assert again.get_json()["rejected"] == [held]
    other_scope = client.post(url, json={"by": "email_and_ip"}, headers=second)
    assert other_scope.status_code == 201  # a wider ban is a ban of its own

    listed = client.get("/api/v1/moderation/bans", headers=second).get_json()
    assert [b["id"] for b in listed["items"]] == [
        other_scope.get_json()["ban_id"],
        banned.get_json()["ban_id"],
    ]
    [email_ban] = [b for b in listed["items"] if b["id"] == banned.get_json()["ban_id"]]
    assert email_ban["email"] == "troll@example.org" and email_ban["ip_hash"] is None
    assert email_ban["banned_by"] == "maria" and email_ban["comment_id"] == held

    for ban in listed["items"]:
        lift = client.post(f"/api/v1/moderation/bans/{ban['id']}/lift", headers=first)
        assert lift.status_code == 200
    back = post_comment(author_email="troll@example.org", body="Back with a kind word, sorry.")
    assert back.get_json()["status"] == "published"
    assert client.get("/api/v1/moderation/bans", headers=first).get_json()["items"] == []
    everything = client.get("/api/v1/moderation/bans?include_lifted=true", headers=first)
    assert {b["lifted_by"] for b in everything.get_json()["items"]} == {"maria"}


def test_ban_list_pages_and_stays_within_the_moderators_sites(
    app: Flask, client: FlaskClient, staff_headers, post_comment: PostComment
) -> None:
    admin = staff_headers("admin", name="ada")
    ids = [
        post_comment(author_email=f"t{n}@example.org", body=ABUSIVE).get_json()["id"]
        for n in range(3)
    ]
    bans = [
        client.post(
            f"/api/v1/moderation/comments/{i}/ban", json={"by": "email"}, headers=admin
        ).get_json()["ban_id"]
        for i in ids
    ]
    first = client.get("/api/v1/moderation/bans?per_page=2", headers=admin).get_json()
    assert [b["id"] for b in first["items"]] == bans[:0:-1] and first["next"] == bans[1]
    rest = client.get(f"/api/v1/moderation/bans?per_page=2&cursor={first['next']}", headers=admin)
    assert [b["id"] for b in rest.get_json()["items"]] == [bans[0]]
    assert rest.get_json()["next"] is None
    bad = client.get("/api/v1/moderation/bans?per_page=0", headers=admin)
    assert bad.status_code == 422 and "per_page" in bad.get_json()["errors"]

    with app.app_context():
        db.session.add(Site(name="elsewhere"))
        db.session.commit()
    outsider = staff_headers("moderator", name="olga", sites=("elsewhere",))
    assert client.get("/api/v1/moderation/bans", headers=outsider).get_json()["items"] == []
    refused = client.post(f"/api/v1/moderation/bans/{bans[0]}/lift", headers=outsider)
    assert refused.status_code == 404


def post_from(client: FlaskClient, address: str, email: str, body: str = NICE) -> int:
    payload = {"thread": "/post/1", "author_name": "Ann", "author_email": email, "body": body}
    response = client.post("/api/v1/comments", json=payload, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


@pytest.mark.parametrize(
    ("by", "neighbour_rejected", "troll_elsewhere", "neighbour_later"),
    [
        ("email_and_ip", True, "spam", "spam"),
        ("email", False, "spam", "published"),  # others behind the same address are spared
        ("ip", True, "published", "spam"),
    ],
)
def test_a_ban_matches_the_email_the_address_or_both_as_chosen(
    client: FlaskClient,
    moderator: dict[str, str],
    by: str,
    neighbour_rejected: bool,
    troll_elsewhere: str,
    neighbour_later: str,
) -> None:
    shared_network, elsewhere = "198.51.100.7", "203.0.113.9"
    held = post_from(client, shared_network, "troll@example.org", ABUSIVE)
    neighbour = post_from(client, shared_network, "neighbour@example.org")
    response = client.post(
        f"/api/v1/moderation/comments/{held}/ban",
        json={"reason": "abuse", "reject_comments": True, "by": by},
        headers=moderator,
    )
    assert response.status_code == 201
    assert sorted(response.get_json()["rejected"]) == sorted(
        [held, neighbour] if neighbour_rejected else [held]
    )

    def status(comment_id: int) -> str:
        url = f"/api/v1/moderation/comments/{comment_id}"
        return str(client.get(url, headers=moderator).get_json()["status"])

    assert status(post_from(client, elsewhere, "troll@example.org")) == troll_elsewhere
    assert status(post_from(client, shared_network, "newcomer@example.org")) == neighbour_later


def test_a_ban_by_a_key_the_comment_lacks_is_409_and_bans_nobody(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    anonymous = post_comment().get_json()["id"]  # no e-mail address
    response = client.post(
        f"/api/v1/moderation/comments/{anonymous}/ban", json={"by": "email"}, headers=moderator
    )
    assert response.status_code == 409 and "e-mail" in response.get_json()["message"]
    assert post_comment(body="Still welcome here").get_json()["status"] == "published"
    unknown = client.post(
        f"/api/v1/moderation/comments/{anonymous}/ban", json={"by": "name"}, headers=moderator
    )
    assert unknown.status_code == 422 and "by" in unknown.get_json()["errors"]


def test_trusted_author_skips_the_queue(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    first = post_comment(author_email="regular@example.org").get_json()["id"]
    trusted = client.post(f"/api/v1/moderation/comments/{first}/trust", headers=moderator)
    assert trusted.status_code == 200
    links = " ".join(f"https://source{n}.example/report" for n in range(5))
    response = post_comment(author_email="regular@example.org", body=f"Sources: {links}")
    assert response.get_json()["status"] == "published"


def test_trust_is_recorded_can_be_withdrawn_and_is_refused_for_spam(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    spam = post_comment(author_email="seller@example.org", honeypot="x").get_json()["id"]
    refused = client.post(f"/api/v1/moderation/comments/{spam}/trust", headers=moderator)
    assert refused.status_code == 409
    assert "approve it before trusting" in refused.get_json()["message"]

    first = post_comment(author_email="regular@example.org").get_json()["id"]
    url = f"/api/v1/moderation/comments/{first}/trust"
    assert client.post(url, headers=moderator).status_code == 200
    detail = client.get(f"/api/v1/moderation/comments/{first}", headers=moderator).get_json()
    assert detail["author"]["trusted"] is True
    assert [(h["action"], h["staff"]) for h in detail["history"]][-1] == ("trust", "maria")

    withdrawn = client.delete(url, headers=moderator)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["trusted"] is False
    assert client.delete(url, headers=moderator).status_code == 409
    links = " ".join(f"https://source{n}.example/report" for n in range(5))
    again = post_comment(author_email="regular@example.org", body=f"Sources: {links}")
    assert again.get_json()["status"] == "pending"  # decided as anyone's again
    detail = client.get(f"/api/v1/moderation/comments/{first}", headers=moderator).get_json()
    assert detail["author"]["trusted"] is False
    assert [h["action"] for h in detail["history"]][-2:] == ["trust", "untrust"]
