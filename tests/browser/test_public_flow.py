"""A member of the public, on a phone and on a desktop: open the draft, jump to 第十条 from the
table of contents, comment on it in place, get the receipt, look it up."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Site, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

TENTH = "第三章/第十条"


def in_viewport(page: Any, selector: str) -> bool:
    return bool(
        page.locator(selector).evaluate(
            "el => { const r = el.getBoundingClientRect();"
            " return r.top >= -1 && r.top < window.innerHeight; }"
        )
    )


@pytest.mark.parametrize("name,viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_public_comments_on_article_ten_and_looks_up_the_receipt(
    site: Site, new_context: Any, name: str, viewport: dict[str, int]
) -> None:
    context = new_context(viewport, reduced_motion="reduce")
    page = context.new_page()
    page.goto(site.url + "/")
    page.get_by_role("link", name="某市电动自行车停放充电管理条例").click()
    page.wait_for_url(re.compile(r"/drafts/diandongche$"))
    assert no_horizontal_scroll(page)
    shot(page, f"{name}-1-draft")

    toc = page.get_by_role("navigation", name="目录")
    toc.get_by_text("第九条至第十二条").click()
    toc.get_by_role("link", name="第十条", exact=True).click()
    page.wait_for_url(
        re.compile("#" + re.escape("%E7%AC%AC%E4%B8%89%E7%AB%A0/%E7%AC%AC%E5%8D%81%E6%9D%A1"))
    )
    clause = page.locator(f'[id="{TENTH}"]')
    assert in_viewport(page, f'[id="{TENTH}"]')
    assert "禁止在下列区域停放电动自行车" in clause.inner_text()

    link = clause.locator(f'a.comment-link[data-clause="{TENTH}"]')
    count = clause.locator(".clause-bar .count").first
    before = int(re.sub(r"\D", "", count.inner_text()))
    link.click()
    form = clause.locator(".inline-form form")
    assert form.is_visible()
    assert link.get_attribute("aria-expanded") == "true"
    body = form.get_by_label("您的意见")
    assert body.evaluate("el => el === document.activeElement")
    text = f"建议在第十条增加“地下车库”（{name}）。"
    body.fill(text)
    assert form.locator(".char-count").inner_text() == f"已写 {len(text)} / 5000 字"
    form.get_by_label("提交者类型").select_option("个人")
    form.get_by_label("所在地区").fill("某区")
    shot(page, f"{name}-2-form")
    form.get_by_role("button", name="提交意见").click()

    sent = clause.locator(".notice.ok")
    sent.wait_for()
    assert "意见已提交并保存" in sent.inner_text()
    assert not clause.locator(".inline-form").count()
    receipt = sent.locator("a.receipt").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{6}-[0-9A-Z]{6}", receipt)
    assert int(re.sub(r"\D", "", count.inner_text())) == before + 1
    assert link.evaluate("el => el === document.activeElement"), "focus returns to the clause"
    assert page.url.endswith("%E7%AC%AC%E5%8D%81%E6%9D%A1"), "no page reload, no navigation"
    shot(page, f"{name}-3-sent")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="查询回执").click()
    page.get_by_label("回执编号").fill(receipt.lower().replace("-", ""))
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(f"/receipts/{receipt}$"))
    assert page.locator("#receipt-number").inner_text() == receipt
    assert text in page.locator(".comment-body").inner_text()
    assert "第十条" in page.get_by_text("针对").locator("..").inner_text()
    assert no_horizontal_scroll(page)
    shot(page, f"{name}-4-receipt")
    assert context.problems == []


def test_each_inline_form_is_a_new_comment_and_a_held_one_says_so_without_counting(
    site: Site, new_context: Any
) -> None:
    from sqlalchemy import create_engine, text

    page = new_context(PHONE).new_page()
    page.goto(f"{site.url}/drafts/{site.slug}")
    clause = page.locator(f'[id="{TENTH}"]')
    link = clause.locator(f'a.comment-link[data-clause="{TENTH}"]')
    count = clause.locator(".clause-bar .count").first
    keys = []
    for body in ("建议写明充电时段。", "请联系我 13812345678，我有具体方案。"):
        link.click()
        form = clause.locator(".inline-form form")
        keys.append(form.locator("input[name=idempotency_key]").input_value())
        form.get_by_label("您的意见").fill(body)
        before = count.inner_text()
        form.get_by_role("button", name="提交意见").click()
        clause.locator(".inline-form").wait_for(state="detached")  # answered: the form is gone
    assert keys[0] != keys[1]  # two comments, two keys: a retry never mixes them up
    note = clause.locator(".notice.ok").first.inner_text()
    assert "待人工审核后公开" in note  # the phone number holds it, and the page says so
    assert count.inner_text() == before  # ... and does not count it as published
    engine = create_engine(site.db_url)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT idempotency_key FROM comment ORDER BY id DESC LIMIT 2")
        ).scalars()
        assert sorted(stored) == sorted(keys)
    engine.dispose()

    # A text pasted over the limit is kept whole: the counter says how much is over.
    link.click()
    form = clause.locator(".inline-form form")
    form.get_by_label("您的意见").fill("长" * 5010)
    assert form.get_by_label("您的意见").input_value() == "长" * 5010
    assert "超出 10 字，请删减" in form.locator(".char-count").inner_text()
    form.get_by_role("button", name="提交意见").click()
    error = form.locator(".notice.error")
    error.wait_for()
    assert "5000" in error.inner_text()
    assert form.get_by_label("您的意见").input_value() == "长" * 5010  # nothing lost
