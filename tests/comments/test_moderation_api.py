"""The moderation queue API: what moderators see, what they decide, and what is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import LabelledExample, Site
from tests.comments.conftest import ABUSIVE, NICE, PostComment

QUEUE = "/api/v1/moderation/queue"


@pytest.fixture
def moderator(staff_headers) -> dict[str, str]:
    return staff_headers("moderator", name="maria")


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision", json=body, headers=headers
    )


def test_pending_item_carries_everything_a_moderator_needs(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    post_comment(author_email="troll@example.org", body="A fair point, thanks.")
    held = post_comment(author_email="troll@example.org", body=ABUSIVE).get_json()["id"]
    data = client.get(QUEUE, headers=moderator).get_json()
    assert data["counts"] == {
        "pending": 1,
        "spam": 0,
        "published": 1,
        "rejected": 0,
        "reported": 0,
        "deleted": 0,
    }
    [item] = data["items"]
    assert item["id"] == held and item["status"] == "pending"
    assert item["thread"]["key"] == "/post/1"
    assert item["author"]["email"] == "troll@example.org" and item["author"]["ip_hash"]
    assert item["author"]["history"] == {"published": 1, "pending": 1}
    assert item["author"]["history_by"] == "email"
    assert item["scores"]["toxicity"] > 0.5 and item["scores"]["model_version"]
    assert "toxic" in {signal["name"] for signal in item["signals"]}
    words = item["explanation"]["toxicity"]
    assert words and all(ABUSIVE[w["start"] : w["end"]] for w in words)


def test_author_without_email_has_the_history_the_rules_counted(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    """The rules know an e-mail-less author by IP hash (their published comment makes them
    "approved"): the moderator sees the same history, and is told how it was found."""
    post_comment(author_email="ann@example.org", body=NICE)
    held = post_comment(body=ABUSIVE).get_json()["id"]
    [item] = client.get(QUEUE, headers=moderator).get_json()["items"]
    assert item["id"] == held
    assert "author_approved" in {signal["name"] for signal in item["signals"]}
    assert item["author"]["history"] == {"published": 1, "pending": 1}
    assert item["author"]["history_by"] == "ip_hash"


def test_filters_sorts_and_pagination(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    ids = [
        post_comment(body=f"{ABUSIVE} number {n}", author_email=f"a{n}@example.org").get_json()[
            "id"
        ]
        for n in range(5)
    ]
    seen: list[int] = []
    url = f"{QUEUE}?sort=oldest&per_page=2"
    page = client.get(url, headers=moderator).get_json()
    seen += [item["id"] for item in page["items"]]
    while page["next"]:
        page = client.get(f"{url}&cursor={page['next']}", headers=moderator).get_json()
        seen += [item["id"] for item in page["items"]]
    assert seen == ids
    toxic = client.get(f"{QUEUE}?sort=toxic", headers=moderator).get_json()["items"]
    scores = [item["scores"]["toxicity"] for item in toxic]
    assert scores == sorted(scores, reverse=True)
    by_author = client.get(f"{QUEUE}?author=a3@example.org", headers=moderator).get_json()
    assert [item["id"] for item in by_author["items"]] == [ids[3]]
    by_signal = client.get(f"{QUEUE}?signal=toxic&min_toxicity=0.5", headers=moderator).get_json()
    assert len(by_signal["items"]) == 5
    assert (
        client.get(f"{QUEUE}?signal=honeypot_filled", headers=moderator).get_json()["items"] == []
    )


@pytest.mark.parametrize(
    "query", ["status=everything", "sort=random", "per_page=0", "min_toxicity=2", "cursor=%%%"]
)
def test_bad_queue_queries_are_422(
    client: FlaskClient, moderator: dict[str, str], query: str
) -> None:
    response = client.get(f"{QUEUE}?{query}", headers=moderator)
    assert response.status_code == 422, response.get_json()


def test_approve_publishes_records_history_and_labels(
    app: Flask, client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE).get_json()["id"]
    response = decide(client, moderator, held, action="approve", reason="banter", note="regular")
    assert response.status_code == 200 and response.get_json()["status"] == "published"
    thread = client.get("/api/v1/comments?thread=/post/1").get_json()
    assert [c["id"] for c in thread["comments"]] == [held]
    detail = client.get(f"/api/v1/moderation/comments/{held}", headers=moderator).get_json()
    history = [
        (h["actor"], h["action"], h["from_status"], h["to_status"]) for h in detail["history"]
    ]
    assert history == [
        ("model", "hold", None, "pending"),
        ("staff", "approve", "pending", "published"),
    ]
    assert detail["history"][1]["staff"] == "maria" and detail["history"][1]["note"] == "regular"
    assert detail["history"][1]["scores"]["toxicity"] > 0.5
    with app.app_context():
        label = db.session.scalar(select(LabelledExample))
        assert (label.text, label.toxic, label.spam) == (ABUSIVE, False, False)


@pytest.mark.parametrize(
    ("start", "action", "status"),
    [
        ("pending", "reject", "rejected"),
        ("pending", "spam", "spam"),
        ("spam", "not_spam", "published"),
    ],
)
def test_transitions(
    client: FlaskClient,
    moderator: dict[str, str],
    post_comment: PostComment,
    start: str,
    action: str,
    status: str,
) -> None:
    body = ABUSIVE if start == "pending" else "buy now"
    extra = {"honeypot": "x"} if start == "spam" else {}
    comment_id = post_comment(body=body, **extra).get_json()["id"]
    assert decide(client, moderator, comment_id, action=action).get_json()["status"] == status


def test_illegal_transitions_are_409_and_change_nothing(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    published = post_comment().get_json()["id"]
    for action in ("not_spam", "restore", "approve"):
        response = decide(client, moderator, published, action=action)
        assert response.status_code == 409, action
        assert response.get_json()["message"]
    unknown = decide(client, moderator, published, action="delete")
    assert unknown.status_code == 422 and "action" in unknown.get_json()["errors"]
    assert decide(client, moderator, 999_999, action="reject").status_code == 404
    detail = client.get(f"/api/v1/moderation/comments/{published}", headers=moderator).get_json()
    assert detail["status"] == "published" and len(detail["history"]) == 1


def test_a_decision_on_a_status_changed_meanwhile_is_409_and_keeps_the_other(
    client: FlaskClient, staff_headers, post_comment: PostComment
) -> None:
    """Two moderators load the same held comment; the slower one's approval must not
    silently publish what the faster one rejected."""
    first, second = staff_headers(name="maria"), staff_headers(name="omar")
    held = post_comment(body=ABUSIVE).get_json()["id"]
    rejected = decide(client, first, held, action="reject", expected_status="pending")
    assert rejected.status_code == 200

    late = decide(client, second, held, action="approve", expected_status="pending")
    assert late.status_code == 409
    assert late.get_json()["message"] == (
        "The comment is rejected now, not pending: maria decided it meanwhile. Nothing was changed."
    )
    detail = client.get(f"/api/v1/moderation/comments/{held}", headers=second).get_json()
    assert detail["status"] == "rejected"
    assert [entry["action"] for entry in detail["history"]] == ["hold", "reject"]

    # Having seen the rejection, the second moderator may still overrule it deliberately.
    deliberate = decide(client, second, held, action="approve", expected_status="rejected")
    assert deliberate.get_json()["status"] == "published"
    bad = decide(client, second, held, action="reject", expected_status="hidden")
    assert bad.status_code == 422 and "expected_status" in bad.get_json()["errors"]


def test_bulk_decisions_report_each_outcome(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    held = [post_comment(body=f"{ABUSIVE} {n}").get_json()["id"] for n in range(3)]
    published = post_comment().get_json()["id"]
    response = client.post(
        "/api/v1/moderation/decisions",
        json={"ids": [*held, published, 424242], "action": "reject", "reason": "abuse"},
        headers=moderator,
    )
    data = response.get_json()
    assert data["decided"] == 4
    assert [r["ok"] for r in data["results"]] == [True, True, True, True, False]
    counts = client.get(QUEUE, headers=moderator).get_json()["counts"]
    assert counts["rejected"] == 4 and counts["pending"] == 0


def test_reader_report_reaches_the_queue_even_after_approval(
    client: FlaskClient, moderator: dict[str, str], post_comment: PostComment
) -> None:
    comment_id = post_comment().get_json()["id"]
    report = client.post(
        f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive", "text": "rude"}
    )
    assert report.status_code == 201
    again = client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive"})
    assert again.status_code == 200
    reported = client.get(f"{QUEUE}?status=reported", headers=moderator).get_json()
    assert [item["id"] for item in reported["items"]] == [comment_id]
    assert reported["items"][0]["reports"][0]["reason"] == "abusive"
    assert reported["counts"]["reported"] == 1
    assert decide(client, moderator, comment_id, action="approve").status_code == 200
    after = client.get(f"{QUEUE}?status=reported", headers=moderator).get_json()
    assert after["items"] == [] and after["counts"]["reported"] == 0


def test_reports_need_a_published_comment_and_a_known_reason(
    client: FlaskClient, post_comment: PostComment
) -> None:
    held = post_comment(body=ABUSIVE).get_json()["id"]
    assert (
        client.post(f"/api/v1/comments/{held}/reports", json={"reason": "spam"}).status_code == 404
    )
    published = post_comment().get_json()["id"]
    bad = client.post(f"/api/v1/comments/{published}/reports", json={"reason": "boring"})
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]


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


@pytest.mark.parametrize("app_config", [{"QUEUE_COUNT_CAP": 2}])
def test_counts_beyond_the_cap_read_as_at_least_the_cap(
    client: FlaskClient,
    moderator: dict[str, str],
    staff_headers: Any,
    post_comment: PostComment,
) -> None:
    """Queue pages count a queue only up to the cap, so a huge queue costs a page nothing."""
    for n in range(3):
        post_comment(body=f"{ABUSIVE} number {n}", author_email=f"a{n}@example.org")
    post_comment(body="A fair point, thanks.", author_email="fair@example.org")
    data = client.get(QUEUE, headers=moderator).get_json()
    assert data["counts"]["pending"] == 2 and data["counts_capped"] == ["pending"]
    assert data["counts"]["published"] == 1
    assert len(client.get(f"{QUEUE}?per_page=10", headers=moderator).get_json()["items"]) == 3

    limited = staff_headers("moderator", name="elsewhere", sites=("default",))
    assert client.get(QUEUE, headers=limited).get_json()["counts_capped"] == ["pending"]
