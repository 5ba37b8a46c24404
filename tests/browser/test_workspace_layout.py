"""The drafters' workspace laid out as a drafter sees it, at 1280 px and at 360 px: the header and
the footer line up with the page body, and the page body keeps its distance from them; the
imported letters read as cards on a phone instead of scrolling sideways; a point's members are
compact rows of at most two lines that keep their checkbox and 更正 link; a held comment and its
publish-or-hide form read as one item, and the moderation log fits a phone; the admin tables fit
a phone; the filter fields line up, and the workspace links are big enough to tap on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.browser.conftest import (
    DESKTOP,
    ORGANISATION,
    PHONE,
    Site,
    describe,
    no_horizontal_scroll,
    run_axe,
    shot,
)
from tests.browser.test_drafter_flow import post

pytestmark = pytest.mark.browser

FIFTH = "第二章/第五条"
SEVENTH = "第二章/第七条"
CAMPAIGN = [
    "新建小区的集中停放场所太少了，建议第五条写明每户至少配建一个电动自行车停车位。",
    "建议第五条明确新建住宅小区按每户一个车位配建电动自行车集中停放场所和充电设施。",
    "第五条应当规定配建比例，建议每户不少于一个电动自行车停车位，并同步建设充电设施。",
]
LETTERS = {
    "某市消防救援支队关于《某市电动自行车停放充电管理条例（征求意见稿）》的修改意见.txt": (
        "一、关于第七条，建议集中充电设施增加烟感报警和自动喷淋装置。\n"
        "二、关于第十二条，建议每月安全检查的记录保存不少于两年。\n某市消防救援支队\n"
    ),
    "张女士来信.txt": "关于第九条，我们小区没有划定停放区域，建议由街道统一划线。张秀兰\n",
    "letter-from-a-long-named-property-management-company-legal-department.txt": (
        "关于第八条，建议公示的收费标准同时报街道办事处备案。\n"
    ),
}
# The point page's members: what each row must show, and its height against its line height.
MEMBER_ROWS = """() => [...document.querySelectorAll('ol.members > li')].map(li => {
    const box = e => e ? e.getBoundingClientRect() : null;
    const r = li.getBoundingClientRect(), style = getComputedStyle(li);
    const check = li.querySelector('input[type=checkbox][name=members]');
    const fix = [...li.querySelectorAll('a')].find(a => a.textContent.trim() === '更正');
    const stance = li.querySelector('.member-stance');
    return {height: r.height, line: parseFloat(style.lineHeight), text: li.innerText,
            check: check ? box(check) : null, fix: fix ? box(fix) : null,
            stance: stance ? stance.textContent.trim() : null, right: r.right};
})"""
EDGES = """() => Object.fromEntries(['header.site .wrap', 'main', 'footer.site .wrap'].map(s => {
    const r = document.querySelector(s).getBoundingClientRect();
    return [s, [Math.round(r.left), Math.round(r.right)]];
}))"""
SCROLLS = """s => [...document.querySelectorAll(s)].map(e => [e.scrollWidth, e.clientWidth])"""


@dataclass
class Workspace:
    site: Site
    point: str  # the id of the largest point of the fifth article
    size: int


def drafter(site: Site, name: str, *, admin: bool = False) -> tuple[str, str]:
    """A new drafter account: (password, API token)."""
    out = site.cli("add-drafter", name, "--organisation", ORGANISATION, *(["--admin"] * admin))
    password = re.search(r"password: (\S+)", out)
    token = re.search(r"token: (\S+)", out)
    assert password and token, out
    return password.group(1), token.group(1)


def log_in(site: Site, page: Any, name: str, password: str) -> None:
    # Pages that read the digest wait while it is recomputed after new comments: on a busy
    # 2-core machine that can take longer than the context's 10 s default.
    page.set_default_navigation_timeout(60_000)
    page.goto(f"{site.url}/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/drafter$"))


@pytest.fixture(scope="module")
def workspace(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """A campaign of near-identical comments on the fifth article (one large point), others with
    phone numbers (held for moderation), and three letters imported from .txt files."""
    for i in range(45):
        post(site, FIFTH, CAMPAIGN[i % 3] + ("" if i % 5 else "我住在和平区，电话不便留。"))
    post(site, SEVENTH, "建议集中充电设施增加烟感报警装置。")
    post(site, SEVENTH, "反对在小区内集中充电，离住宅楼太近，起火了怎么办？电话13812345678。")
    folder = tmp_path_factory.mktemp("letters")
    for name, text in LETTERS.items():
        (folder / name).write_text(text, encoding="utf-8")
    site.cli("intake", site.slug, *sorted(str(p) for p in folder.iterdir()))
    _, token = drafter(site, "版式核对员")
    r = httpx.get(
        f"{site.url}/api/drafts/{site.slug}/digest",
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    assert r.status_code == 200, r.text
    sections = [s for s in r.json()["sections"] if s["key"] == FIFTH]
    largest = max(sections[0]["clusters"], key=lambda c: c["size"])
    assert largest["size"] >= 20, largest  # the campaign makes one large point
    yield Workspace(site, largest["id"], largest["size"])


@pytest.fixture(scope="module")
def signed_in(workspace: Workspace, browser: Any) -> dict[str, Any]:
    """One login for the module's pages: the server allows an address ten attempts a minute,
    and the browser tests all come from 127.0.0.1."""
    password, _ = drafter(workspace.site, "版式审阅员")
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        log_in(workspace.site, page, "版式审阅员", password)
        return context.storage_state()
    finally:
        context.close()


def open_page(
    workspace: Workspace,
    new_context: Any,
    viewport: dict[str, int],
    who: str,
    signed_in: dict[str, Any],
) -> Any:
    """A page signed in, in a fresh context of ``viewport``; ``who`` is made an account too, so
    the admin table has one more row."""
    drafter(workspace.site, who)
    return new_context(viewport, storage_state=signed_in).new_page()


def test_header_and_footer_line_up_with_the_page_body_at_1280(
    workspace: Workspace, new_context: Any, signed_in: dict[str, Any]
) -> None:
    page = open_page(workspace, new_context, DESKTOP, "版式甲", signed_in)
    base = f"/drafter/drafts/{workspace.site.slug}"
    for path in [
        "/drafter",
        base,
        f"{base}/digest",
        f"{base}/clause/{FIFTH}",
        f"{base}/comments",
        f"{base}/points/{workspace.point}",
        f"{base}/intake",
        f"{base}/moderation",
        f"{base}/decisions",
        f"{base}/exports",
    ]:
        page.goto(workspace.site.url + path)
        page.locator("h1").wait_for(timeout=60_000)
        edges = page.evaluate(EDGES)
        assert len(set(map(tuple, edges.values()))) == 1, (path, edges)
        assert edges["main"][1] - edges["main"][0] > 1000, (path, edges)  # the wide workspace
        gap = page.evaluate(
            """() => document.querySelector('main > :first-child').getBoundingClientRect().top
                   - document.querySelector('header.site').getBoundingClientRect().bottom"""
        )
        assert gap >= 12, (path, gap)  # the first line does not touch the header
    shot(page, "workspace-exports-1280", full_page=True)


def test_imported_letters_read_as_cards_on_a_phone_and_as_a_table_on_a_desktop(
    workspace: Workspace,
    new_context: Any,
    axe_source: str,
    signed_in: dict[str, Any],
) -> None:
    url = f"{workspace.site.url}/drafter/drafts/{workspace.site.slug}/intake"
    page = open_page(workspace, new_context, PHONE, "版式乙", signed_in)
    page.goto(url)
    table = page.get_by_role("table")
    assert table.get_by_role("link").count() >= len(LETTERS)
    for scroll, client in page.evaluate(SCROLLS, ".table-wrap, table.stack"):
        assert scroll <= client, (scroll, client)  # nothing scrolls sideways
    assert no_horizontal_scroll(page)
    cells = page.evaluate(
        """() => [...document.querySelectorAll('table.stack th, table.stack td')]
            .filter(c => c.getBoundingClientRect().width > 1).map(c => {
                const range = document.createRange();
                range.selectNodeContents(c);
                const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                return {text: c.innerText, width: c.getBoundingClientRect().width,
                        right: c.getBoundingClientRect().right, lines: tops.size,
                        font: parseFloat(getComputedStyle(c).fontSize)};
            })"""
    )
    assert cells
    for c in cells:
        assert c["right"] <= PHONE["width"], c
        # a label with its value, never a column squeezed to a character or two a line
        assert c["width"] >= 3 * c["font"] or c["lines"] == 1, c
        assert c["width"] / c["font"] >= c["lines"] * 2, c
    # the column names still reach a screen reader
    assert table.get_by_role("columnheader", name="主题或文件").count() == 1
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, "workspace-intake-360", full_page=True)

    page = open_page(workspace, new_context, DESKTOP, "版式丙", signed_in)
    page.goto(url)
    header = page.get_by_role("columnheader", name="主题或文件")
    assert header.is_visible()
    lines = page.evaluate(
        """() => [...document.querySelectorAll(
            'main table tbody td:nth-child(1), main table tbody td:nth-child(3)')].map(c => {
            const range = document.createRange();
            range.selectNodeContents(c);
            return [c.innerText, new Set([...range.getClientRects()].map(r => r.top)).size];
        })"""
    )
    assert lines and all(n == 1 for _, n in lines), lines  # 2026-12-05, 电子邮件 on one line


CLIPPED = "el => el.scrollHeight > el.clientHeight + 1"  # its text runs past what shows


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_points_members_are_compact_rows_that_keep_their_controls(
    workspace: Workspace,
    new_context: Any,
    axe_source: str,
    viewport: dict[str, int],
    signed_in: dict[str, Any],
) -> None:
    width = viewport["width"]
    page = open_page(workspace, new_context, viewport, f"版式丁{width}", signed_in)
    page.goto(f"{workspace.site.url}/drafter/drafts/{workspace.site.slug}/points/{workspace.point}")
    page.get_by_role("heading", name=re.compile("^观点："), level=1).wait_for(timeout=60_000)
    rows = page.evaluate(MEMBER_ROWS)
    heading = page.get_by_role("heading", name=re.compile(r"^成员（\d+）")).inner_text()
    assert len(rows) == int(re.sub(r"\D", "", heading)) >= 20  # every member, on one page
    for row in rows:
        # at most two lines of text (plus the row's padding and rule), whatever the comment's length
        assert row["height"] <= 2 * row["line"] + 12, row
        assert re.match(r"#\d+", row["text"].strip()), row  # its number
        assert row["stance"], row  # its stance
        assert row["check"] and row["check"]["width"] > 0, row  # its checkbox
        assert row["fix"] and row["fix"]["right"] <= width, row  # its 更正 link, in view
        if viewport == PHONE:
            assert row["fix"]["height"] >= 40, row  # big enough to tap
    assert no_horizontal_scroll(page)
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, f"workspace-point-{width}")

    # The controls still work: tick two members and split them off as a new point. A ticked
    # member shows its whole text (one reads what one is about to split).
    members = page.locator("ol.members input[name=members]")
    first = members.nth(0).get_attribute("value")
    texts = page.locator("ol.members .member-text")
    clipped = [i for i in range(texts.count()) if texts.nth(i).evaluate(CLIPPED)]
    if viewport == PHONE:
        assert clipped  # some comment is longer than two lines at 360 px
    for i in clipped[:1]:
        members.nth(i).check()
        assert not texts.nth(i).evaluate(CLIPPED)
        members.nth(i).uncheck()
    members.nth(0).check()
    members.nth(1).check()
    page.get_by_label("新观点的名称").fill(f"拆出的观点{width}")
    page.get_by_role("button", name="把勾选的意见拆分为新观点").click()
    page.get_by_role("status").filter(has_text="已保存").wait_for(timeout=60_000)
    assert page.locator(f"ol.members input[value='{first}']").count() == 0


def test_a_held_comment_and_its_form_read_as_one_item_and_the_log_fits_a_phone(
    workspace: Workspace,
    new_context: Any,
    axe_source: str,
    signed_in: dict[str, Any],
) -> None:
    site = workspace.site
    held = [
        post(site, SEVENTH, f"第七条的充电设施要有人管，我是{n}号楼的住户，电话1390000{n:04d}。")
        for n in (11, 12)
    ]
    page = open_page(workspace, new_context, PHONE, "版式戊", signed_in)
    page.goto(f"{site.url}/drafter/drafts/{site.slug}/moderation")
    item = page.locator(".moderate-item").filter(has=page.locator(f"#c{held[0]['id']}"))
    form = item.locator("form")
    publish = form.get_by_role("button", name="公开").bounding_box()
    hide = form.get_by_role("button", name="隐藏").bounding_box()
    assert publish and hide
    assert hide["x"] - (publish["x"] + publish["width"]) >= 6  # two buttons, not one
    # the rule that ends an item comes after its form, before the next comment
    following = item.locator("xpath=following-sibling::*[1]").bounding_box()
    box, form_box = item.bounding_box(), form.bounding_box()
    assert box and form_box and following
    assert form_box["y"] + form_box["height"] <= box["y"] + box["height"] <= following["y"]
    assert page.evaluate(
        "e => parseFloat(getComputedStyle(e).borderBottomWidth)", item.element_handle()
    )

    # publish, not hide: the other modules count the hidden comments
    form.get_by_label("处理理由").fill("电话号码是本人留的，内容与第七条有关，予以公开")
    form.get_by_role("button", name="公开").click()
    page.get_by_role("status").filter(has_text="已处理").wait_for()
    assert page.get_by_role("table").get_by_role("row").count() >= 2  # the log has a row now
    for scroll, client in page.evaluate(SCROLLS, ".table-wrap, table.stack"):
        assert scroll <= client, (scroll, client)
    assert no_horizontal_scroll(page)
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, "workspace-moderation-360", full_page=True)


def test_the_admin_tables_fit_a_phone(workspace: Workspace, new_context: Any) -> None:
    site = workspace.site
    password, _ = drafter(site, "版式管理员", admin=True)
    page = new_context(PHONE).new_page()
    log_in(site, page, "版式管理员", password)
    for path in ("/drafter/admin/drafters", "/drafter/admin/audit"):
        page.goto(site.url + path)
        for scroll, client in page.evaluate(SCROLLS, ".table-wrap, table.stack"):
            assert scroll <= client, (path, scroll, client)
        assert no_horizontal_scroll(page), path
    page.goto(site.url + "/drafter/admin/drafters")
    reset = page.get_by_role("button", name="重置密码和令牌")
    buttons = page.evaluate(
        """() => [...document.querySelectorAll('table.stack tr')].slice(1, 4).map(tr =>
            [...tr.querySelectorAll('button')].map(b => {
                const r = b.getBoundingClientRect();
                return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                        height: r.height, font: parseFloat(getComputedStyle(b).fontSize)};
            }))"""
    )
    assert reset.count() >= 1 and buttons
    for pair in buttons:
        for b in pair:
            assert b["height"] < 3.5 * b["font"], b  # its words on one line
        a, b = pair
        apart = b["left"] - a["right"] >= 4 or b["top"] - a["bottom"] >= 4
        assert apart, pair  # two buttons that do not touch
    shot(page, "workspace-admin-360", full_page=True)


def test_filter_fields_line_up_and_workspace_links_are_big_enough_to_tap(
    workspace: Workspace, new_context: Any, signed_in: dict[str, Any]
) -> None:
    url = f"{workspace.site.url}/drafter/drafts/{workspace.site.slug}/comments"
    page = open_page(workspace, new_context, DESKTOP, "版式己", signed_in)
    page.goto(url)
    fields = page.evaluate(
        """() => [...document.querySelectorAll('.filters .field')].map(f => {
            const label = f.querySelector('label').getBoundingClientRect();
            const control = f.querySelector('input, select').getBoundingClientRect();
            return [Math.round(label.top), Math.round(control.top), Math.round(control.bottom)];
        })"""
    )
    assert len(fields) == 5 and len({tuple(f) for f in fields}) == 1, fields  # one row, level
    button = page.locator(".filters > button").bounding_box()
    assert button and abs(button["y"] + button["height"] - fields[0][2]) <= 1

    page = open_page(workspace, new_context, PHONE, "版式庚", signed_in)
    page.goto(url)
    heights = page.evaluate(
        """() => [...document.querySelectorAll(
                '.drafter-bar a, .drafter-bar button, .drafter-nav a, .pager a')]
            .map(a => [a.textContent.trim(), a.getBoundingClientRect().height])"""
    )
    assert len(heights) >= 9
    for name, height in heights:
        assert height >= 40, (name, height)
    filters = page.locator("form.filters").bounding_box()
    assert filters and filters["height"] < 0.6 * PHONE["height"]  # the list starts on screen one
