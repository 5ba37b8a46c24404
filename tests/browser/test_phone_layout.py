"""On a phone: the receipt code on one line, wide tables scrolling inside their wrapper, the
contents of a long draft in a box of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import DESKTOP, PHONE, Site, no_horizontal_scroll

pytestmark = pytest.mark.browser

WIDE_TABLE = (
    "停车设施建设指标\n"
    "第一条 为规范停车秩序，制定本办法。\n"
    "指标名称\t二〇一五年实际完成情况\t二〇二〇年规划目标值\t牵头责任单位及配合单位\t完成时限\n"
    "公共停车泊位数量（万个）\t3.5\t8.0\t市住房和城乡建设局、市交通运输局\t2020年底前\n"
    "共享停车泊位数量（万个）\t1.2\t4.0\t市公安局交通管理支队、各区人民政府\t2020年底前\n"
)


@pytest.mark.parametrize("text_size", ["100%", "200%"])
def test_the_receipt_code_stays_on_one_line(site: Site, new_context: Any, text_size: str) -> None:
    receipt = httpx.post(
        f"{site.url}/api/drafts/{site.slug}/comments",
        json={"clause": None, "body": "建议明确配建比例。"},
    ).json()["receipt"]
    page = new_context(PHONE).new_page()
    page.goto(f"{site.url}/receipts/{receipt}?new=1")
    page.evaluate(f"() => {{ document.documentElement.style.fontSize = '{text_size}'; }}")
    lines = page.evaluate("() => document.getElementById('receipt-number').getClientRects().length")
    assert lines == 1
    assert no_horizontal_scroll(page)


def test_a_wide_table_scrolls_inside_its_wrapper_on_a_phone(
    site: Site, new_context: Any, tmp_path: Any
) -> None:
    path = tmp_path / "wide-table.txt"
    path.write_text(WIDE_TABLE, encoding="utf-8")
    slug = site.cli("import", str(path), "--slug", "wide-table").strip()
    page = new_context(PHONE).new_page()
    page.goto(f"{site.url}/drafts/{slug}")
    sizes = page.evaluate(
        """() => {
        const wrap = document.querySelector('.table-wrap');
        const cells = [...wrap.querySelectorAll('td')].map(td => td.getBoundingClientRect().width);
        const size = parseFloat(getComputedStyle(wrap.querySelector('td')).fontSize);
        return {scroll: wrap.scrollWidth, client: wrap.clientWidth,
                narrowest: Math.min(...cells.slice(0, 5)), size};
    }"""
    )
    assert sizes["scroll"] > sizes["client"]  # the table scrolls inside its wrapper
    assert sizes["narrowest"] >= 6 * sizes["size"]  # no cell squeezed to 3-4 characters
    assert no_horizontal_scroll(page)  # the page itself does not


EXAMPLE = Path(__file__).resolve().parents[2] / "comments" / "example" / "informatization-draft.txt"


def test_on_a_phone_the_contents_scroll_in_their_own_box_and_the_text_is_ragged(
    site: Site, new_context: Any
) -> None:
    slug = site.cli("import", str(EXAMPLE), "--slug", "long-contents").strip()
    measure = """() => {
        const toc = document.querySelector('nav.toc');
        const box = toc.getBoundingClientRect();
        const text = document.querySelector('.node .text');
        return {height: box.height, scroll: toc.scrollHeight, client: toc.clientHeight,
                screen: window.innerHeight, links: toc.querySelectorAll('a').length,
                align: getComputedStyle(text).textAlign};
    }"""
    phone = new_context(PHONE).new_page()
    phone.goto(f"{site.url}/drafts/{slug}")
    on_phone = phone.evaluate(measure)
    assert on_phone["height"] <= 0.75 * on_phone["screen"]  # was about 3.6 screens tall
    assert on_phone["scroll"] > 2 * on_phone["client"]  # the rest is in the box, not cut off
    # Ragged on a phone: a long e-mail address no longer spreads the line before it apart.
    assert on_phone["align"] == "start"
    last = phone.locator("nav.toc a").last
    last.click()  # reached by scrolling the box
    assert phone.evaluate("() => decodeURIComponent(location.hash)") == last.get_attribute("href")
    assert no_horizontal_scroll(phone)
    desktop = new_context(DESKTOP).new_page()
    desktop.goto(f"{site.url}/drafts/{slug}")
    on_desktop = desktop.evaluate(measure)
    assert on_desktop["scroll"] <= on_desktop["client"] + 1  # the whole list, as before
    assert on_desktop["links"] == on_phone["links"]
    assert on_desktop["align"] == "justify"
