"""A moderator closes a page from the moderation UI's Pages section, with the keyboard, and
the page's widget then says comments are closed; following the site's setting again brings
the form back. End to end: the live server, its pages and the widget on another origin."""

from __future__ import annotations

import uuid

import pytest
from browser_support import Blog, LiveServer, Widget
from flask import Flask
from playwright.sync_api import Page, expect

from comments.extensions import db
from comments.services import accounts

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TOP = "The opening comment, posted while the page was open."


def test_closing_a_page_in_the_ui_closes_its_widget(
    page: Page, widget: Widget, blog: Blog, live_app: Flask, live_server: LiveServer
) -> None:
    blog.post(TOP, name="Ann")
    name = f"mod-{uuid.uuid4().hex[:6]}"
    with live_app.app_context():
        accounts.create_staff(db.session(), name, "moderator", PASSWORD, [])
        db.session.commit()
    pages = f"{live_server.url}/moderation/pages?site={blog.site}"
    page.goto(pages)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Pages of {blog.site}")).to_be_visible()
    assert page.url == pages

    row = page.get_by_role("row").filter(has_text=blog.thread)
    expect(row.get_by_role("cell").nth(2)).to_contain_text("Open")
    close = row.get_by_role("button", name=f"Close ({blog.thread})")
    close.focus()
    page.keyboard.press("Enter")
    announced = f"“{blog.thread}” is closed: readers can no longer comment or reply."
    expect(page.get_by_role("status")).to_have_text(announced)
    expect(row.get_by_role("cell").nth(2)).to_contain_text(f"Closed by {name}")
    expect(row.get_by_role("button", name=f"Close ({blog.thread})")).to_have_count(0)

    page.goto(blog.url(live="off"))
    expect(widget.root.get_by_text("Comments are closed.", exact=True)).to_be_visible()
    expect(widget.form).to_be_hidden()

    page.goto(pages)
    page.get_by_role("button", name=f"Follow site's setting ({blog.thread})").click()
    expect(page.get_by_role("status")).to_contain_text("follows the site's setting again")
    page.goto(blog.url(live="off"))
    expect(widget.form).to_be_visible()
