"""The digest overview as a drafter reads it: on a desktop the ranking's headers stay on one line,
wider than two characters; on a phone each ranked clause is a card whose figures are named and
never overlap, nothing scrolls sideways; each cell of the clause map is reachable with Tab and
shows its name when focused; no serious axe violations at 360 px."""

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


def test_ranking_headers_stay_on_one_line_on_a_desktop(site: Site, new_context: Any) -> None:
    page = open_digest(site, new_context, DESKTOP, "起草人戊")
    headers = page.evaluate(HEADERS)
    assert [h["text"] for h in headers][:3] == ["条款", "意见数", "独立意见"]
    for h in headers:
        assert h["lines"] == 1, h  # never one character per line
        assert h["width"] > 2.5 * h["font"], h  # wider than two characters


CARDS = """() => [...document.querySelectorAll('table.ranking tbody tr')].map(tr => {
    const box = tr.getBoundingClientRect();
    const cells = [...tr.children].map(c => ({rect: c.getBoundingClientRect().toJSON(),
        label: getComputedStyle(c, '::before').content, text: c.textContent.trim()}));
    return {width: box.width, cells};
})"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and (a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1)
    )


def test_on_a_phone_each_ranked_clause_is_a_card_with_its_figures_named(
    site: Site, new_context: Any, axe_source: str
) -> None:
    page = open_digest(site, new_context, PHONE, "起草人丙")
    wrap = page.evaluate(
        """() => { const w = document.querySelector('table.ranking').closest('.table-wrap');
        return {scroll: w.scrollWidth, client: w.clientWidth}; }"""
    )
    assert wrap["scroll"] <= wrap["client"] + 1  # nothing hides off-screen to the right
    cards = page.evaluate(CARDS)
    assert cards and all(card["width"] <= 360 for card in cards)
    for card in cards:
        name, *figures = card["cells"]
        assert name["rect"]["width"] >= 0.8 * card["width"]  # the clause on a line of its own
        labels = [c["label"] for c in figures if c["text"]]
        assert labels[:3] == ['"意见数：" / ""', '"独立意见：" / ""', '"支持：" / ""'], labels
        cells = [c["rect"] for c in card["cells"] if c["text"]]
        for i, a in enumerate(cells):
            for b in cells[i + 1 :]:
                assert not _overlap(a, b), (a, b)  # figures never print over each other
    assert no_horizontal_scroll(page)
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
