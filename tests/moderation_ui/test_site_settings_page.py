"""The Site page: admins change a site's settings with a form, other staff read them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from comments.extensions import db
from comments.services import accounts
from comments.services.sites import describe, list_sites
from tests.moderation_ui.conftest import (
    PASSWORD,
    PostComment,
    SignedIn,
    session_csrf,
    sign_in,
    status_of,
)

PAGE = "/moderation/sites/default"
WITH_A_LINK = "A useful follow-up on the topic: https://news.example/analysis"


class FormFields(HTMLParser):
    """What a browser would send for the page's settings form, untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and "settings-form" in attributes.get("class", ""):
            self.in_form = True
        if not self.in_form or "name" not in attributes:
            return
        if tag == "textarea":
            self.textarea = attributes["name"]
            self.pairs.append((self.textarea, ""))
        elif tag == "input":
            kind = attributes.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in attributes:
                self.pairs.append((attributes["name"], attributes.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            name, text = self.pairs[-1]
            self.pairs[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.in_form = False


def form_of(page: str, **changes: Any) -> MultiDict[str, str]:
    """The form as shown, with some fields changed (a checkbox by True or False)."""
    parser = FormFields()
    parser.feed(page)
    fields = MultiDict(parser.pairs)
    for name, value in changes.items():
        if isinstance(value, bool):
            fields.setlist(name, ["0", "1"] if value else ["0"])
        else:
            fields.setlist(name, [value])
    return fields


def stored(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        return [describe(site) for site in list_sites(db.session())]


def flashed(response: TestResponse) -> list[str]:
    return re.findall(r'<p class="flash[^"]*">([^<]*)</p>', response.text)


def test_an_admin_saves_the_form_and_is_told_what_changed(
    app: Flask, signed_in: SignedIn, post_comment: PostComment
) -> None:
    client = signed_in("admin")
    page = client.get(PAGE)
    assert page.status_code == 200 and 'aria-current="page">Site</a>' in page.text
    form = form_of(
        page.text,
        max_links="0",
        hold_commercial_terms=False,
        toxicity_hold="0.5",
        blocked_words="casino\n\n  poker night \nCasino\n",
        allowed_origins="https://blog.example/",
    )
    saved = client.post(PAGE, data=form, follow_redirects=True)
    assert saved.status_code == 200
    assert flashed(saved) == [
        "Saved on default. Hold at toxicity: the model&#39;s → 0.5; Most links: 3 → 0; "
        "Hold commercial spam&#39;s words: on → off; Blocked words: added casino, poker night; "
        "Allowed origins: added https://blog.example."
    ]
    [site] = stored(app)
    assert site["max_links"] == 0 and site["toxicity_hold"] == 0.5
    assert site["hold_commercial_terms"] is False
    assert site["blocked_words"] == ["casino", "poker night"]
    assert site["allowed_origins"] == ["https://blog.example"]
    assert status_of(app, post_comment(body=WITH_A_LINK)) == "pending"

    again = client.post(PAGE, data=form_of(saved.text), follow_redirects=True)
    assert flashed(again) == ["Nothing changed on default: every setting was as saved already."]
    back = client.post(PAGE, data=form_of(saved.text, toxicity_hold=""), follow_redirects=True)
    assert "Hold at toxicity: 0.5 → the model&#39;s" in flashed(back)[0]
    assert stored(app)[0]["toxicity_hold"] is None


def recent_changes(page: str) -> list[tuple[str, str, str]]:
    """The Recent changes table's rows: who, setting, change."""
    section = page.split('<section class="site-changes"', 1)[1]
    rows = re.findall(
        r"<tr>\s*<td><time[^>]*>[^<]+</time></td>\s*<td>([^<]*)</td>\s*"
        r'<th scope="row">([^<]*)</th>\s*<td>([^<]*)</td>',
        section,
    )
    return [(who, setting, change) for who, setting, change in rows]


def test_every_reader_of_the_page_sees_its_recent_changes_newest_first(
    signed_in: SignedIn, runner: FlaskCliRunner
) -> None:
    admin = signed_in("admin", "maria")
    assert "No setting of this site has been changed yet." in admin.get(PAGE).text
    form = form_of(admin.get(PAGE).text, max_links="0", blocked_words="casino\npoker")
    assert admin.post(PAGE, data=form).status_code == 303
    admin.post(PAGE, data=form_of(admin.get(PAGE).text, max_links="x"))  # refused: not recorded
    update = ["sites", "update", "default", "--remove-blocked-word", "casino"]
    assert runner.invoke(args=[*update, "--toxicity-hold", "0.5"]).exit_code == 0
    admin.post("/moderation/logout", data={"csrf_token": session_csrf(admin)})
    expected = [
        ("cli", "Blocked words", "removed casino"),
        ("cli", "Hold at toxicity", "the model&#39;s → 0.5"),
        ("maria", "Most links", "3 → 0"),
        ("maria", "Blocked words", "added casino, poker"),
    ]
    assert recent_changes(signed_in("analyst").get(PAGE).text) == expected


def test_refused_values_are_shown_beside_their_fields_and_nothing_is_saved(
    app: Flask, signed_in: SignedIn
) -> None:
    client = signed_in("admin")
    before = stored(app)
    form = form_of(
        client.get(PAGE).text,
        title="Renamed",
        max_links="many",
        spam_hold="0.9",
        spam_file="0.5",
        blocked_domains="spam.example\n" + "x" * 254,
    )
    refused = client.post(PAGE, data=form)
    assert refused.status_code == 400
    assert flashed(refused) == ["Nothing was saved: correct the settings marked below."]
    page = refused.text
    assert re.search(r'id="s-max_links"[^>]*aria-describedby="[^"]*s-max_links-error"', page)
    assert '<p class="form-error" id="s-max_links-error">Not a valid integer.</p>' in page
    assert 'id="s-blocked_domains-error">Line 2: Longer than maximum length 253.' in page
    assert 'value="Renamed"' in page  # what was typed stays, to correct
    assert stored(app) == before

    # Past the schema, the service's own checks are shown the same way.
    form = form_of(client.get(PAGE).text, title="Renamed", spam_hold="0.9", spam_file="0.5")
    refused = client.post(PAGE, data=form)
    assert refused.status_code == 400
    assert 'id="s-spam_hold-error">Must not be above spam_file.</p>' in refused.text
    form = form_of(client.get(PAGE).text, allowed_origins="https://ok.example\nblog.example")
    refused = client.post(PAGE, data=form)
    assert 'id="s-allowed_origins-error">Not an origin like' in refused.text
    assert stored(app) == before


def test_a_form_without_the_sessions_csrf_token_is_refused(app: Flask, signed_in: SignedIn) -> None:
    client = signed_in("admin")
    form = form_of(client.get(PAGE).text, max_links="0")
    before = stored(app)
    for token in ([], ["not-the-sessions-token"]):
        form.setlist("csrf_token", token)
        assert client.post(PAGE, data=form).status_code == 403
    assert stored(app) == before


def test_other_staff_read_the_settings_and_cannot_change_them(
    app: Flask, client: FlaskClient, signed_in: SignedIn, runner: FlaskCliRunner
) -> None:
    runner.invoke(args=["sites", "update", "default", "--add-blocked-word", "casino"])
    before = stored(app)
    for role in ("moderator", "analyst"):
        reader = signed_in(role)
        page = reader.get(PAGE).text
        assert "settings-form" not in page and "Save settings" not in page
        assert "<dt>Blocked words</dt><dd>casino</dd>" in page
        assert re.search(r"<dt>Hold at toxicity</dt><dd>The model's \(0\.\d+ now\)", page)
        refused = reader.post(PAGE, data={"csrf_token": session_csrf(reader), "max_links": "0"})
        assert refused.status_code == 403
        reader.post("/moderation/logout", data={"csrf_token": session_csrf(reader)})
    assert stored(app) == before


def test_the_picker_shows_only_the_sites_a_moderator_is_limited_to(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    for site in ("blog", "shop"):
        assert runner.invoke(args=["sites", "create", site]).exit_code == 0
    with app.app_context():
        accounts.create_staff(db.session(), "local", "moderator", PASSWORD, ["blog", "shop"])
        db.session.commit()
    assert sign_in(client, "local").status_code == 303
    first = client.get("/moderation/sites")
    assert first.status_code == 303 and first.headers["Location"] == "/moderation/sites/blog"
    picked = client.get("/moderation/sites?site=shop")
    assert picked.headers["Location"] == "/moderation/sites/shop"
    page = client.get("/moderation/sites/shop").text
    options = re.findall(r'<option value="([^"]+)"', page)
    assert options == ["blog", "shop"] and "Site settings: shop" in page
    assert client.get(PAGE).status_code == 404
    for name in ("default", "../login"):
        assert client.get("/moderation/sites", query_string={"site": name}).status_code == 404
    # comments.nul_guard answers before the view, naming the field.
    nul = client.get("/moderation/sites", query_string={"site": "\x00"})
    assert nul.status_code == 422 and set(nul.get_json()["errors"]) == {"site"}
    assert client.get("/moderation/sites/%00").status_code == 404


def test_a_site_created_with_the_cli_lists_its_creation_with_every_setting(
    signed_in: SignedIn, runner: FlaskCliRunner
) -> None:
    create = ["sites", "create", "other", "--max-links", "2", "--blocked-word", "casino"]
    assert runner.invoke(args=create).exit_code == 0
    page = signed_in("analyst").get("/moderation/sites/other").text
    [(who, setting, change)] = recent_changes(page)
    assert (who, setting) == ("cli", "Site created")
    assert change.startswith("With Title: (none); Moderation mode: auto; ")
    assert "Hold at toxicity: the model&#39;s; " in change and "Most links: 2; " in change
    assert "Blocked words: casino; " in change and change.endswith("Allowed origins: (none).")
