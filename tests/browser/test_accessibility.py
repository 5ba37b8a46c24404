"""axe-core on every public page; landmarks, headings, labels, language; text at 200 %."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.browser.conftest import DESKTOP, PHONE, Site, describe, no_horizontal_scroll, run_axe

pytestmark = pytest.mark.browser

STRUCTURE = """() => {
    const levels = [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")]
        .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]));
    const fields = [...document.querySelectorAll("input:not([type=hidden]),select,textarea")];
    return {
        lang: document.documentElement.lang,
        title: document.title,
        levels: levels,
        banner: document.querySelectorAll("body > header").length,
        nav: document.querySelectorAll("nav[aria-label]").length,
        main: document.querySelectorAll("main").length,
        footer: document.querySelectorAll("body > footer").length,
        unlabelled: fields.filter(f => f.labels.length === 0).map(f => f.name),
    };
}"""


def public_paths(site: Site) -> list[str]:
    receipt = httpx.post(
        f"{site.url}/api/drafts/{site.slug}/comments",
        json={"clause": "第二章/第五条", "body": "建议明确配建比例。"},
    ).json()["receipt"]
    return [
        "/",
        f"/drafts/{site.slug}",
        f"/drafts/{site.slug}/comment?clause={quote('第三章/第十条')}",
        f"/drafts/{site.slug}/comment",
        "/receipts",
        "/receipts?receipt=12",
        f"/receipts/{receipt}?new=1",
        "/drafts/no-such-draft",
    ]


def check_structure(page: Any, path: str) -> None:
    s = page.evaluate(STRUCTURE)
    assert s["lang"] == "zh-CN", path
    assert s["title"], path
    assert (s["banner"], s["main"], s["footer"]) == (1, 1, 1), path
    assert s["nav"] >= 1, path
    assert s["unlabelled"] == [], f"{path}: fields without a label {s['unlabelled']}"
    levels = s["levels"]
    assert levels and levels[0] == 1 and levels.count(1) == 1, f"{path}: one h1 first {levels}"
    jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert jumps == [], f"{path}: heading levels skip {jumps}"


def test_public_pages_have_no_serious_axe_violations_and_a_sound_structure(
    site: Site, new_context: Any, axe_source: str
) -> None:
    context = new_context(DESKTOP)
    page = context.new_page()
    for path in public_paths(site):
        page.goto(site.url + path)
        check_structure(page, path)
        violations = run_axe(page, axe_source)
        assert violations == [], f"{path}:\n{describe(violations)}"


def test_draft_page_with_the_form_open_passes_axe_on_a_phone(
    site: Site, new_context: Any, axe_source: str
) -> None:
    page = new_context(PHONE).new_page()
    page.goto(f"{site.url}/drafts/{site.slug}")
    page.locator('a.comment-link[data-clause="第三章/第十条/第一款/（二）"]').click()
    page.locator(".inline-form textarea").fill("建议写明消防车通道的范围。")
    page.get_by_role("button", name="提交意见").click()
    page.locator(".notice.ok").wait_for()
    page.locator('a.comment-link[data-clause="第一章/第一条"]').click()
    assert page.locator(".inline-form").is_visible()
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("mode", ["zoom", "text"])
def test_text_at_200_percent_needs_no_horizontal_scrolling(
    site: Site, new_context: Any, mode: str
) -> None:
    """`zoom`: a 1280 px window at 200 % is a 640 px viewport; `text`: a phone whose reader
    doubled the text size only."""
    context = new_context({"width": 640, "height": 400} if mode == "zoom" else PHONE)
    page = context.new_page()
    for path in public_paths(site):
        page.goto(site.url + path)
        if mode == "text":
            page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
            size = page.evaluate("() => getComputedStyle(document.body).fontSize")
            assert size == "32px"
        links = page.locator("a.comment-link")
        if links.count():
            links.first.click()
        assert no_horizontal_scroll(page), f"{path} scrolls sideways at 200 % ({mode})"
