"""The widget's colours on a site owner's page: they follow the page's colour scheme, not the
reader's system preference, since the widget's text and background are the page's own.

A reader whose system prefers dark on a plain light blog (most blogs) used to get the dark
palette's pale links and errors on white, and a reader who prefers light on a dark page the
light palette's dark blue on black.
"""

from __future__ import annotations

from typing import Literal

import pytest
from browser_support import Blog, Widget, contrast_ratio
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Pages set their canvas (html) colour, so what is behind the widget is known.
LIGHT_PAGE = "html { background: #ffffff; color: #1a1a1a; }"
DARK_PAGE = "html { color-scheme: dark; background: #121212; color: #eeeeee; }"


def page_with_widget(blog: Blog, style: str) -> str:
    """A post on the blog's origin styled by its owner, the widget embedded as the README says."""
    path = f"/{blog.site}/colours-{len(blog.pages)}"
    blog.other_site.pages[path] = (
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Post</title>
<style>{style}</style></head><body><main><h1>A post</h1>
<div id="comments" data-site="{blog.site}" data-thread="{blog.thread}"></div></main>
<script src="{blog.server}/embed.js" defer></script></body></html>""",
        {},
    )
    blog.pages.append(path)
    return blog.other_site.origin + path


@pytest.mark.parametrize(
    ("page_style", "reader_prefers"),
    [(LIGHT_PAGE, "dark"), (DARK_PAGE, "light"), (LIGHT_PAGE, "light"), (DARK_PAGE, "dark")],
    ids=["light-page-dark-reader", "dark-page-light-reader", "light-light", "dark-dark"],
)
def test_links_and_errors_are_readable_whatever_the_reader_prefers(
    page: Page,
    widget: Widget,
    blog: Blog,
    page_style: str,
    reader_prefers: Literal["light", "dark"],
) -> None:
    blog.post("Kind words about the post.", name="Ann")
    page.emulate_media(color_scheme=reader_prefers)
    page.goto(page_with_widget(blog, page_style))
    reply = widget.root.get_by_role("button", name="Reply to Ann")
    expect(reply).to_be_visible()
    widget.submit.click()  # nothing written: the field's error in the danger colour
    error = widget.root.locator(".cw-error", has_text="Please write a comment.")
    expect(error).to_be_visible()

    for name, element in (("Reply", reply), ("the field's error", error)):
        ratio = contrast_ratio(element)
        assert ratio >= 4.5, f"{name}: contrast {ratio:.2f} on this page"
