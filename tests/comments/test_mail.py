"""E-mail to readers: opt-in with confirmation, reply mails with one-click unsubscribe, the
notice when a held comment is published; sent through a real SMTP server on loopback."""

from __future__ import annotations

import re
import threading
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update

from comments.config import DEFAULTS
from comments.extensions import db
from comments.models import MailSubscription, OutboxMail, Site, Thread
from comments.services.mail.sender import Job, message
from comments.services.mail.settings import MailSettings
from comments.services.mail.texts import comment_link
from comments.services.submission import Client, FormTokenSettings, Submission, submit_comment
from tests.comments.conftest import ABUSIVE, NICE, PostComment, StaffToken
from tests.comments.smtp_server import SmtpServer, body_of, mail_config, send_queued

THREAD_URL = "https://blog.example/2024/11/post"
LINK = re.compile(r"https://comments\.example(/mail/\w+\?token=[\w.-]+)")


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return mail_config(smtp)


@pytest.fixture(autouse=True)
def blog_embeds_the_widget(runner: FlaskCliRunner) -> None:
    """THREAD_URL is on an origin the site allows, as a thread's address must be to be kept."""
    added = runner.invoke(
        args=["sites", "update", "default", "--add-origin", "https://blog.example"]
    )
    assert added.exit_code == 0, added.output


def deliver(app: Flask, smtp: SmtpServer) -> list[EmailMessage]:
    send_queued(app)
    return smtp.inbox.take()


def link_in(message: EmailMessage, path: str) -> str:
    found = [url for url in LINK.findall(body_of(message)) if url.startswith(path)]
    assert len(found) == 1, body_of(message)
    return found[0]


def write(post_comment: PostComment, name: str, body: str = NICE, **fields: Any) -> int:
    email = f"{name.lower()}@example.org"
    response = post_comment(
        author_name=name, author_email=email, body=body, thread_url=THREAD_URL, **fields
    )
    assert response.status_code == 201, response.get_json()
    comment_id: int = response.get_json()["id"]
    return comment_id


def subscribed(app: Flask) -> list[tuple[str, int, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(MailSubscription).order_by(MailSubscription.id))
        return [(s.email, s.comment_id, s.confirmed_at is not None) for s in rows]


def confirm(client: FlaskClient, message: EmailMessage) -> None:
    url = link_in(message, "/mail/confirm")
    page = client.get(url)
    assert page.status_code == 200 and "<form" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert client.post(url).status_code == 200


def test_replies_reach_confirmed_subscribers_until_they_unsubscribe(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    ann = write(post_comment, "Ann", notify_replies=True)
    [confirmation] = deliver(app, smtp)
    assert confirmation["To"] == "ann@example.org"
    assert confirmation["From"] == "Comments <comments@comments.example>"
    assert "confirm" in confirmation["Subject"].lower()
    assert "List-Unsubscribe" not in confirmation

    write(post_comment, "Bob", "A reply before Ann confirmed.", parent_id=ann)
    assert deliver(app, smtp) == [], "no reply mail before the address is confirmed"
    url = link_in(confirmation, "/mail/confirm")
    assert client.get(url).status_code == 200
    assert subscribed(app) == [("ann@example.org", ann, False)], "GET confirms nothing"
    confirm(client, confirmation)
    assert subscribed(app) == [("ann@example.org", ann, True)]

    reply = write(
        post_comment, "Bob", "I *see* it [differently](https://b.example).", parent_id=ann
    )
    [mail] = deliver(app, smtp)
    assert mail["To"] == "ann@example.org"
    assert mail["Subject"].startswith("New reply to your comment")
    text = body_of(mail)
    assert "Bob replied" in text and "> I see it differently." in text
    assert "<em>" not in text and "<a " not in text, "sanitised plain text, no markup"
    assert f"{THREAD_URL}#comment-{reply}" in text
    unsubscribe = link_in(mail, "/mail/unsubscribe")
    assert mail["List-Unsubscribe"] == f"<https://comments.example{unsubscribe}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Auto-Submitted"] == "auto-generated"

    write(post_comment, "Ann", "Replying to myself.", parent_id=ann)
    assert deliver(app, smtp) == [], "a reply by the subscriber themself is not mailed"

    page = client.get(unsubscribe)
    assert page.status_code == 200 and "<form" in page.text
    assert "ann@example.org" not in page.text.lower(), "pages never show the address"
    assert subscribed(app) == [("ann@example.org", ann, True)], "GET unsubscribes nothing"
    one_click = client.post(
        unsubscribe,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert subscribed(app) == []
    assert client.post(unsubscribe).status_code == 200, "a second click is harmless"
    write(post_comment, "Bob", "Anyone there?", parent_id=ann)
    assert deliver(app, smtp) == []


def test_a_held_reply_is_mailed_once_approved_and_its_author_told(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    smtp: SmtpServer,
    staff_headers: StaffToken,
    held: None,
) -> None:
    moderator = staff_headers("moderator")
    ann = write(post_comment, "Ann", notify_replies=True)
    client.post(
        f"/api/v1/moderation/comments/{ann}/decision", json={"action": "approve"}, headers=moderator
    )
    [ann_confirmation] = deliver(app, smtp)
    assert ann_confirmation["To"] == "ann@example.org"
    confirm(client, ann_confirmation)

    reply = write(post_comment, "Bob", "A held reply.", parent_id=ann, notify_replies=True)
    [bob_confirmation] = deliver(app, smtp)
    assert bob_confirmation["To"] == "bob@example.org", "nothing to Ann while the reply waits"
    confirm(client, bob_confirmation)
    decided = client.post(
        f"/api/v1/moderation/comments/{reply}/decision",
        json={"action": "approve"},
        headers=moderator,
    )
    assert decided.status_code == 200
    mails = {mail["To"]: mail for mail in deliver(app, smtp)}
    assert set(mails) == {"ann@example.org", "bob@example.org"}
    assert "A held reply." in body_of(mails["ann@example.org"])
    assert mails["bob@example.org"]["Subject"].endswith("is published")
    assert f"#comment-{reply}" in body_of(mails["bob@example.org"])
    assert mails["bob@example.org"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_reply_unpublished_and_approved_again_reaches_subscribers_once(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    smtp: SmtpServer,
    staff_headers: StaffToken,
) -> None:
    """A moderator undoing an approval, then approving again, does not mail the same reply
    twice: the subscriber had it when it was first published."""
    moderator = staff_headers("moderator")
    ann = write(post_comment, "Ann", notify_replies=True)
    confirm(client, deliver(app, smtp)[0])
    reply = write(post_comment, "Bob", "A reply readers will see once.", parent_id=ann)
    [mail] = deliver(app, smtp)
    assert mail["To"] == "ann@example.org" and "readers will see once" in body_of(mail)

    decision = f"/api/v1/moderation/comments/{reply}/decision"
    for action, status in (("restore", "pending"), ("approve", "published")):
        decided = client.post(decision, json={"action": action}, headers=moderator)
        assert decided.status_code == 200 and decided.get_json()["status"] == status
    assert deliver(app, smtp) == []


def test_an_author_is_told_of_publication_once_however_often_it_is_approved_again(
    app: Flask,
    client: FlaskClient,
    post_comment: PostComment,
    smtp: SmtpServer,
    staff_headers: StaffToken,
    held: None,
) -> None:
    """Unpublished and approved again, or held by an edit and approved again, the comment is
    not news to its author: the first publication's mail said it."""
    moderator = staff_headers("moderator")
    posted = post_comment(
        author_name="Bob",
        author_email="bob@example.org",
        body="Held, then published.",
        thread_url=THREAD_URL,
        notify_replies=True,
    ).get_json()
    confirm(client, deliver(app, smtp)[0])
    decision = f"/api/v1/moderation/comments/{posted['id']}/decision"
    assert client.post(decision, json={"action": "approve"}, headers=moderator).status_code == 200
    [told] = deliver(app, smtp)
    assert told["To"] == "bob@example.org" and told["Subject"].endswith("is published")

    for action, status in (("restore", "pending"), ("approve", "published")):
        decided = client.post(decision, json={"action": action}, headers=moderator)
        assert decided.status_code == 200 and decided.get_json()["status"] == status
    edited = client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": "Held, then published, then edited."},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200 and edited.get_json()["status"] == "pending"
    assert client.post(decision, json={"action": "approve"}, headers=moderator).status_code == 200
    assert deliver(app, smtp) == []


def test_authors_who_did_not_opt_in_or_confirm_get_nothing_more(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer, held: None
) -> None:
    write(post_comment, "Cid", "Spam? No.", notify_replies=False)
    write(post_comment, "Dee", "Opted in, never confirmed.", notify_replies=True)
    [only] = deliver(app, smtp)
    assert only["To"] == "dee@example.org" and "confirm" in only["Subject"].lower()
    response = post_comment(body=ABUSIVE, notify_replies=True)  # no address: nothing to do
    assert response.status_code == 201
    assert deliver(app, smtp) == []


def test_links_refuse_tampering_and_change_nothing(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    write(post_comment, "Ann", notify_replies=True)
    [confirmation] = deliver(app, smtp)
    url = link_in(confirmation, "/mail/confirm")
    token = url.partition("token=")[2]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (tampered, "", "not-a-token"):
        for method in ("GET", "POST"):
            for path in ("/mail/confirm", "/mail/unsubscribe"):
                response = client.open(f"{path}?token={bad}", method=method)
                assert response.status_code == 400, (path, method, bad)
    for method in ("GET", "POST"):  # a confirmation token is not an unsubscribe token
        assert client.open(f"/mail/unsubscribe?token={token}", method=method).status_code == 400
    assert subscribed(app)[0][2] is False
    page = client.get(url)
    assert "ann@example.org" not in page.text.lower(), "pages never show the address"


def test_the_pages_name_the_page_the_comment_is_on(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    """A reader subscribed on several pages could not tell which one a page was about."""
    ann = write(post_comment, "Ann", notify_replies=True, thread_title="Rain <in> Spain")
    [confirmation] = deliver(app, smtp)
    url = link_in(confirmation, "/mail/confirm")
    asked = client.get(url)
    assert "your comment on “Rain &lt;in&gt; Spain”?" in asked.text
    assert "on “Rain &lt;in&gt; Spain”." in client.post(url).text
    write(post_comment, "Bob", "A reply.", parent_id=ann)
    [reply] = deliver(app, smtp)
    unsubscribe = link_in(reply, "/mail/unsubscribe")
    assert "your comment on “Rain &lt;in&gt; Spain”?" in client.get(unsubscribe).text
    assert "this comment on “Rain &lt;in&gt; Spain”." in client.post(unsubscribe).text


def test_a_strangers_title_reaches_mails_as_one_quoted_bounded_line(
    app: Flask, client: FlaskClient, post_comment: PostComment, smtp: SmtpServer
) -> None:
    """Whoever comments first names the page: a title that reads like a notice of its own,
    long, with line breaks and a right-to-left override (stored before titles were cleaned, or
    imported), stays a page's name in quotation marks, on one line and cut short."""
    ann = write(post_comment, "Ann", notify_replies=True, thread_title="Placeholder")
    forged = (
        "Your account is suspended\n\nConfirm it within 24 hours at account-check.example"
        "\u202e or it is deleted, with every comment you ever wrote on this site and others"
    )
    with app.app_context():
        db.session.execute(update(Thread).values(title=forged))
        db.session.commit()
    [confirmation] = deliver(app, smtp)
    confirm(client, confirmation)
    write(post_comment, "Bob", "A reply.", parent_id=ann)
    [mail] = deliver(app, smtp)
    expected = "“Your account is suspended Confirm it within 24 hours at account-check.example o…”"
    assert len(expected) == 80 + 2
    assert mail["Subject"] == f"New reply to your comment on {expected}"
    body = body_of(mail)
    assert f"Bob replied to your comment on {expected}:" in body
    assert "\u202e" not in body and "deleted, with every comment" not in body


def test_a_confirmation_link_to_an_erased_address_says_the_subscription_is_gone(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    post_comment: PostComment,
    smtp: SmtpServer,
) -> None:
    write(post_comment, "Ann", notify_replies=True)
    [confirmation] = deliver(app, smtp)
    url = link_in(confirmation, "/mail/confirm")
    erased = runner.invoke(args=["privacy", "erase", "ann@example.org", "--yes"])
    assert erased.exit_code == 0, erased.output
    for method in ("GET", "POST"):
        page = client.open(url, method=method)
        assert page.status_code == 404, method
        assert "This subscription no longer exists" in page.text
    assert subscribed(app) == [], "confirming a gone subscription brings nothing back"


def test_smtp_down_is_retried_later_and_nothing_is_lost(
    app: Flask, post_comment: PostComment, smtp: SmtpServer
) -> None:
    smtp.stop()
    write(post_comment, "Ann", notify_replies=True)
    assert send_queued(app) == 1
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMail))
        assert (mail.status, mail.attempts, mail.sent_at) == ("pending", 1, None)
        assert mail.last_error and mail.next_attempt_at > mail.created_at
    assert send_queued(app) == 0, "not retried before its time"
    smtp.start()
    with app.app_context():
        db.session.execute(update(OutboxMail).values(next_attempt_at=func.now()))
        db.session.commit()
    send_queued(app)
    [received] = smtp.inbox.take()
    assert received["To"] == "ann@example.org"
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMail))
        assert (mail.status, mail.attempts) == ("sent", 2)


def test_a_rolled_back_submission_sends_nothing(app: Flask, smtp: SmtpServer) -> None:
    with app.test_request_context():
        submit_comment(
            db.session(),
            Submission(
                site="default",
                thread="/t",
                body=NICE,
                author_email="ann@example.org",
                notify_replies=True,
            ),
            Client(ip_hash="x", user_agent="test"),
            provider=app.extensions["model_provider"],
            tokens=FormTokenSettings(secret_key="test-secret", max_age=60),
        )
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 1
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert send_queued(app) == 0
    assert smtp.inbox.take() == []


def test_two_senders_never_send_a_mail_twice(app: Flask, smtp: SmtpServer) -> None:
    from comments.services.mail import queue_mail

    with app.app_context():
        for number in range(30):
            queue_mail(db.session(), to=f"r{number}@example.org", subject=f"#{number}", text="x")
        db.session.commit()
    senders = [threading.Thread(target=send_queued, args=(app,)) for _ in range(2)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(60)
    received = sorted(mail["Subject"] for mail in smtp.inbox.take())
    assert received == sorted(f"#{number}" for number in range(30))
    with app.app_context():
        statuses = db.session.scalars(select(OutboxMail.status)).all()
        assert set(statuses) == {"sent"}


def test_the_unsubscribe_header_goes_out_as_a_plain_url() -> None:
    """Folded the default way, a long URL becomes RFC 2047 encoded-words, which mail clients
    cannot read as the RFC 8058 one-click link."""
    url = "https://comments.example/mail/unsubscribe?token=" + "WzEsMTc5NjU5NzM4M10" * 6
    job = Job(
        id=1,
        token="t",
        attempts=0,
        to="ann@example.org",
        subject="New reply to your comment on “Sanctions, explained”",
        text="Bob replied.",
        html=None,
        headers={"List-Unsubscribe": f"<{url}>"},
    )
    settings = MailSettings.from_config(
        {**DEFAULTS, "SMTP_HOST": "localhost", "PUBLIC_URL": "https://comments.example"}
    )
    wire = message(settings, job).as_bytes()
    assert f"List-Unsubscribe: <{url}>".encode() in wire
    assert b"=?utf-8?" in wire  # the non-ASCII subject is still encoded as it must be


def test_a_link_without_the_pages_address_skips_the_any_origin_star() -> None:
    """A thread whose page sent no address is linked under the site's first origin; "*"
    (any origin) is not one, and made mails link to "*/2024/post#comment-5"."""
    thread = Thread(key="/2024/post", url=None, title="Post")
    thread.site = Site(name="s", allowed_origins=["*", "https://blog.example"])
    assert comment_link(thread, 5) == "https://blog.example/2024/post#comment-5"
    thread.site = Site(name="s", allowed_origins=["*"])
    assert comment_link(thread, 5) == "(the page's address is not known)"
