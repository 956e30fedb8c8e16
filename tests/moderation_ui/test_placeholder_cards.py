"""A "[deleted]" placeholder in the queue: said to be one, with no decision buttons and no
box to select it for a bulk decision; a form posted for it anyway changes nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask

from comments.extensions import db
from comments.network import ip_hash_keys
from comments.services.privacy.erase import erase_address
from tests.moderation_ui.conftest import (
    NICE,
    PostComment,
    SignedIn,
    card_html,
    session_csrf,
    status_of,
)


def test_a_placeholder_card_offers_no_decision(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    ann = post_comment(author_email="ann@example.org")
    bob = post_comment(author_name="Bob", body=NICE + " Bob replies.", parent_id=ann)
    with app.app_context():
        keys = ip_hash_keys(app.config)
        erase_address(db.session(), "ann@example.org", keys, datetime.now(UTC), mode="remove")
        db.session.commit()
    client = signed_in("moderator", name="maria")
    page = client.get("/moderation/?status=published").text
    placeholder, reply = card_html(page, ann), card_html(page, bob)
    assert "A placeholder, left where a comment others answered was erased" in placeholder
    assert 'name="action"' not in placeholder and 'class="select"' not in placeholder
    assert re.search(r'name="action" value="restore"[^>]*>Unpublish', reply)
    assert 'class="select"' in reply

    posted = client.post(
        f"/moderation/comments/{ann}/decision",
        data={
            "csrf_token": session_csrf(client),
            "action": "restore",
            "expected_status": "published",
            "next": "/moderation/?status=published",
        },
        follow_redirects=True,
    )
    assert "it has no text or author to decide on" in posted.text
    assert status_of(app, ann) == "published"
