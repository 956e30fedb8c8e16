"""What the moderation pages look like in Chromium: controls in their place, in both schemes."""

from __future__ import annotations

import itertools
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.moderation_ui.browsing import new_thread, post, sign_in
from tests.moderation_ui.conftest import ABUSIVE, Live

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def beside_its_label(radio: Locator) -> None:
    """A radio button of a normal size, with its label on the same line just after it."""
    box = radio.bounding_box()
    label = radio.page.locator(f'label[for="{radio.get_attribute("id")}"]').bounding_box()
    assert box and label
    assert box["width"] < 40, f"a radio button {box['width']}px wide"
    assert 0 <= label["x"] - (box["x"] + box["width"]) < 40
    assert label["y"] < box["y"] + box["height"] and box["y"] < label["y"] + label["height"]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_ban_choices_stay_beside_their_labels(
    browser_page: Page, live: Live, width: int
) -> None:
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (layout)", author_email=f"{uuid.uuid4().hex}@x.org")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live, f"/moderation/?thread={thread}")
    card = page.locator(f"#comment-{held}")
    card.get_by_text("Ban author…").click()
    radios = card.get_by_role("radio")
    expect(radios).to_have_count(3)
    for n in range(3):
        beside_its_label(radios.nth(n))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the ban form pushes the page {overflow}px sideways"

    page.locator("body").press("j")
    page.keyboard.press("b")
    dialog = page.get_by_role("dialog", name="Ban this author?")
    expect(dialog).to_be_visible()
    for n in range(3):
        beside_its_label(dialog.get_by_role("radio").nth(n))
    inside = dialog.evaluate("(d) => d.scrollWidth <= d.clientWidth")
    assert inside, "the dialog's choices stick out of it"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_queue_has_a_visible_bar_on_the_statistics_page(
    browser_page: Page, live: Live, scheme: str
) -> None:
    page = browser_page
    page.emulate_media(color_scheme=scheme)
    sign_in(page, live, f"/moderation/?thread={new_thread()}")
    page.goto(live.url + "/moderation/stats")
    bars = page.locator("svg rect.bar[class*='queue-']")
    expect(bars).to_have_count(6)
    background = page.evaluate("getComputedStyle(document.querySelector('.panel')).backgroundColor")
    for n in range(6):
        fill = bars.nth(n).evaluate("(bar) => getComputedStyle(bar).fill")
        name = bars.nth(n).get_attribute("class")
        assert fill not in ("rgb(0, 0, 0)", background), f"{name} is drawn {fill} in {scheme}"


def test_right_to_left_comments_read_right_to_left_among_english_ones(
    browser_page: Page, live: Live
) -> None:
    page, thread = browser_page, new_thread()
    arabic = post(live, thread, "مقال رائع، شكرا جزيلا على هذا العمل!", author_name="سارة")
    english = post(live, thread, "Great article, thank you (really)!", author_name="Sam")
    sign_in(page, live, f"/moderation/?status=published&thread={thread}")

    def direction(comment_id: int, selector: str) -> str:
        node = page.locator(f"#comment-{comment_id} {selector}")
        return str(node.evaluate("(element) => getComputedStyle(element).direction"))

    assert direction(arabic, ".comment-text") == "rtl"
    assert direction(arabic, ".author-name") == "rtl"
    assert direction(english, ".comment-text") == "ltr"
    assert direction(english, ".author-name") == "ltr"


def test_a_card_title_lines_up_with_its_text_on_the_queue_and_on_its_own_page(
    browser_page: Page, live: Live
) -> None:
    """On the queue the title sits beside the selection box; on a comment's own page, which
    has none, it lines up with the comment's text, not a gap's width to its right."""
    page, thread = browser_page, new_thread()
    held = post(live, thread, ABUSIVE + " (title)", author_email=f"{uuid.uuid4().hex}@x.org")
    sign_in(page, live, f"/moderation/?thread={thread}")

    def left(selector: str) -> float:
        box = page.locator(f"#comment-{held} {selector}").first.bounding_box()
        assert box
        return box["x"]

    assert left(".card-title") > left(".select") + 10, "beside the box on the queue"
    page.goto(f"{live.url}/moderation/comments/{held}")
    expect(page.locator(f"#comment-{held} .select")).to_have_count(0)
    assert abs(left(".card-title") - left(".card-main")) < 1


def test_the_e_mail_choices_stand_one_a_line_beside_their_labels(
    browser_page: Page, live: Live
) -> None:
    """They ran on as one paragraph, each radio button wherever its line broke."""
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live, "/moderation/")
    page.get_by_role("link", name="E-mail").click()
    radios = page.get_by_role("group", name="How often").get_by_role("radio")
    expect(radios).to_have_count(4)
    tops = []
    for n in range(4):
        beside_its_label(radios.nth(n))
        box = radios.nth(n).bounding_box()
        assert box
        tops.append(box["y"])
    assert all(later > earlier + 10 for earlier, later in itertools.pairwise(tops)), tops
    page.get_by_label("Once a day").check()
    expect(page.get_by_label("Once a day")).to_be_checked()


def test_every_section_reflows_at_320px(browser_page: Page, live: Live) -> None:
    """Each page the top bar links to, at 320 px (1280 px zoomed to 400%): nothing scrolls
    sideways, the top bar included, whose links wrap as sections are added."""
    page = browser_page
    sign_in(page, live, f"/moderation/?thread={new_thread()}")
    page.set_viewport_size({"width": 320, "height": 800})
    links = page.get_by_role("navigation", name="Sections").get_by_role("link")
    sections = [str(link.get_attribute("href")) for link in links.all()]
    assert len(sections) >= 5
    for section in sections:
        page.goto(live.url + section)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{section} scrolls sideways by {overflow}px at 320px"
