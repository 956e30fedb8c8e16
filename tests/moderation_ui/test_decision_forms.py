"""The no-JavaScript decision forms: one comment, in bulk, and what they refuse."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from comments.extensions import db
from comments.models import Ban, Comment, Decision, LabelledExample, Staff, TrustedAuthor
from comments.services.moderation.decisions import DecisionRequest, decide_comment
from tests.moderation_ui.conftest import (
    ABUSIVE,
    MakeStaff,
    PostComment,
    SignedIn,
    card_html,
    session_csrf,
    status_of,
)


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
    refusal = "Cannot mark a published comment as not spam: only a comment in spam can be."
    assert response.status_code == 200 and refusal in response.text
    # A refusal goes to the region that interrupts (a success to the polite one, above).
    assert re.search(
        r'<div id="alerts" role="alert"[^>]*>\s*<p class="flash flash-error">'
        r"Comment #\d+: Cannot mark a published comment as not spam",
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


def test_without_script_the_bulk_buttons_name_the_selected_comments(
    signed_in: SignedIn, post_comment: PostComment
) -> None:
    """Their count is the script's (test_browser_bulk_bar); without it they still say what
    they act on, in the visually hidden words a card's buttons use for their comment."""
    post_comment(body=ABUSIVE)
    queue = signed_in("moderator").get("/moderation/?status=pending").text
    bar = queue[queue.index('id="bulk"') : queue.index("</form>", queue.index('id="bulk"'))]
    hidden = '<span class="visually-hidden" data-selection-name> the selected comments</span>'
    for word in ("Approve", "Reject", "Spam"):
        assert f">{word}{hidden}</button>" in bar


def test_the_bulk_forms_reason_and_note_are_recorded_on_each_decision(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    """As the API's bulk decision records them (the note was dropped by the form before)."""
    held = [post_comment(body=f"{ABUSIVE} {n}", author_email=f"w{n}@x.org") for n in range(2)]
    client = signed_in("moderator")
    queue = client.get("/moderation/?status=pending").text
    bar = queue[queue.index('id="bulk"') : queue.index("</form>", queue.index('id="bulk"'))]
    assert '<label for="bulk-reason">Reason (optional)</label>' in bar
    assert '<input id="bulk-reason" name="reason" maxlength="200"' in bar
    token = session_csrf(client)
    data = {
        "action": "spam",
        "ids": held,
        "reason": "link farm",
        "note": "same campaign as last week",
        "csrf_token": token,
    }
    response = client.post("/moderation/decisions", data=data, follow_redirects=True)
    assert "2 comments marked as spam." in response.text
    with app.app_context():
        recorded = db.session.execute(
            select(Decision.reason, Decision.note).where(
                Decision.comment_id.in_(held), Decision.action == "spam"
            )
        ).all()
    assert [tuple(row) for row in recorded] == [("link farm", "same campaign as last week")] * 2


def test_forms_refuse_a_comment_decided_since_the_card_loaded_even_with_its_status_unchanged(
    app: Flask, signed_in: SignedIn, make_staff: MakeStaff, post_comment: PostComment
) -> None:
    """Another moderator keeps a reported comment (it stays published) while this one's page
    is open: neither the card's form nor the bulk form overrules that unseen."""
    reported = post_comment()
    app.test_client().post(f"/api/v1/comments/{reported}/reports", json={"reason": "abusive"})
    held = post_comment(body=ABUSIVE, author_email="other@x.org")
    client = signed_in("moderator", "omar")
    make_staff("moderator", "maria")
    page = client.get("/moderation/?status=reported").text
    shown = re.search(r'name="expected_decision" value="(\d+)"', card_html(page, reported))
    assert shown, "the card says which decision it showed"
    pending = client.get("/moderation/?status=pending").text
    bulk_field = re.search(rf'name="expected_decision_{held}" value="(\d+)"\s+form="bulk"', pending)
    assert bulk_field, "each selectable card tells the bulk form what it showed"
    with app.app_context():  # maria keeps the reported one and approves the held one
        maria = db.session.scalar(select(Staff).where(Staff.name == "maria"))
        for comment_id in (reported, held):
            comment = db.session.get(Comment, comment_id)
            decide_comment(db.session(), comment, DecisionRequest("approve"), maria)  # type: ignore[arg-type]
        db.session.commit()

    single = client.post(
        f"/moderation/comments/{reported}/decision",
        data={
            "action": "reject",
            "expected_status": "published",
            "expected_decision": shown.group(1),
            "csrf_token": session_csrf(client),
        },
        follow_redirects=True,
    )
    assert "The comment is published now: maria decided it since you loaded it." in single.text
    bulk = client.post(
        "/moderation/decisions",
        data={
            "action": "reject",
            "ids": [str(held)],
            f"expected_decision_{held}": bulk_field.group(1),
            "csrf_token": session_csrf(client),
        },
        follow_redirects=True,
    )
    assert f"#{held}: The comment is published now: maria decided it" in bulk.text
    assert [status_of(app, i) for i in (reported, held)] == ["published", "published"]


def test_the_bulk_form_restores_on_the_queues_restore_applies_to(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    """Restore joins the bulk bar where a single Restore is offered (rejected, spam, deleted;
    published as Unpublish), and works without JavaScript; pending has nothing to restore."""
    client = signed_in("moderator")
    token = session_csrf(client)
    ids = [post_comment(body=f"{ABUSIVE} {n}", author_email=f"r{n}@x.org") for n in range(2)]
    filed = post_comment(body=ABUSIVE, honeypot="x")
    restore = re.compile(r'<button[^>]*value="restore"[^>]*aria-keyshortcuts="Shift\+P"')
    pending = client.get("/moderation/?status=pending").text
    assert 'id="bulk"' in pending and not restore.search(pending)
    assert restore.search(client.get("/moderation/?status=spam").text)
    client.post("/moderation/decisions", data={"action": "reject", "ids": ids, "csrf_token": token})
    assert restore.search(client.get("/moderation/?status=rejected").text)
    ids.append(filed)
    response = client.post(
        "/moderation/decisions",
        data={"action": "restore", "ids": [str(i) for i in ids], "csrf_token": token},
        follow_redirects=True,
    )
    assert "3 comments restored to pending." in response.text
    assert [status_of(app, i) for i in ids] == ["pending"] * 3


def test_non_ascii_digits_in_ids_are_ignored_not_a_500(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    """str.isdigit takes "²" and "٣", which int() refuses or reads; ids are ASCII digits."""
    comment_id = post_comment(body=ABUSIVE)
    client = signed_in("moderator")
    csrf = session_csrf(client)
    one = client.post(
        f"/moderation/comments/{comment_id}/decision",
        data={"action": "reject", "expected_decision": "²", "csrf_token": csrf},
    )
    bulk = client.post(
        "/moderation/decisions",
        data={
            "action": "reject",
            "ids": ["²", "٣", str(comment_id)],
            f"expected_decision_{comment_id}": "²",
            "csrf_token": csrf,
        },
    )
    bans = client.get("/moderation/bans?before=²")
    assert (one.status_code, bulk.status_code, bans.status_code) == (303, 303, 200)
    assert status_of(app, comment_id) == "rejected"


def test_keeping_reported_comments_says_kept_not_approved(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    """Approving a reported published comment keeps it: "approved" read as if it had been
    held. A bulk approval tells the held comments it published from those it kept."""
    reported = [post_comment(author_email=f"r{n}@x.org") for n in range(3)]
    held = post_comment(body=ABUSIVE, author_email="h@x.org")
    reader = app.test_client()
    for comment_id in reported:
        reader.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive"})
    client = signed_in("moderator")
    kept = client.post(
        f"/moderation/comments/{reported[0]}/decision",
        data={"action": "approve", "csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert f"Comment #{reported[0]} kept, reports dismissed." in kept.text
    bulk = client.post(
        "/moderation/decisions",
        data={
            "action": "approve",
            "ids": [str(i) for i in [*reported[1:], held]],
            "csrf_token": session_csrf(client),
        },
        follow_redirects=True,
    )
    assert "1 comment approved; 2 comments kept, reports dismissed." in bulk.text
    assert [status_of(app, i) for i in [*reported, held]] == ["published"] * 4
