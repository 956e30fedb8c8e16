"""A site owner following the README's "Embedding the widget" literally: the snippet, on a page
of another origin whose Content-Security-Policy is strict, with the directives the README says
to add (read from the README itself, so the instructions cannot drift from what works).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import Blog, PageIssues, Widget
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_ORIGIN = "https://comments.example.org"


def documented_directives() -> str:
    """The CSP directives the README tells a site owner to add, as one line."""
    section = README.read_text().split("## Embedding the widget", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```\n(script-src .*?)```", section, re.DOTALL)
    assert found, "the README's embedding section gives no Content-Security-Policy directives"
    return " ".join(found.group(1).split())


def test_the_widget_works_under_the_policy_the_readme_documents(
    page: Page, page_issues: PageIssues, widget: Widget, blog: Blog
) -> None:
    directives = documented_directives().replace(DOCUMENTED_ORIGIN, blog.server)
    # A strict page: nothing beyond its own origin unless named, Trusted Types enforced.
    policy = f"default-src 'self'; require-trusted-types-for 'script'; {directives}"
    path = f"/{blog.site}/strict"
    blog.other_site.pages[path] = (
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict</title>
</head><body><main><h1>A post</h1>
<div id="comments" data-site="{blog.site}" data-thread="/2024/11/my-post"
  data-thread-title="My post"></div></main>
<script src="{blog.server}/embed.js" defer></script></body></html>""",
        {"Content-Security-Policy": policy},
    )
    page.goto(blog.other_site.origin + path)

    widget.post("Posted from a page with a strict policy.", name="Ann")
    expect(widget.status).to_have_text("Your comment has been published.")
    mine = widget.comment("Posted from a page with a strict policy.")
    expect(mine.get_by_role("button", name=re.compile("^Edit"))).to_be_visible()  # embed-edit.js
    expect(widget.submit).to_have_css("color", "rgb(255, 255, 255)")  # embed.css applied
    assert not page_issues.csp_violations
