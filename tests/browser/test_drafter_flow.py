"""A drafter logs in, reads the digest, hides a spam comment, records a decision, publishes it,
downloads the Markdown; the public feedback report then shows the decision."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import DESKTOP, ORGANISATION, Site, describe, run_axe, shot

pytestmark = pytest.mark.browser

TENTH = "第三章/第十条"
SPAM = "加微信 abc12345 领取优惠券，日赚500"


def post(site: Site, clause: str | None, body: str) -> dict[str, Any]:
    r = httpx.post(
        f"{site.url}/api/drafts/{site.slug}/comments", json={"clause": clause, "body": body}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def log_in(site: Site, page: Any, name: str) -> None:
    out = site.cli("add-drafter", name, "--organisation", ORGANISATION)
    password = re.search(r"password: (\S+)", out)
    assert password, out
    page.goto(site.url + "/")
    page.get_by_role("link", name="起草单位").click()
    page.get_by_role("heading", name="起草单位登录").wait_for()  # the login form, in place
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password.group(1))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/drafter$"))


def test_drafter_reads_digest_hides_spam_decides_and_the_report_shows_it(
    site: Site, new_context: Any, axe_source: str
) -> None:
    kept = post(site, TENTH, "建议第十条把地下车库也列为禁止充电的区域。")
    post(site, TENTH, "地下车库充电风险很大，建议第十条写明禁止。")
    spam = post(site, "第一章/第一条", SPAM)

    context = new_context(DESKTOP, accept_downloads=True)
    page = context.new_page()
    log_in(site, page, "起草人甲")
    context.problems.clear()  # the login form comes with a 401 status, as it should
    page.get_by_role("link", name=re.compile("某市电动自行车停放充电管理条例")).first.click()
    page.get_by_role("navigation", name="草案工作区").get_by_role("link", name="意见汇总").click()
    page.get_by_role("heading", name="意见汇总分析", level=1).wait_for(timeout=60_000)
    assert "第十条" in page.locator("main").inner_text()
    shot(page, "drafter-digest")

    nav = page.get_by_role("navigation", name="草案工作区")
    nav.get_by_role("link", name="待审核").click()
    row = page.locator(f"#c{spam['id']}")
    assert SPAM in row.inner_text()
    form = row.locator("xpath=following-sibling::form[1]")
    form.get_by_label("处理理由").fill("广告，与草案无关")
    form.get_by_role("button", name="隐藏").click()
    page.get_by_role("status").filter(has_text="已处理").wait_for()
    hidden = page.get_by_role("heading", name=re.compile(r"已隐藏（1）"))
    assert hidden.is_visible()
    public = httpx.get(f"{site.url}/receipts/{spam['receipt']}").text
    assert "未公开" in public

    nav.get_by_role("link", name="采纳决定").click()
    page.get_by_label("意见编号（#）").fill(str(kept["id"]))
    page.get_by_label("处理结果", exact=True).last.select_option("采纳")
    page.locator("#one-reason").fill("已在第十条第一款增加“地下车库”。")
    page.locator("#one-reason").locator("xpath=ancestor::form").get_by_role(
        "button", name="记录决定"
    ).click()
    page.get_by_role("status").filter(has_text="决定已记录").wait_for()
    # Recorded decisions are internal; the second step makes them public.
    assert httpx.get(f"{site.url}/drafts/{site.slug}/feedback").status_code == 404
    page.get_by_role("button", name="发布采纳情况").click()
    page.get_by_role("status").filter(has_text="已发布意见采纳情况").wait_for()

    nav.get_by_role("link", name="导出").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="digest.md").click()
    markdown = Path(info.value.path()).read_text(encoding="utf-8")
    assert "第十条" in markdown
    assert SPAM not in markdown, "the hidden comment stays out of the digest"

    page.goto(f"{site.url}/drafts/{site.slug}/feedback")
    report = page.locator("main").inner_text()
    assert "第十条" in report and "已在第十条第一款增加“地下车库”。" in report
    assert "采纳" in report
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
    assert context.problems == []


def test_digest_page_has_no_serious_axe_violations(
    site: Site, new_context: Any, axe_source: str
) -> None:
    post(site, "第二章/第六条", "建议明确选址需征得业主同意。")
    page = new_context(DESKTOP).new_page()
    log_in(site, page, "起草人乙")
    page.goto(f"{site.url}/drafter/drafts/{site.slug}/digest")
    page.get_by_role("heading", name="意见汇总分析", level=1).wait_for(timeout=60_000)
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)
