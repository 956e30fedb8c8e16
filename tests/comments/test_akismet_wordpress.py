"""What WordPress's Akismet plugin (class.akismet.php) puts in its comment-check form, beyond
the fields every client sends: the post's tags and categories as the ``comment_context`` array,
the commenter's roles comma-joined in ``user_role``, and every posted form field prefixed with
``POST_``, its hidden ``ak_hp_textarea`` honeypot among them.

Bodies are written by hand as PHP's ``http_build_query`` encodes them (brackets as ``%5B``/``%5D``).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from comments.extensions import db
from comments.models import LabelledExample
from tests.comments.conftest import NICE
from tests.comments.test_akismet_api import BLOG, CHANNEL_SPAM, READER_IP
from tests.comments.test_akismet_wire import posted


def _contexts(app: Flask) -> list[object]:
    with app.app_context():
        examples = db.session.scalars(select(LabelledExample).order_by(LabelledExample.id))
        return [example.context.get("comment_context") for example in examples]


def test_every_comment_context_value_is_kept_however_the_array_is_written(
    app: Flask, key: str
) -> None:
    common = f"api_key={key}&blog={BLOG}&user_ip={READER_IP}&comment_content=Nice+recipe"
    for form in (
        "comment_context%5B0%5D=cooking&comment_context%5B1%5D=Caf%C3%A9s",  # WordPress
        "comment_context%5B%5D=cooking&comment_context%5B%5D=Caf%C3%A9s",  # Akismet's docs
        "comment_context=cooking&comment_context=Caf%C3%A9s",  # a repeated field
        "comment_context=cooking",  # one value, as the PyPI client types it
        "comment_context%5B%5D=&comment_context%5B%5D=cooking",  # a blank entry
    ):
        answer = posted(app, "submit-ham", f"{common}&{form}")
        assert answer.text == "Thanks for making the web a better place.", form
    assert _contexts(app) == [
        ["cooking", "Cafés"],
        ["cooking", "Cafés"],
        ["cooking", "Cafés"],
        ["cooking"],
        ["cooking"],
    ]


def test_any_administrator_among_wordpresss_roles_is_always_ham(app: Flask, key: str) -> None:
    spam = f"api_key={key}&blog={BLOG}&user_ip={READER_IP}&comment_content={CHANNEL_SPAM}"
    for roles in ("administrator", "administrator%2Cbbp_keymaster", "editor%2C+Administrator"):
        answer = posted(app, "comment-check", f"{spam}&user_role={roles}")
        assert answer.text == "false", roles
        assert answer.headers["X-Comments-Reason"] == "administrator"
    for roles in ("editor%2Cbbp_keymaster", "administrators", "super_admin"):
        assert posted(app, "comment-check", f"{spam}&user_role={roles}").text == "true", roles


def test_wordpresss_honeypot_is_seen_as_wordpress_sends_it(app: Flask, key: str) -> None:
    common = f"api_key={key}&blog={BLOG}&user_ip={READER_IP}&comment_content=Thanks+for+this"
    wordpress = f"{common}&POST_comment=Thanks+for+this&POST_ak_js=1733600000000"
    assert posted(app, "comment-check", f"{wordpress}&POST_ak_hp_textarea=").text == "false"
    trapped = posted(app, "comment-check", f"{wordpress}&POST_ak_hp_textarea=Buy+now")
    assert trapped.text == "true" and trapped.headers["X-akismet-pro-tip"] == "discard"
    assert "honeypot_filled" in trapped.headers["X-Comments-Reason"]
    # A client that names its own trap still has it read; WordPress's is read as well.
    named = f"{common}&honeypot_field_name=website2&website2="
    assert posted(app, "comment-check", named).text == "false"
    assert posted(app, "comment-check", f"{named}&POST_ak_hp_textarea=x").text == "true"

    kept = posted(app, "submit-spam", f"{wordpress}&POST_ak_hp_textarea=Buy%00+now")
    assert kept.text == "Thanks for making the web a better place."
    with app.app_context():
        example = db.session.scalars(select(LabelledExample)).one()
        assert example.context["honeypot_value"] == "Buy now"
        assert not any(name.startswith("POST_") for name in example.context)


def test_a_nice_comment_from_wordpress_is_answered_ham(app: Flask, key: str) -> None:
    """Everything at once, as a WordPress comment form posts it with an empty trap."""
    body = "&".join(
        (
            f"api_key={key}&blog={BLOG}&user_ip={READER_IP}&comment_type=comment",
            f"comment_content={NICE.replace(' ', '+')}&user_role=subscriber%2Cbbp_participant",
            "comment_context%5B0%5D=news&POST_ak_hp_textarea=&POST_ak_js=1733600000000",
        )
    )
    assert posted(app, "comment-check", body).text == "false"
