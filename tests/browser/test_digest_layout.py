"""The digest overview as a drafter reads it: on a phone the ranking table scrolls inside its
wrapper with every header on one line and wider than two characters; each cell of the clause map
is reachable with Tab and shows its name when focused; no serious axe violations at 360 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    Site,
    describe,
    no_horizontal_scroll,
    run_axe,
    shot,
)
from tests.browser.test_drafter_flow import log_in, post

pytestmark = pytest.mark.browser

COMMENTS = [
    ("第三章/第十条", "建议第十条把地下车库也列为禁止充电的区域。"),
    ("第三章/第十条", "反对在楼道一律禁止停放，老旧小区根本没有集中停放场所。"),
    ("第三章/第十条", "地下车库充电风险很大，建议写明禁止。"),
    ("第二章/第六条", "建议明确选址需征得业主同意。"),
    ("第四章/第十三条", "罚款五十元太低了，起不到作用。"),
]
HEADERS = """() => [...document.querySelectorAll('table.ranking thead th')].map(th => {
    const range = document.createRange();
    range.selectNodeContents(th);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    return {text: th.textContent, width: th.getBoundingClientRect().width, lines,
            font: parseFloat(getComputedStyle(th).fontSize)};
})"""


def open_digest(site: Site, new_context: Any, viewport: dict[str, int], name: str) -> Any:
    for clause, body in COMMENTS:
        post(site, clause, body)
    page = new_context(viewport).new_page()
    log_in(site, page, name)
    page.goto(f"{site.url}/drafter/drafts/{site.slug}/digest")
    page.get_by_role("heading", name="意见汇总分析", level=1).wait_for(timeout=60_000)
    return page


def test_ranking_headers_stay_on_one_line_and_the_table_scrolls_on_a_phone(
    site: Site, new_context: Any, axe_source: str
) -> None:
    page = open_digest(site, new_context, PHONE, "起草人丙")
    headers = page.evaluate(HEADERS)
    assert [h["text"] for h in headers][:3] == ["条款", "意见数", "独立意见"]
    for h in headers:
        assert h["lines"] == 1, h  # never one character per line
        assert h["width"] > 2.5 * h["font"], h  # wider than two characters
    table = page.evaluate(
        """() => { const wrap = document.querySelector('table.ranking').closest('.table-wrap');
        const name = document.querySelector('table.ranking tbody th');
        return {scroll: wrap.scrollWidth, client: wrap.clientWidth,
                name: name.getBoundingClientRect().width,
                font: parseFloat(getComputedStyle(name).fontSize)}; }"""
    )
    assert table["scroll"] > table["client"]  # the table scrolls inside its wrapper
    assert table["name"] >= 6 * table["font"]  # the clause column is not squeezed
    assert no_horizontal_scroll(page)  # the page itself does not
    shot(page, "digest-phone", full_page=True)
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)


def test_each_map_cell_is_reached_with_tab_and_shows_its_name_when_focused(
    site: Site, new_context: Any
) -> None:
    page = open_digest(site, new_context, DESKTOP, "起草人丁")
    cells = page.locator(".clause-map a.cell")
    assert cells.count() >= 14  # every article of the fixture law, and its paragraphs
    cells.first.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement;
        return {cell: el.classList.contains('cell'), name: el.getAttribute('aria-label'),
                shown: getComputedStyle(el, '::after').content,
                outline: getComputedStyle(el).outlineStyle}; }"""
    )
    assert focused["cell"] and "：" in focused["name"] and "/" not in focused["name"]
    assert focused["shown"] == f'"{focused["name"]}"'  # the readout under the map
    assert focused["outline"] != "none"  # a visible focus ring
    shot(page, "digest-map-focus")
