"""Staff accounts and API tokens from the CLI (the URL-map walk: test_authorisation.py)."""

from __future__ import annotations

from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner


def test_create_user_and_token_from_the_cli(runner: FlaskCliRunner, client: FlaskClient) -> None:
    created = runner.invoke(
        args=["users", "create", "mod1", "--role", "moderator", "--password-stdin"],
        input="a long enough password\n",
    )
    assert created.exit_code == 0, created.output
    issued = runner.invoke(args=["users", "token", "mod1"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    assert token.startswith("cmt_") and " " not in token
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 200
    revoked = runner.invoke(args=["users", "revoke-token", "mod1"])
    assert "Revoked 1 token" in revoked.output
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 401


def test_revoking_a_token_id_that_is_not_theirs_is_an_error_naming_it(
    runner: FlaskCliRunner, client: FlaskClient, staff_headers
) -> None:
    """Printing "Revoked 0 token(s)" with exit 0 read as done, a live token behind a typo."""
    headers = staff_headers("moderator", name="maria")
    staff_headers("moderator", name="omar")
    [maria_token] = [line.split("\t")[0] for line in tokens(runner, "maria")]
    [omar_token] = [line.split("\t")[0] for line in tokens(runner, "omar")]
    for token_id in ("99", omar_token):
        refused = runner.invoke(args=["users", "revoke-token", "maria", "--id", token_id])
        assert refused.exit_code == 2, refused.output
        assert f"--id: maria has no token {token_id}." in refused.output
        assert "Revoked" not in refused.output
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 200
    assert all(line.endswith("active") for line in tokens(runner, "omar"))

    revoke = ["users", "revoke-token", "maria", "--id", maria_token]
    done = runner.invoke(args=revoke)
    assert done.exit_code == 0 and "Revoked 1 token(s) of maria." in done.output
    again = runner.invoke(args=revoke)
    assert again.exit_code == 0
    assert f"Token {maria_token} of maria was revoked already." in again.output
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 401


def tokens(runner: FlaskCliRunner, name: str) -> list[str]:
    listed = runner.invoke(args=["users", "tokens", name])
    assert listed.exit_code == 0, listed.output
    return listed.output.strip().splitlines()


def test_bad_accounts_are_refused(runner: FlaskCliRunner) -> None:
    short = runner.invoke(
        args=["users", "create", "x", "--role", "admin", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "password" in short.output
    site = runner.invoke(
        args=["users", "create", "y", "--role", "moderator", "--site", "nope", "--password-stdin"],
        input="a long enough password\n",
    )
    assert site.exit_code != 0 and "Unknown site" in site.output
    unknown = runner.invoke(args=["users", "token", "ghost"])
    assert unknown.exit_code != 0


def test_stored_credentials_are_hashed(app: Flask, staff_headers) -> None:
    from sqlalchemy import select

    from comments.extensions import db
    from comments.models import ApiToken, Staff

    token = staff_headers("admin")["Authorization"].split()[1]
    with app.app_context():
        staff = db.session.scalar(select(Staff))
        assert staff.password_hash.startswith("scrypt:")
        stored = db.session.scalar(select(ApiToken))
        assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_roles_and_sites_are_enforced(
    client: FlaskClient, runner: FlaskCliRunner, staff_headers, post_comment
) -> None:
    runner.invoke(args=["sites", "create", "other"])
    mine = post_comment(body="You are an idiot and a moron").get_json()["id"]
    theirs = post_comment(site="other", body="You are a moron and an idiot").get_json()["id"]
    analyst = staff_headers("analyst")
    assert client.get("/api/v1/moderation/queue", headers=analyst).status_code == 200
    forbidden = client.post(
        f"/api/v1/moderation/comments/{mine}/decision", json={"action": "approve"}, headers=analyst
    )
    assert forbidden.status_code == 403
    limited = staff_headers("moderator", sites=("default",))
    queue = client.get("/api/v1/moderation/queue", headers=limited).get_json()
    assert [item["id"] for item in queue["items"]] == [mine]
    hidden = client.post(
        f"/api/v1/moderation/comments/{theirs}/decision",
        json={"action": "approve"},
        headers=limited,
    )
    assert hidden.status_code == 404


def test_a_moderators_sites_change_without_recreating_the_account(
    client: FlaskClient, runner: FlaskCliRunner, staff_headers, post_comment
) -> None:
    """`users update` had no site option: a moderator could not be given a new site."""
    runner.invoke(args=["sites", "create", "other"])
    theirs = post_comment(site="other", body="You are a moron and an idiot").get_json()["id"]
    maria = staff_headers("moderator", name="maria", sites=("default",))

    def queue() -> list[int]:
        answer = client.get("/api/v1/moderation/queue", headers=maria).get_json()
        return [item["id"] for item in answer["items"]]

    def update(*args: str) -> Result:
        return runner.invoke(args=["users", "update", "maria", *args])

    assert queue() == []
    added = update("--add-site", "other")
    assert added.exit_code == 0 and "sites: default, other." in added.output
    assert queue() == [theirs]
    assert "sites: other." in update("--remove-site", "default").output
    for refused, words in (
        (("--remove-site", "other"), "would give maria all sites: use --all-sites"),
        (("--remove-site", "default"), "maria is not limited to default (has other)"),
        (("--add-site", "ghost"), "Unknown site(s): ghost."),
    ):
        result = update(*refused)
        assert result.exit_code == 2 and words in result.output
    assert "sites: default." in update("--all-sites", "--add-site", "default").output
    assert queue() == []
    assert "sites: all." in update("--all-sites").output
    assert queue() == [theirs]


def test_session_writes_need_the_csrf_token(
    app: Flask, client: FlaskClient, staff_headers, post_comment
) -> None:
    from sqlalchemy import select

    from comments.extensions import db
    from comments.models import Staff

    staff_headers("moderator", name="sam")
    comment_id = post_comment(body="You are an idiot and a moron").get_json()["id"]
    with app.app_context():
        staff_id = db.session.scalar(select(Staff.id).where(Staff.name == "sam"))
    with client.session_transaction() as session:
        session["staff_id"] = staff_id
        session["csrf"] = "known-token"
    url = f"/api/v1/moderation/comments/{comment_id}/decision"
    assert client.get("/api/v1/moderation/queue").status_code == 200
    missing = client.post(url, json={"action": "approve"})
    assert missing.status_code == 403 and "CSRF" in missing.get_json()["message"]
    wrong = client.post(url, json={"action": "approve"}, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    right = client.post(url, json={"action": "approve"}, headers={"X-CSRF-Token": "known-token"})
    assert right.status_code == 200


def test_the_cli_asks_for_no_password_for_an_account_it_cannot_create(
    runner: FlaskCliRunner,
) -> None:
    made = runner.invoke(
        args=["users", "create", "ops", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert made.exit_code == 0, made.output
    typed = "another long password\n" * 2
    again = runner.invoke(args=["users", "create", "ops", "--role", "admin"], input=typed)
    assert again.exit_code == 2
    assert "Password" not in again.output
    assert "A staff member named 'ops' exists already." in again.output
    elsewhere = runner.invoke(
        args=["users", "create", "ann", "--role", "moderator", "--site", "nope"], input=typed
    )
    assert elsewhere.exit_code == 2
    assert "Password" not in elsewhere.output and "Unknown site(s): nope." in elsewhere.output
    made_now = runner.invoke(args=["users", "create", "ann", "--role", "moderator"], input=typed)
    assert made_now.exit_code == 0, made_now.output
    assert made_now.output.count("Password") == 1  # and once more to confirm
    assert made_now.output.endswith("Created moderator ann (all sites).\n")
