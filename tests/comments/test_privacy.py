"""Export and erasure of an address, readers' signed links, keyed identifiers, clean logs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from comments.extensions import db
from comments.models import (
    Ban,
    Comment,
    Decision,
    LabelledExample,
    OutboxMail,
    PrivacyRequest,
    Site,
    Staff,
    TrustedAuthor,
)
from comments.network import hash_ip, ip_hash_keys
from comments.services.moderation import authors
from comments.services.moderation.decisions import DecisionRequest, decide_comment
from comments.services.privacy import requests
from comments.services.privacy.keys import HASHED_EMAIL_PREFIX, ban_keys
from tests.comments.conftest import NICE, PUBLIC_LOCALHOST, StaffToken

ANN = "Ann.Author@Example.org"
BOB = "bob@example.org"
ANN_IP, BOB_IP = "203.0.113.5", "203.0.113.9"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return PUBLIC_LOCALHOST


def post(client: FlaskClient, *, email: str, body: str, ip: str, **fields: Any) -> int:
    payload = {"thread": "/post/1", "author_name": email.split("@")[0], "author_email": email}
    response = client.post(
        "/api/v1/comments",
        json={**payload, **fields, "body": body},
        environ_base={"REMOTE_ADDR": ip},
    )
    assert response.status_code == 201, response.get_json()
    comment_id: int = response.get_json()["id"]
    return comment_id


def admin(app: Flask) -> Staff:
    staff = db.session.scalar(select(Staff).where(Staff.name == "admin"))
    assert staff is not None
    return staff


@pytest.fixture
def world(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, staff_headers: StaffToken
) -> dict[str, Any]:
    """Ann comments on two sites (one rejected, banned and trusted); Bob answers her."""
    assert runner.invoke(args=["sites", "create", "other"]).exit_code == 0
    headers = staff_headers("admin", name="admin")
    ids = {
        "ann_default": post(client, email=ANN, body=NICE + " Ann on default.", ip=ANN_IP),
        "ann_other_answered": post(
            client, email=ANN, body=NICE + " Ann answered.", ip=ANN_IP, site="other"
        ),
        "ann_other_alone": post(
            client, email=ANN, body=NICE + " Ann alone.", ip=ANN_IP, site="other"
        ),
    }
    ids["bob_reply"] = post(
        client,
        email=BOB,
        body=NICE + " Bob replies.",
        ip=BOB_IP,
        site="other",
        parent_id=ids["ann_other_answered"],
    )
    with app.app_context():
        staff = admin(app)
        rejected = db.session.get(Comment, ids["ann_default"])
        decide_comment(db.session(), rejected, DecisionRequest("reject", "rude"), staff)
        authors.ban_author(db.session(), rejected, staff, reason="abuse")
        authors.trust_author(db.session(), db.session.get(Comment, ids["ann_other_alone"]), staff)
        db.session.commit()
    return {"ids": ids, "headers": headers}


def test_export_lists_everything_for_an_address_across_sites_and_nothing_of_others(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, world: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "ann.json"
    result = runner.invoke(
        args=["privacy", "export", "  ann.author@EXAMPLE.org ", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(output.read_text())
    over_api = client.post(
        "/api/v1/admin/privacy/export", json={"email": ANN}, headers=world["headers"]
    )
    assert over_api.status_code == 200
    assert over_api.get_json()["comments"] == document["comments"]

    ids = world["ids"]
    mine = {ids["ann_default"], ids["ann_other_answered"], ids["ann_other_alone"]}
    assert {c["id"] for c in document["comments"]} == mine
    assert {c["site"] for c in document["comments"]} == {"default", "other"}
    rejected = next(c for c in document["comments"] if c["id"] == ids["ann_default"])
    assert rejected["status"] == "rejected" and rejected["thread"]["key"] == "/post/1"
    assert [d["action"] for d in rejected["decisions"]] == ["publish", "reject", "ban"]
    assert rejected["scores"]["model_version"] and rejected["ip_hash"]
    assert [b["reason"] for b in document["bans"]] == ["abuse"]
    assert [t["site"] for t in document["trusted_author"]] == ["other"]
    assert [e["comment_id"] for e in document["labelled_examples"]] == [ids["ann_default"]]
    assert document["subscriptions"] == [] and document["mails"] == []
    text = output.read_text()
    assert BOB not in text and "Bob replies" not in text

    with app.app_context():
        logged = db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id)).all()
        assert [(r.kind, r.requested_by, r.status) for r in logged] == [
            ("export", "cli", "done"),
            ("export", "admin:admin", "done"),
        ]
        assert logged[0].counts and logged[0].counts["comments"] == 3
        assert ANN.lower() not in json.dumps([r.email_hash for r in logged])


def test_erase_anonymises_or_removes_as_each_site_says_and_replies_keep_their_place(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, world: dict[str, Any]
) -> None:
    assert runner.invoke(args=["sites", "update", "other", "--erasure", "remove"]).exit_code == 0
    ids = world["ids"]
    erased = client.post(
        "/api/v1/admin/privacy/erase", json={"email": ANN}, headers=world["headers"]
    )
    assert erased.status_code == 200, erased.get_json()
    assert erased.get_json()["counts"] == {
        "comments_anonymised": 1,
        "comments_removed": 1,
        "comments_left_as_placeholders": 1,
        "bans_kept_by_hash": 1,
        "trusted_author_withdrawn": 1,
        "labelled_examples_scrubbed": 0,
        "subscriptions_deleted": 0,
        "mails_deleted": 0,
        "mails_about_comments_deleted": 0,
        "digests_scrubbed": 0,
        "webhook_deliveries_scrubbed": 0,
    }
    with app.app_context():
        kept = db.session.get(Comment, ids["ann_default"])
        assert kept is not None and kept.body_raw.endswith("Ann on default.")
        assert (kept.author_name, kept.author_email, kept.ip_hash) == ("", None, None)
        placeholder = db.session.get(Comment, ids["ann_other_answered"])
        assert placeholder is not None and placeholder.body_raw == "[deleted]"
        assert placeholder.status == "published" and placeholder.author_email is None
        assert db.session.get(Comment, ids["ann_other_alone"]) is None
        reply = db.session.get(Comment, ids["bob_reply"])
        assert reply is not None and reply.parent_id == ids["ann_other_answered"]
        assert db.session.scalar(select(func.count()).select_from(TrustedAuthor)) == 0
        # Decisions on the anonymised comment stay; the training label keeps its text.
        assert db.session.scalar(
            select(func.count()).select_from(Decision).where(Decision.comment_id == kept.id)
        )
        assert db.session.scalar(select(LabelledExample.comment_id)) == kept.id
        # The ban stays and still matches the address, through its keyed hash only.
        ban = db.session.scalar(select(Ban))
        assert ban is not None and ban.email and ban.email.startswith(HASHED_EMAIL_PREFIX)
        keys = ip_hash_keys(app.config)
        site_id = db.session.scalar(select(Site.id).where(Site.name == "default"))
        assert site_id is not None
        assert authors.matching_bans(db.session(), site_id, ban_keys(ANN, None, keys)) == [ban]
        stored = json.dumps(
            [list(row) for row in db.session.execute(select(Comment.__table__)).all()],
            default=str,
        )
        assert ANN.lower() not in stored.lower() and '"Ann.Author"' not in stored
    thread = client.get("/api/v1/comments", query_string={"thread": "/post/1", "site": "other"})
    shown = thread.get_json()["comments"]
    assert [c["id"] for c in shown] == [ids["ann_other_answered"], ids["bob_reply"]]
    assert "Ann" not in json.dumps(shown)
    again = client.post(
        "/api/v1/admin/privacy/export", json={"email": ANN}, headers=world["headers"]
    )
    assert again.get_json()["comments"] == [] and again.get_json()["trusted_author"] == []


def test_erase_can_be_limited_to_a_site_and_forced_to_a_mode(
    app: Flask, runner: FlaskCliRunner, world: dict[str, Any]
) -> None:
    result = runner.invoke(
        args=["privacy", "erase", ANN, "--site", "other", "--mode", "anonymise", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["comments_anonymised"] == 2
    with app.app_context():
        remaining = db.session.scalars(
            select(Comment.id).where(Comment.author_email == ANN.lower())
        )
        assert list(remaining) == [world["ids"]["ann_default"]]
        assert db.session.scalar(select(Ban.email)) == ANN.lower()  # a ban of the other site
    refused = runner.invoke(args=["privacy", "erase", ANN, "--site", "nowhere", "--yes"])
    assert refused.exit_code != 0 and "Unknown site" in refused.output
    # Asked "Erase everything stored about ...?" even for one site, and a mistyped site only
    # after the answer.
    asked = runner.invoke(args=["privacy", "erase", ANN, "--site", "other"], input="n\n")
    assert f"Erase what is stored about {ANN} on site 'other'?" in asked.output
    typo = runner.invoke(args=["privacy", "erase", ANN, "--site", "nowhere"], input="y\n")
    assert typo.exit_code == 2 and "Erase" not in typo.output


def test_the_cli_refuses_a_mistyped_address_or_output_and_logs_nothing(
    app: Flask, runner: FlaskCliRunner, world: dict[str, Any], tmp_path: Path
) -> None:
    typo = runner.invoke(args=["privacy", "erase", "ann.author-example.org", "--yes"])
    assert typo.exit_code == 2 and "Not a valid email address" in typo.output
    # A path under a file can be written on no machine (a "/nonexistent" folder once existed).
    (tmp_path / "a-file").write_text("")
    unwritable = str(tmp_path / "a-file" / "x.json")
    nowhere = runner.invoke(args=["privacy", "export", ANN, "--output", unwritable])
    assert nowhere.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(PrivacyRequest)) is None


# --- readers: a link by mail ------------------------------------------------------------


def outbox(app: Flask) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def link_in(mail: OutboxMail) -> str:
    found = re.search(r"http://localhost(/privacy\?token=[\w.\-]+)", mail.text)
    assert found, mail.text
    return found.group(1)


def test_the_answer_is_identical_for_known_and_unknown_addresses(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    answers = []
    for email in (ANN, "nobody@example.org"):
        api = client.post("/api/v1/privacy/requests", json={"email": email, "kind": "export"})
        page = client.post("/privacy", data={"email": email, "kind": "erase"})
        answers.append(
            (
                api.status_code,
                api.get_data(),
                page.status_code,
                page.get_data(),
                sorted(page.headers.keys()),
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == 202 and answers[0][2] == 200
    mails = outbox(app)
    assert [m.to_address for m in mails] == [ANN.lower()] * 2 + ["nobody@example.org"] * 2
    assert "/privacy?token=" in mails[0].text and "comments: 3" in mails[0].text
    assert "We hold nothing" in mails[2].text and "token=" not in mails[2].text
    with app.app_context():
        pending = db.session.scalars(select(PrivacyRequest.status)).all()
        assert pending == ["pending"] * 4


@pytest.mark.parametrize(
    ("max_age", "said"), [(600, "10 minutes"), (5400, "90 minutes"), (86400, "24 hours")]
)
def test_the_mail_says_how_long_the_link_works_never_longer(
    app: Flask, client: FlaskClient, world: dict[str, Any], max_age: int, said: str
) -> None:
    """A link of PRIVACY_LINK_MAX_AGE=600 was announced as working "within 1 hour(s)"."""
    app.config["PRIVACY_LINK_MAX_AGE"] = max_age
    client.post("/api/v1/privacy/requests", json={"email": ANN, "kind": "export"})
    assert f"open this link within {said} and enter" in outbox(app)[0].text


def test_a_signed_link_works_once_for_its_address_and_refuses_tampering(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    client.post("/api/v1/privacy/requests", json={"email": ANN, "kind": "export"})
    link = link_in(outbox(app)[0])
    token = link.split("token=")[1]
    opened = client.get(link)
    assert opened.status_code == 200 and "Download my data" in opened.text
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/privacy?token={tampered}").status_code == 400
    for wrong in ({"token": tampered, "email": ANN}, {"email": ANN}):
        assert client.post("/privacy/confirm", data=wrong).status_code == 400
    # Another address: the link is kept for the right one (test_privacy_page.py).
    assert client.post("/privacy/confirm", data={"token": token, "email": BOB}).status_code == 422
    download = client.post("/privacy/confirm", data={"token": token, "email": ANN})
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert len(json.loads(download.data)["comments"]) == 3
    assert client.post("/privacy/confirm", data={"token": token, "email": ANN}).status_code == 400
    with app.app_context():
        done = db.session.scalars(select(PrivacyRequest)).one()
        assert (done.status, done.requested_by, done.counts["comments"]) == ("done", "reader", 3)


def test_an_erasure_link_erases_and_an_expired_one_does_nothing(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    client.post("/privacy", data={"email": ANN, "kind": "erase"})
    token = link_in(outbox(app)[0]).split("token=")[1]
    with app.app_context():
        keys, secret = ip_hash_keys(app.config), app.config["SECRET_KEY"]
        for max_age, now in (
            (-1, datetime.now(UTC)),
            (3600, datetime.now(UTC) + timedelta(days=2)),
        ):
            with pytest.raises(requests.InvalidLink):
                requests.redeem(
                    db.session(), token, ANN, secret_key=secret, keys=keys, max_age=max_age, now=now
                )
        db.session.rollback()
        assert (
            db.session.scalar(
                select(func.count()).select_from(Comment).where(Comment.author_email == ANN.lower())
            )
            == 3
        )
    erased = client.post("/privacy/confirm", data={"token": token, "email": ANN})
    assert erased.status_code == 200 and "Done" in erased.text
    with app.app_context():
        left = db.session.scalar(
            select(func.count()).select_from(Comment).where(Comment.author_email == ANN.lower())
        )
        assert left == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


# --- keyed identifiers ------------------------------------------------------------------


@pytest.fixture
def rotated(app: Flask, client: FlaskClient, staff_headers: StaffToken) -> int:
    """A ban made under the key "old", then IP_HASH_KEY rotated to "new"."""
    app.config["IP_HASH_KEY"] = "old"
    comment_id = post(client, email=BOB, body=NICE, ip=ANN_IP)
    staff_headers("admin", name="admin")
    with app.app_context():
        authors.ban_author(db.session(), db.session.get(Comment, comment_id), admin(app))
        db.session.commit()
    app.config.update(IP_HASH_KEY="new", IP_HASH_PREVIOUS_KEYS="old")
    return comment_id


def test_after_rotation_bans_match_under_the_previous_key_and_new_rows_use_the_new(
    app: Flask, client: FlaskClient, rotated: int
) -> None:
    newer = post(client, email="carol@example.org", body=NICE + " New key.", ip=ANN_IP)
    with app.app_context():
        assert ip_hash_keys(app.config) == (b"new", b"old")
        stored = db.session.get(Comment, newer)
        assert stored is not None and stored.ip_hash == hash_ip(ANN_IP, b"new")
        keys = ban_keys(None, ANN_IP, ip_hash_keys(app.config))
        site_id = stored.site_id
        assert len(authors.matching_bans(db.session(), site_id, keys)) == 1
        app.config["IP_HASH_PREVIOUS_KEYS"] = ""
        keys = ban_keys(None, ANN_IP, ip_hash_keys(app.config))
        assert authors.matching_bans(db.session(), site_id, keys) == []


def test_a_ban_made_under_the_old_key_still_blocks_after_rotation(
    app: Flask, client: FlaskClient, rotated: int
) -> None:
    response = client.post(
        "/api/v1/comments",
        json={"thread": "/post/1", "body": NICE + " Back again."},
        environ_base={"REMOTE_ADDR": ANN_IP},
    )
    assert response.get_json()["status"] == "pending"
    with app.app_context():
        signals = db.session.scalar(
            select(func.count()).select_from(Decision).where(Decision.reason.contains("banned"))
        )
        assert signals
