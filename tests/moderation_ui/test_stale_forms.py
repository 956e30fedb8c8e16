"""Forms left open while their session changed: signed out elsewhere, signed in elsewhere,
expired. They change nothing they should not, and lead somewhere a person can act."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.moderation_ui.conftest import (
    PASSWORD,
    MakeStaff,
    SignedIn,
    csrf_from,
    session_csrf,
)


def test_signing_out_of_a_session_that_already_ended_lands_on_the_sign_in_form(
    app: Flask, signed_in: SignedIn
) -> None:
    client = signed_in("moderator", "maria")
    stale_token = session_csrf(client)  # the Sign out button of a second tab
    first = client.post("/moderation/logout", data={"csrf_token": stale_token})
    assert first.status_code == 303

    again = client.post("/moderation/logout", data={"csrf_token": stale_token})
    assert again.status_code == 303 and again.headers["Location"] == "/moderation/login"
    assert "You are signed out." in client.get("/moderation/login").text

    expired = app.test_client()  # no session cookie left at all
    response = expired.post("/moderation/logout", data={"csrf_token": "from-a-day-ago"})
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/login"


def test_a_sign_in_form_from_before_the_session_changed_is_refused_with_a_fresh_form(
    client: FlaskClient, make_staff: MakeStaff
) -> None:
    make_staff("moderator", "maria")
    first_tab = csrf_from(client.get("/moderation/login?next=/moderation/bans").text)
    second_tab = csrf_from(client.get("/moderation/login").text)
    signed_in = client.post(
        "/moderation/login",
        data={"name": "maria", "password": PASSWORD, "csrf_token": second_tab},
    )
    assert signed_in.status_code == 303
    client.post("/moderation/logout", data={"csrf_token": session_csrf(client)})

    stale = client.post(
        "/moderation/login",
        data={
            "name": "maria",
            "password": PASSWORD,
            "csrf_token": first_tab,
            "next": "/moderation/bans",
        },
    )
    assert stale.status_code == 403  # refused: the token is not this session's
    assert "This sign-in form had expired, so it was not sent." in stale.text
    assert 'value="maria"' in stale.text and 'value="/moderation/bans"' in stale.text
    assert client.get("/moderation/").status_code == 303  # not signed in by it
    retried = client.post(
        "/moderation/login",
        data={
            "name": "maria",
            "password": PASSWORD,
            "csrf_token": csrf_from(stale.text),
            "next": "/moderation/bans",
        },
    )
    assert retried.status_code == 303 and retried.headers["Location"] == "/moderation/bans"
