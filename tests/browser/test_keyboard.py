"""Keyboard only: every action with Tab, Enter and Escape, and the focus always visible."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, Site

pytestmark = pytest.mark.browser

TENTH = "第三章/第十条"

FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return {tag: el.tagName, text: (el.innerText || el.value || "").trim().slice(0, 30),
            outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
            shadow: s.boxShadow !== "none"};
}"""


def focused(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(FOCUS_STYLE))


def tab_to(page: Any, check: str, limit: int = 80) -> dict[str, Any]:
    """Press Tab until `check` (a JS predicate on document.activeElement) holds; on the way,
    every element that takes focus must show a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["outline"] or state["shadow"], f"no visible focus on {state}"
        if page.evaluate(f"() => {{ const el = document.activeElement; return {check}; }}"):
            return state
    raise AssertionError(f"Tab never reached an element where {check}")


def is_active(page: Any, selector: str) -> bool:
    return bool(page.locator(selector).evaluate("el => el === document.activeElement"))


def test_keyboard_user_jumps_to_article_ten_comments_and_looks_up_the_receipt(
    site: Site, new_context: Any
) -> None:
    page = new_context(DESKTOP, reduced_motion="reduce").new_page()
    page.goto(site.url + "/drafts/diandongche")

    tab_to(page, "el.classList.contains('skip')")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    tab_to(page, "el.tagName === 'SUMMARY' && el.innerText.includes('第九条至第十二条')")
    page.keyboard.press("Enter")
    tab_to(page, "el.tagName === 'A' && el.innerText === '第十条'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#.+%E7%AC%AC%E5%8D%81%E6%9D%A1$"))

    # From the anchor, Tab continues inside 第十条: its "提意见" is the next stop but one.
    link = f'a.comment-link[data-clause="{TENTH}"]'
    tab_to(page, f"el.matches('{link}')", limit=3)
    page.keyboard.press("Enter")
    textarea = f'[id="{TENTH}"] .inline-form textarea'
    assert is_active(page, textarea), "the form opens in place with the cursor in it"
    page.keyboard.type("先试一下")
    page.keyboard.press("Escape")
    assert page.locator(".inline-form").count() == 0, "Escape closes the form"
    assert is_active(page, link), "and focus goes back to the clause"

    page.keyboard.press("Enter")
    assert is_active(page, textarea)
    page.keyboard.type("建议把消防车通道单列一项。")
    tab_to(page, "el.name === 'submitter_type'", limit=1)
    tab_to(page, "el.type === 'submit'", limit=6)
    page.keyboard.press("Enter")
    sent = page.locator(f'[id="{TENTH}"] .notice.ok')
    sent.wait_for()
    receipt = sent.locator("a.receipt").inner_text()
    assert is_active(page, link), "after sending, focus is back on the clause"

    page.goto(site.url + "/")
    tab_to(page, "el.innerText === '查询回执'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/receipts$"))
    tab_to(page, "el.id === 'receipt'")
    page.keyboard.type(receipt)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"/receipts/{receipt}$"))
    assert "建议把消防车通道单列一项。" in page.locator(".comment-body").inner_text()


def test_the_close_button_and_the_whole_draft_form_work_by_keyboard(
    site: Site, new_context: Any
) -> None:
    page = new_context(DESKTOP, reduced_motion="reduce").new_page()
    page.goto(site.url + "/drafts/diandongche")
    tab_to(page, "el.matches('a.comment-link.button')")
    page.keyboard.press("Enter")
    box = page.locator("#whole-draft .inline-form")
    assert box.is_visible() and "总体意见" in box.locator(".target").inner_text()
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == "关闭"
    page.keyboard.press("Enter")
    assert box.count() == 0
    assert is_active(page, "a.comment-link.button")
