"""The Akismet-compatible API over the wire: the PyPI client across a real loopback socket, as
a deployment runs it, and form values percent-encoded in the blog's character set."""

from __future__ import annotations

import threading

import akismet
import httpx
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from werkzeug.serving import make_server

from comments.extensions import db
from comments.models import LabelledExample
from tests.comments.conftest import NICE
from tests.comments.test_akismet_api import BLOG, CHANNEL_SPAM, READER_IP, _transport, counts


class ToOurHost(httpx.HTTPTransport):
    """What a deployment gives the Python client: Akismet's URLs, sent to our host instead."""

    def __init__(self, base: httpx.URL) -> None:
        super().__init__()
        self.base = base

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        request.headers["Host"] = request.url.netloc.decode()
        return super().handle_request(request)


def test_a_client_pointed_at_our_host_works_over_a_real_socket(app: Flask, key: str) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = httpx.URL(f"http://127.0.0.1:{server.server_port}")
        with httpx.Client(transport=ToOurHost(base), timeout=10) as http:
            config = akismet.Config(key=key, url=BLOG)
            with akismet.SyncClient(config=config, http_client=http) as checker:
                assert checker.comment_check(READER_IP, comment_content=CHANNEL_SPAM) == 2
                assert checker.comment_check(READER_IP, comment_content=NICE) == 0
    finally:
        server.shutdown()
        thread.join()


# --- blog_charset: values percent-encoded in the blog's character set ---------------------------


def posted(app: Flask, call: str, body: str) -> httpx.Response:
    """A form body written by hand, percent-encoded as the client chose (httpx's ``data=`` would
    encode it as UTF-8)."""
    with httpx.Client(transport=_transport(app)) as http:
        return http.post(
            f"https://rest.akismet.com/1.1/{call}",
            content=body.encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


def test_values_are_decoded_with_the_blogs_charset(
    app: Flask, key: str, runner: FlaskCliRunner
) -> None:
    runner.invoke(args=["sites", "update", "default", "--add-blocked-word", "müll"])
    common = f"api_key={key}&blog={BLOG}&user_ip={READER_IP}"
    latin1 = f"{common}&blog_charset=ISO-8859-1&comment_content=Das+ist+M%FCll"
    # "Müll" in Latin-1 is the site's blocked word: read as UTF-8 it would be "M\ufffdll".
    assert posted(app, "comment-check", latin1).text == "true"
    utf8 = f"{common}&comment_content=Das+ist+M%C3%BCll"
    assert posted(app, "comment-check", utf8).text == "true"
    assert posted(app, "comment-check", utf8 + "&blog_charset=utf-8").text == "true"

    cafe = f"{common}&blog_charset=ISO-8859-1&comment_author=Ren%E9&comment_content=Caf%E9+au+lait"
    assert posted(app, "submit-ham", cafe).text == "Thanks for making the web a better place."
    with app.app_context():
        example = db.session.scalars(select(LabelledExample)).one()
        assert example.text == "Café au lait"
        assert example.context["comment_author"] == "René"
        assert example.context["blog_charset"] == "ISO-8859-1"


def test_an_unknown_charset_is_refused_naming_blog_charset(app: Flask, key: str) -> None:
    body = f"api_key={key}&blog={BLOG}&user_ip={READER_IP}&comment_content=caf%E9"
    for charset in ("klingon", "base64", "idna"):
        for call in ("comment-check", "submit-spam", "verify-key"):
            refused = posted(app, call, f"{body}&blog_charset={charset}")
            assert refused.status_code == 400
            assert f"Unknown blog_charset '{charset}'" in refused.text
            assert "blog_charset" in refused.headers["X-akismet-debug-help"]
    # The name is echoed escaped, never as a header line of its own.
    injected = posted(app, "comment-check", f"{body}&blog_charset=x%0D%0AX-Injected:+1")
    assert injected.status_code == 400 and "X-Injected" not in injected.headers
    assert counts(app) == (0, 0)


def test_a_nul_character_in_a_field_is_cleaned_and_answered_in_akismets_words(
    app: Flask, key: str, runner: FlaskCliRunner
) -> None:
    """Spam bots send NUL bytes; Akismet answers them like any comment, and its clients read
    any other answer as an outage (WordPress holds the comment and rechecks it forever)."""
    runner.invoke(args=["sites", "update", "default", "--add-blocked-word", "casino"])
    common = f"api_key={key}&blog={BLOG}&user_ip={READER_IP}&comment_author=Bo%00t"
    blocked = posted(app, "comment-check", f"{common}&comment_content=Best+cas%00ino+online")
    assert (blocked.status_code, blocked.text) == (200, "true")
    nice = posted(app, "comment-check", f"{common}&comment_content=Thanks%00+for+the+summary")
    assert (nice.status_code, nice.text) == (200, "false")
    kept = posted(app, "submit-spam", f"{common}&comment_content=Best+cas%00ino+online")
    assert kept.text == "Thanks for making the web a better place."
    with app.app_context():
        example = db.session.scalars(select(LabelledExample)).one()
        assert (example.text, example.context["comment_author"]) == ("Best casino online", "Bot")
