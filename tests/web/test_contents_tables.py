"""Public draft page: the contents in document order; table category rows; wide tables."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session

from comments import period, storage
from comments.drafts import parse_text

pytestmark = pytest.mark.anyio

SOURCE = (
    "关于推进停车管理的实施意见（征求意见稿）\n"
    "一、主要任务\n"
    "（一）建设停车设施\n"
    "1.增加公共车位。新建一批公共停车场。\n"
    "2.推广错时共享。鼓励单位车位错时开放。\n"
    "专栏1 停车设施建设工程\n"
    "1.城区停车场。建设城区停车场。\n"
    "（二）完善管理\n"
    "3.规范收费。停车收费实行明码标价。\n"
    "指标\t2015年\t2020年\n"
    "停车设施\t\t\n"
    "1. 公共车位(万个)\t3\t8\n"
    "2. 共享车位(万个)\t1\t4\n"
)


@pytest.fixture
def plan(engine):
    with Session(engine) as session:
        storage.import_draft(
            session=session,
            tree=parse_text(SOURCE),
            source_name="plan.txt",
            slug="plan",
            deadline=period.today_in("Asia/Shanghai") + timedelta(days=5),
        )


def toc_of(html: str) -> str:
    return html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]


async def test_the_contents_list_a_box_after_the_items_before_it(client, plan):
    toc = toc_of((await client.get("/drafts/plan")).text)
    entries = re.findall(r'<a href="#([^"]+)">', toc)
    section = [k for k in entries if k.startswith("一/（一）/") and k.count("/") == 2]
    box = next(k for k in entries if k.startswith("专栏1"))
    assert section, entries
    assert entries.index(box) > max(entries.index(k) for k in section)
    assert entries.index(box) < entries.index(next(k for k in entries if "（二）" in k))


async def test_a_table_category_row_spans_the_table_and_has_no_comment_link(client, plan):
    html = (await client.get("/drafts/plan")).text
    category = re.search(r'<tr id="([^"]+)" class="category">(.*?)</tr>', html, re.S)
    assert category is not None
    assert '<th scope="rowgroup" colspan="3">停车设施</th>' in category.group(2)
    assert "提意见" not in category.group(2)
    key = category.group(1)
    data_rows = re.findall(r'<tr id="([^"]+)">(.*?)</tr>', html, re.S)
    assert len(data_rows) == 2 and all("提意见" in row for _, row in data_rows)
    # The row is still a clause: a comment already sent to it shows its count.
    posted = await client.post(
        "/api/drafts/plan/comments", json={"clause": key, "body": "分类不清楚"}
    )
    assert posted.status_code == 201
    html = (await client.get("/drafts/plan")).text
    assert f'href="#{key}">1</a>' in html


async def test_wide_tables_scroll_on_a_phone_instead_of_squeezing(client):
    css = (await client.get("/static/site.css")).text
    # Every phone block of the style sheet, wherever it stands.
    phone = "\n".join(b.split("\n}", 1)[0] for b in css.split("@media (max-width: 40rem)")[1:])
    assert re.search(r"\.table-wrap th, \.table-wrap td \{ min-width: \d+em; \}", phone)
    assert re.search(r"^\.table-wrap \{ overflow-x: auto;", css, re.M)
