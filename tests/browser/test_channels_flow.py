"""A drafter imports an e-mail and a spreadsheet through the page, confirms a clause in the
queue and reads the message whole; every page passes axe and fits a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Site, describe, run_axe, shot
from tests.browser.test_drafter_flow import log_in
from tests.channels.test_intake import eml

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_drafter_imports_mail_and_a_sheet_and_confirms_a_clause(
    site: Site, new_context: Any, axe_source: str, viewport: dict[str, int], tmp_path: Path
) -> None:
    width = viewport["width"]
    mail = tmp_path / f"m{width}.eml"
    mail.write_bytes(
        eml(
            "您好：\n一、关于第十条，建议把地下车库也列为禁止充电的区域。\n"
            "二、关于第六条，充电设施选址应征得业主同意。\n市民张三",
            ident=f"<flow{width}@example.cn>",
        )
    )
    sheet = tmp_path / f"s{width}.csv"
    sheet.write_text(
        "提出单位,意见内容\n市消防救援支队,总体赞成，没有其他意见。\n", encoding="utf-8"
    )
    context = new_context(viewport)
    page = context.new_page()
    log_in(site, page, f"收文员{width}")
    context.problems.clear()
    page.goto(f"{site.url}/drafter/drafts/{site.slug}/intake")
    page.get_by_label("选择文件（可多选）").set_input_files([str(mail), str(sheet)])
    page.get_by_role("button", name="导入").click()
    status = page.get_by_role("status").filter(has_text="共导入")
    status.wait_for()
    assert "共导入 3 条意见" in status.inner_text()
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, f"intake-{width}", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    page.get_by_role("link", name=re.compile("待确认条款")).first.click()
    page.get_by_role("heading", name=re.compile("待确认条款"), level=1).wait_for(timeout=60_000)
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, f"unassigned-{width}", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    page.goto(f"{site.url}/drafter/drafts/{site.slug}/intake")
    page.get_by_role("link", name="对停车办法的意见").first.click()
    page.get_by_role("heading", name="对停车办法的意见", level=1).wait_for()
    assert page.get_by_text("地下车库也列为禁止充电").first.is_visible()
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, f"message-{width}", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert context.problems == []
