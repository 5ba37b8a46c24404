"""JavaScript off: the table of contents, the comment form and the receipt all still work."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.conftest import PHONE, Site, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

TENTH = "第三章/第十条"


def test_without_javascript_the_form_posts_and_redirects_to_the_receipt(
    site: Site, new_context: Any
) -> None:
    page = new_context(PHONE, java_script_enabled=False, reduced_motion="reduce").new_page()
    page.goto(f"{site.url}/drafts/{site.slug}")
    assert page.locator("template#comment-form-template").count() == 1
    toc = page.get_by_role("navigation", name="目录")
    toc.get_by_text("第九条至第十二条").click()  # <details> opens without script
    toc.get_by_role("link", name="第十条", exact=True).click()
    page.wait_for_url(re.compile(r"%E7%AC%AC%E5%8D%81%E6%9D%A1$"))

    page.locator(f'a.comment-link[data-clause="{TENTH}"]').click()
    page.wait_for_url(re.compile(r"/comment\?clause="))
    assert page.locator(".inline-form").count() == 0
    assert "禁止在下列区域停放电动自行车" in page.locator("blockquote.quote").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "对“第十条”提意见"

    # Whitespace passes the browser's `required` check; the server refuses it and keeps the rest.
    page.get_by_label("您的意见").fill("   ")
    page.get_by_label("所在地区").fill("某区")
    page.get_by_role("button", name="提交意见").click()
    assert page.get_by_role("alert").inner_text().startswith("意见内容不能为空")
    assert page.get_by_label("所在地区").input_value() == "某区"

    page.get_by_label("您的意见").fill("没有脚本也能提交：建议增加充电柜。")
    page.get_by_label("提交者类型").select_option("企业")
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_url(re.compile(r"/receipts/[0-9A-Z]{6}-[0-9A-Z]{6}\?new=1$"))
    assert "已提交并保存" in page.get_by_role("status").inner_text()
    assert "没有脚本也能提交：建议增加充电柜。" in page.locator(".comment-body").inner_text()
    assert no_horizontal_scroll(page)
    shot(page, "nojs-receipt")

    page.get_by_role("link", name="某市电动自行车停放充电管理条例").click()
    assert page.url.endswith("#" + quote(TENTH))


def test_without_javascript_the_receipt_lookup_explains_a_bad_number(
    site: Site, new_context: Any
) -> None:
    page = new_context(PHONE, java_script_enabled=False).new_page()
    page.goto(site.url + "/receipts")
    page.get_by_label("回执编号").fill("12")
    page.get_by_role("button", name="查询").click()
    assert "回执编号格式不正确" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("回执编号").get_attribute("aria-invalid") == "true"
