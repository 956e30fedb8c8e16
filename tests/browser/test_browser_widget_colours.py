"""The widget's colours on a site owner's page: they follow the page's colour scheme, not the
reader's system preference, since the widget's text and background are the page's own.

A reader whose system prefers dark on a plain light blog (most blogs) used to get the dark
palette's pale links and errors on white, and a reader who prefers light on a dark page the
light palette's dark blue on black.
"""

from __future__ import annotations

from typing import Literal

import pytest
from browser_support import Blog, Widget
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

# WCAG contrast of an element's text on what is really behind it: the backgrounds of it and
# its ancestors laid over each other from the page's canvas down (the widget's cards and
# buttons are translucent or transparent, on purpose, so they take the page's colour).
_CONTRAST_ON_PAGE = """(element) => {
  const parse = (text) => {
    const [r, g, b, a = 1] = (text.match(/[\\d.]+/g) || []).map(Number);
    return [r, g, b, a];
  };
  const over = ([r, g, b, a], [br, bg, bb]) =>
    [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const chain = [];
  for (let node = element; node; node = node.parentElement) chain.unshift(node);
  let background = [255, 255, 255];  // the canvas of these test pages (they set html's own)
  for (const node of chain) background = over(parse(getComputedStyle(node).backgroundColor),
                                              background);
  const text = over(parse(getComputedStyle(element).color), background);
  const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""

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


def contrast_on_page(locator: Locator) -> float:
    return float(locator.evaluate(_CONTRAST_ON_PAGE))


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
        ratio = contrast_on_page(element)
        assert ratio >= 4.5, f"{name}: contrast {ratio:.2f} on this page"
