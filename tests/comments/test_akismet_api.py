"""The Akismet-compatible API, driven by the real PyPI ``akismet`` client against the app.

The client always calls ``https://rest.akismet.com/1.1/...``; its ``http_client`` argument takes
any httpx client, so here one whose transport hands every request to our app in-process
(test_akismet_wire.py crosses a real loopback socket, as a deployment would).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import akismet
import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from comments.extensions import db
from comments.models import Comment, LabelledExample
from comments.network import hash_ip, ip_hash_key
from tests.comments.conftest import NICE, StaffToken

BLOG = "https://blog.example/"
READER_IP = "203.0.113.9"
#: Spam the shipped model is sure of (spam score 1.0), the kind a platform may discard unseen.
CHANNEL_SPAM = "Hey guys check out my new song on my channel and subscribe http://music.example"
#: Spammy (0.975), but below the shipped model's own filing threshold: held on the widget, for
#: its score alone (no commercial spam's words: "make money online" would hold it by rule).
MONEY_SPAM = "Make money fast, click here http://money.example buy now"

Akismet = Callable[..., akismet.SyncClient]


def _transport(app: Flask) -> httpx.WSGITransport:
    return httpx.WSGITransport(app=app)


@pytest.fixture
def client_for(app: Flask) -> Iterator[Akismet]:
    """An Akismet client whose HTTP requests reach the app, not rest.akismet.com."""
    opened: list[httpx.Client] = []

    def make(api_key: str, validated: bool = True) -> akismet.SyncClient:
        http = httpx.Client(transport=_transport(app), headers={"User-Agent": akismet.USER_AGENT})
        opened.append(http)
        config = akismet.Config(key=api_key, url=BLOG)
        if validated:
            return akismet.SyncClient.validated_client(config=config, http_client=http)
        return akismet.SyncClient(config=config, http_client=http)

    yield make
    for http in opened:
        http.close()


@pytest.fixture
def checker(client_for: Akismet, key: str) -> akismet.SyncClient:
    return client_for(key)


def raw(app: Flask, call: str, **form: str) -> httpx.Response:
    """A form POST exactly as Akismet's protocol has it, to read bodies and headers."""
    with httpx.Client(transport=_transport(app)) as http:
        return http.post(f"https://rest.akismet.com/1.1/{call}", data=form)


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        examples = db.session.scalar(select(func.count()).select_from(LabelledExample))
        comments = db.session.scalar(select(func.count()).select_from(Comment))
        return examples or 0, comments or 0


def widget_status(client: FlaskClient, **fields: Any) -> str:
    """What the widget path decided for the same comment (spam is shown as pending, so read
    the stored status)."""
    posted = client.post("/api/v1/comments", json={"thread": "/t", **fields})
    assert posted.status_code == 201, posted.get_json()
    return str(db.session.get(Comment, posted.get_json()["id"]).status)


# --- keys -----------------------------------------------------------------------------------


def test_verify_key_answers_valid_for_a_live_key_and_invalid_otherwise(
    app: Flask, client_for: Akismet, key: str
) -> None:
    assert client_for(key).verify_key() is True
    with pytest.raises(akismet.APIKeyError):
        client_for("cms_not-a-key")
    assert client_for("cms_not-a-key", validated=False).verify_key() is False

    # Akismet's current field name, and a blog that is not among the site's origins.
    assert raw(app, "verify-key", api_key=key, blog="https://elsewhere.example").text == "valid"
    unknown = raw(app, "verify-key", api_key="cms_nope", blog=BLOG)
    assert unknown.text == "invalid" and unknown.headers["X-akismet-debug-help"]
    no_blog = raw(app, "verify-key", api_key=key)
    assert no_blog.text == "invalid" and "blog" in no_blog.headers["X-akismet-debug-help"]


def test_a_revoked_key_is_refused_everywhere(
    app: Flask, runner: FlaskCliRunner, client_for: Akismet, key: str
) -> None:
    checker = client_for(key)
    assert checker.comment_check(READER_IP, comment_content=NICE) == akismet.CheckResponse.HAM
    key_id = json.loads(runner.invoke(args=["sites", "keys", "default"]).output)["id"]
    assert runner.invoke(args=["sites", "revoke-key", "default", str(key_id)]).exit_code == 0

    with pytest.raises(akismet.APIKeyError):
        checker.comment_check(READER_IP, comment_content=NICE)
    with pytest.raises(akismet.APIKeyError):
        checker.submit_spam(READER_IP, comment_content=CHANNEL_SPAM)
    assert checker.verify_key() is False
    refused = raw(app, "comment-check", api_key=key, blog=BLOG, user_ip=READER_IP)
    assert refused.status_code == 200 and refused.text == "invalid"
    assert "revoked" in refused.headers["X-akismet-debug-help"]
    assert counts(app) == (0, 0)


# --- comment-check -----------------------------------------------------------------------------


def test_akismets_test_values(checker: akismet.SyncClient) -> None:
    spam, ham = akismet.CheckResponse.SPAM, akismet.CheckResponse.HAM
    guaranteed = {"comment_content": NICE, "is_test": True}
    by_name = "akismet-guaranteed-spam"
    assert checker.comment_check(READER_IP, comment_author=by_name, **guaranteed) == spam
    by_email = "akismet-guaranteed-spam@example.com"
    assert checker.comment_check(READER_IP, comment_author_email=by_email, **guaranteed) == spam
    admin = checker.comment_check(
        READER_IP, comment_content=CHANNEL_SPAM, user_role="administrator"
    )
    assert admin == ham


def test_spam_and_ham_are_told_apart_by_the_model_like_on_the_widget(
    app: Flask, client: FlaskClient, checker: akismet.SyncClient
) -> None:
    reader = {"comment_author": "Ann", "comment_type": "comment", "user_agent": "Mozilla/5.0"}
    assert checker.comment_check(READER_IP, comment_content=NICE, **reader) == 0
    assert checker.comment_check(READER_IP, comment_content=CHANNEL_SPAM, **reader) > 0
    with app.app_context():
        assert widget_status(client, body=CHANNEL_SPAM) == "spam"
        assert widget_status(client, body=NICE) == "published"


def test_the_sites_own_thresholds_decide_and_only_blatant_spam_may_be_discarded(
    app: Flask, runner: FlaskCliRunner, checker: akismet.SyncClient, key: str
) -> None:
    def check(text: str) -> httpx.Response:
        form = {"api_key": key, "blog": BLOG, "user_ip": READER_IP, "comment_content": text}
        return raw(app, "comment-check", **form)

    # Above the model's hold threshold, below its filing one: held on the widget, so ham here
    # (Akismet has no "hold"), and the extension headers say what the widget would do.
    held = check(MONEY_SPAM)
    assert held.text == "false" and held.headers["X-Comments-Status"] == "pending"
    assert "spam_possible" in held.headers["X-Comments-Reason"]
    blatant = check(CHANNEL_SPAM)
    assert blatant.text == "true" and blatant.headers["X-akismet-pro-tip"] == "discard"
    assert checker.comment_check(READER_IP, comment_content=CHANNEL_SPAM) == 2  # DISCARD

    assert runner.invoke(args=["sites", "update", "default", "--spam-file", "0.97"]).exit_code == 0
    filed = check(MONEY_SPAM)  # 0.975: filed, but not halfway from 0.97 to certainty
    assert filed.text == "true" and "X-akismet-pro-tip" not in filed.headers
    assert checker.comment_check(READER_IP, comment_content=MONEY_SPAM) == 1  # SPAM


def test_the_sites_rules_apply_to_akismets_fields(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, checker: akismet.SyncClient
) -> None:
    update = ["sites", "update", "default", "--blocked-word", "casino"]
    assert runner.invoke(args=[*update, "--blocked-domain", "pills.example"]).exit_code == 0
    spam, ham = akismet.CheckResponse.SPAM, akismet.CheckResponse.HAM
    gambler = {"comment_content": "I won big at the casino last night, what a story."}
    assert checker.comment_check(READER_IP, **gambler) == spam
    assert checker.comment_check(READER_IP, comment_content=NICE, comment_author="Casino") == spam
    pills = {"comment_content": NICE, "comment_author_url": "https://cheap.pills.example/"}
    assert checker.comment_check(READER_IP, **pills) == spam
    links = " ".join(f"https://site{n}.example/" for n in range(4))
    assert checker.comment_check(READER_IP, comment_content=f"{NICE} {links}") == spam
    with app.app_context():  # the widget keeps the same comments from being published
        assert widget_status(client, body=gambler["comment_content"]) == "pending"
        assert widget_status(client, body=NICE, author_url=pills["comment_author_url"]) == "spam"
    assert checker.comment_check(READER_IP, comment_content=NICE) == ham


def test_a_banned_author_is_blatant_spam_by_email_or_address(
    app: Flask, client: FlaskClient, checker: akismet.SyncClient, staff_headers: StaffToken
) -> None:
    posted = client.post(
        "/api/v1/comments",
        json={"thread": "/t", "body": NICE, "author_email": "troll@example.org"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    banned = client.post(
        f"/api/v1/moderation/comments/{posted.get_json()['id']}/ban",
        json={"reason": "abuse"},
        headers=staff_headers("admin"),
    )
    assert banned.status_code in (200, 201), banned.get_json()
    discard = akismet.CheckResponse.DISCARD
    by_email = {"comment_content": NICE, "comment_author_email": "Troll@Example.org"}
    assert checker.comment_check(READER_IP, **by_email) == discard
    assert checker.comment_check("198.51.100.7", comment_content=NICE) == discard
    assert checker.comment_check(READER_IP, comment_content=NICE) == akismet.CheckResponse.HAM


def test_a_filled_honeypot_is_blatant_spam(app: Flask, key: str) -> None:
    form = {"api_key": key, "blog": BLOG, "user_ip": READER_IP, "comment_content": NICE}
    trap = {"honeypot_field_name": "website2"}
    assert raw(app, "comment-check", **form, **trap, website2="").text == "false"
    filled = raw(app, "comment-check", **form, **trap, website2="http://bot.example")
    assert filled.text == "true" and filled.headers["X-akismet-pro-tip"] == "discard"


def test_comment_check_stores_nothing(app: Flask, checker: akismet.SyncClient) -> None:
    checker.comment_check(READER_IP, comment_content=CHANNEL_SPAM, comment_author="Bot")
    checker.comment_check(READER_IP, comment_content=NICE, comment_author="Ann")
    assert counts(app) == (0, 0)


def test_missing_fields_get_akismets_answer(
    app: Flask, checker: akismet.SyncClient, key: str
) -> None:
    for call in ("comment-check", "submit-spam", "submit-ham"):
        no_ip = raw(app, call, api_key=key, blog=BLOG, comment_content=NICE)
        assert no_ip.status_code == 200 and no_ip.text == "Missing required field: user_ip."
        assert no_ip.headers["X-akismet-debug-help"] == 'Empty "user_ip" value'
        no_blog = raw(app, call, api_key=key, user_ip=READER_IP)
        assert no_blog.text == "Missing required field: blog."
        no_key = raw(app, call, blog=BLOG, user_ip=READER_IP)
        assert no_key.text == "invalid" and "api_key" in no_key.headers["X-akismet-debug-help"]
    with pytest.raises(akismet.ProtocolError):
        checker.comment_check("", comment_content=NICE)
    assert counts(app) == (0, 0)


@pytest.mark.parametrize("app_config", [{"MODEL_PATH": "/nonexistent/model"}])
def test_without_a_model_the_platform_is_asked_to_retry_unless_a_rule_decides(
    app: Flask, key: str, runner: FlaskCliRunner
) -> None:
    form = {"api_key": key, "blog": BLOG, "user_ip": READER_IP, "comment_content": NICE}
    unavailable = raw(app, "comment-check", **form)
    assert unavailable.status_code == 503 and int(unavailable.headers["Retry-After"]) > 0
    runner.invoke(args=["sites", "update", "default", "--blocked-domain", "pills.example"])
    pills = raw(app, "comment-check", **form, comment_author_url="https://pills.example/")
    assert pills.status_code == 200 and pills.text == "true"


# --- submit-spam and submit-ham ----------------------------------------------------------------


def test_submissions_become_labelled_examples_with_their_context_and_are_exported(
    app: Flask, runner: FlaskCliRunner, checker: akismet.SyncClient, tmp_path: Path
) -> None:
    sent = {
        "comment_author": "Spammer",
        "comment_author_email": "spammer@example.org",
        "comment_author_url": "https://spam.example/",
        "comment_type": "comment",
        "permalink": "https://blog.example/2026/post",
        "referrer": "https://search.example/",
        "user_agent": "Mozilla/5.0 (X11)",
        "blog_lang": "en",
        "comment_date_gmt": "2026-11-28T12:00:00Z",
    }
    assert checker.submit_spam(READER_IP, comment_content=MONEY_SPAM, **sent) is True
    assert checker.submit_ham("192.0.2.44", comment_content=NICE, comment_author="Ann") is True

    with app.app_context():
        spam, ham = db.session.scalars(select(LabelledExample).order_by(LabelledExample.id))
        key = ip_hash_key(app.config["SECRET_KEY"], app.config.get("IP_HASH_KEY"))
        assert (spam.text, spam.spam, spam.toxic, spam.source) == (
            MONEY_SPAM,
            True,
            None,
            "akismet",
        )
        assert spam.context == {**sent, "blog": BLOG, "user_ip_hash": hash_ip(READER_IP, key)}
        assert (ham.text, ham.spam, ham.source) == (NICE, False, "akismet")
        assert ham.context["user_ip_hash"] == hash_ip("192.0.2.44", key)
        stored = json.dumps([spam.context, ham.context])
    assert READER_IP not in stored and "192.0.2.44" not in stored

    exported = runner.invoke(args=["classifier", "export", "--output", str(tmp_path / "l.csv")])
    assert exported.exit_code == 0, exported.output
    with (tmp_path / "l.csv").open(newline="") as handle:
        rows = {row["text"]: row for row in csv.DictReader(handle)}
    assert (rows[MONEY_SPAM]["spam"], rows[MONEY_SPAM]["toxic"]) == ("1", "")
    assert rows[NICE]["spam"] == "0" and rows[NICE]["source"] == "akismet/default"


def test_submissions_are_training_data_with_decisions(
    runner: FlaskCliRunner, checker: akismet.SyncClient, base_data: Path, tmp_path: Path
) -> None:
    for text in (CHANNEL_SPAM, MONEY_SPAM, "Free followers at http://followers.example now"):
        checker.submit_spam(READER_IP, comment_content=text)
    checker.submit_ham(READER_IP, comment_content=NICE)
    args = ["--data-dir", str(base_data), "--output", str(tmp_path), "--no-baseline"]
    trained = runner.invoke(args=["classifier", "train", *args, "--with-decisions"])
    assert trained.exit_code == 0, trained.output
    card = json.loads((tmp_path / "model-card.json").read_text(encoding="utf-8"))
    extra = card["data"]["extra"]
    assert extra["sources"] == {"akismet/default": 4}
    assert extra["labels"] == {"toxic": 0, "not_toxic": 0, "spam": 3, "not_spam": 1}


def test_test_calls_teach_nothing(app: Flask, checker: akismet.SyncClient) -> None:
    assert checker.submit_spam(READER_IP, comment_content=MONEY_SPAM, is_test=True) is True
    assert checker.submit_ham(READER_IP, comment_content=NICE, is_test=True) is True
    assert counts(app) == (0, 0)


# --- limits and deployment ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_PER_SITE_KEY": "3 per minute"}]
)
def test_each_key_is_rate_limited_on_its_own(
    app: Flask, client_for: Akismet, new_key: Callable[..., str]
) -> None:
    busy, quiet = new_key(), new_key()
    checker = client_for(busy)  # verify-key counts too
    checker.comment_check(READER_IP, comment_content=NICE)
    checker.submit_ham(READER_IP, comment_content=NICE, is_test=True)
    refused = raw(app, "comment-check", api_key=busy, blog=BLOG, user_ip=READER_IP)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    with pytest.raises(akismet.RequestError):
        checker.comment_check(READER_IP, comment_content=NICE)
    assert client_for(quiet).comment_check(READER_IP, comment_content=NICE) == 0
