"""A drafter corrects a comment's stance and renames a point, on a desktop and on a phone; the
pages pass axe and the digest shows the person's values."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import DESKTOP, PHONE, Site, describe, run_axe, shot
from tests.browser.test_drafter_flow import log_in, post

pytestmark = pytest.mark.browser

TENTH = "第三章/第十条"
BODIES = [
    "地下车库里给电动自行车充电风险很大，建议第十条写明禁止。",
    "地下车库充电容易起火，第十条应当明确禁止在地下车库充电。",
    "建议第十条把楼道也列为禁止充电的区域。",
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_drafter_corrects_a_comment_and_renames_a_point(
    site: Site, new_context: Any, axe_source: str, viewport: dict[str, int]
) -> None:
    ids = [post(site, TENTH, body)["id"] for body in BODIES]
    context = new_context(viewport)
    page = context.new_page()
    log_in(site, page, f"更正人{viewport['width']}")
    context.problems.clear()

    page.goto(f"{site.url}/drafter/drafts/{site.slug}/comments/{ids[0]}")
    page.get_by_role("heading", name=re.compile("更正意见"), level=1).wait_for(timeout=60_000)
    page.get_by_label("立场").select_option("oppose")
    page.get_by_role("button", name="保存更正").click()
    page.get_by_role("status").filter(has_text="已保存更正").wait_for()
    assert "人工确认" in page.locator("main").inner_text()
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, f"correct-comment-{viewport['width']}", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

    page.goto(f"{site.url}/drafter/drafts/{site.slug}/clause/{TENTH}")
    tools = page.locator("details.point-tools").first
    tools.locator("summary").click()
    name = tools.get_by_label("名称")
    name.fill("充电桩应远离住宅楼")
    tools.get_by_role("button", name="改名").click()
    page.get_by_role("heading", name=re.compile("充电桩应远离住宅楼")).first.wait_for()
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, f"clause-after-rename-{viewport['width']}", full_page=True)

    page.locator("details.point-tools summary").first.click()
    page.get_by_role("link", name="拆分或移出意见……").first.click()
    page.get_by_role("heading", name=re.compile("观点：充电桩应远离住宅楼"), level=1).wait_for()
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    shot(page, f"point-{viewport['width']}", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert context.problems == []
    listed = httpx.get(f"{site.url}/api/drafts/{site.slug}/digest")
    assert listed.status_code == 401  # the digest stays the drafters'
