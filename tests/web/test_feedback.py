"""The public feedback report: only what was published, and the same figures on every surface —
the page, feedback.md, feedback.docx, the drafters' copies and the public export."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter

import docx
import pytest

from tests.drafter_helpers import (  # noqa: F401
    ORG,
    fast_password_hashing,
    log_in,
    make_account,
    publish_feedback,
)
from tests.web.drafter.test_digest import SLUG, analysed, decide_all  # noqa: F401

pytestmark = pytest.mark.anyio

HEADER = ["序号", "意见要点", "意见数", "处理结果", "理由"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def page_tables(page: str) -> dict[str, list[list[str]]]:
    """Clause title → the rows of its table, from the HTML page."""
    found = re.findall(
        r'<h3 id="c-\d+">(.*?)</h3>\s*<div[^>]*><table class="feedback[^"]*"[^>]*>(.*?)</table>',
        page,
        re.S,
    )
    return {
        _plain(title): [
            [_plain(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        ][1:]
        for title, body in found
    }


def markdown_tables(text: str) -> dict[str, list[list[str]]]:
    tables: dict[str, list[list[str]]] = {}
    title = None
    for line in text.splitlines():
        if line.startswith("### "):
            title = line[4:]
            tables[title] = []
        elif line.startswith("## "):
            title = None
        elif title and line.startswith("| ") and not line.startswith("| 序号"):
            cells = [
                html.unescape(re.sub(r"\\(.)", r"\1", c)).strip() for c in line[1:-1].split(" | ")
            ]
            tables[title].append(cells)
    return tables


def docx_tables(content: bytes) -> tuple[list[str], dict[str, list[list[str]]]]:
    document = docx.Document(io.BytesIO(content))
    titles = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    tables = [t for t in document.tables if [c.text for c in t.rows[0].cells] == HEADER]
    paragraphs = [p.text for p in document.paragraphs]
    rows = {
        title: [[c.text for c in row.cells] for row in table.rows[1:]]
        for title, table in zip(titles, tables, strict=True)
    }
    return paragraphs, rows


def spaced(rows: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """The .docx writes "4（含批量提交3条）" where the page writes "4（含批量提交 3 条）"."""
    return {k: [[c.replace(" ", "") for c in r] for r in v] for k, v in rows.items()}


@pytest.fixture
async def published(client, analysed):  # noqa: F811
    # One more comment that nobody decides on: still under study, never silently dropped.
    r = await client.post(
        f"/api/drafts/{SLUG}/comments",
        json={"clause": "第一章/第二条/第一款", "body": "车位太少。"},
    )
    assert r.status_code == 201
    await decide_all(client, analysed)
    assert (await publish_feedback(client, analysed["csrf"], SLUG)).status_code == 303
    return analysed


async def test_page_markdown_and_word_file_give_the_same_figures(client, published):
    page = (await client.get(f"/drafts/{SLUG}/feedback")).text
    markdown = (await client.get(f"/drafts/{SLUG}/feedback.md")).text
    word = await client.get(f"/drafts/{SLUG}/feedback.docx")
    assert word.headers["content-type"] == DOCX
    assert word.headers["content-disposition"] == f'attachment; filename="{SLUG}-feedback.docx"'
    paragraphs, word_rows = docx_tables(word.content)

    totals = re.search(r"共收到意见\d+条，去除重复后\d+条；[^。<]+。", _plain(page))
    assert totals
    sentence = totals.group(0)
    # 7 published before, 1 more since; one campaign of 3 collapsed: 8 received, 6 after that.
    assert sentence == (
        "共收到意见8条，去除重复后6条；采纳1条、部分采纳1条、不予采纳4条、另行研究1条；"
        "另有1条意见（1个意见要点）尚在研究，处理结果将另行公布。"
    )
    assert sentence in markdown and any(sentence in p for p in paragraphs)

    rows = page_tables(page)
    assert list(rows) == ["总体意见", "第一条", "第二条第二款"]
    assert rows["第二条第二款"] == [
        [
            "1",
            "坚决反对由业主大会定价",
            "4（含批量提交 3 条）",
            "不予采纳",
            "收费标准由业主共同决定符合《民法典》规定。",
        ]
    ]
    assert markdown_tables(markdown) == rows
    assert spaced(word_rows) == spaced(rows)
    # Decided comments plus those under study are every comment received.
    decided = sum(int(r[2].split("（")[0]) for v in rows.values() for r in v)
    assert decided + 1 == 8
    assert "| 尚在研究 | 1 | 1 |" in markdown and "| 第二条第一款 | 1 | 1 |" in markdown


async def test_the_drafters_copies_and_the_public_export_count_as_the_report_does(
    client, published
):
    public_md = (await client.get(f"/drafts/{SLUG}/feedback.md")).text
    own_md = (await client.get(f"/drafter/drafts/{SLUG}/export/feedback.md")).text
    assert own_md == public_md  # nothing changed since publishing
    own_docx = await client.get(f"/drafter/drafts/{SLUG}/export/feedback.docx")
    assert own_docx.headers["content-disposition"].endswith('-feedback.docx"')
    public_docx = (await client.get(f"/drafts/{SLUG}/feedback.docx")).content
    assert docx_tables(own_docx.content) == docx_tables(public_docx)
    export = await client.get(f"/drafter/drafts/{SLUG}/export/public-comments.csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    per_outcome = Counter(r["处理结果"] for r in rows if r["处理结果"])
    assert per_outcome == {"采纳": 1, "部分采纳": 1, "不予采纳": 4, "另行研究": 1}
    assert f"采纳{per_outcome['采纳']}条、部分采纳{per_outcome['部分采纳']}条" in public_md


async def test_the_report_reads_as_offices_publish_it(client, published):
    markdown = (await client.get(f"/drafts/{SLUG}/feedback.md")).text
    assert markdown.startswith("# 《社区停车管理办法（征求意见稿）》意见采纳情况说明\n")
    assert "关于关于" not in markdown and "→" not in markdown and "— " not in markdown
    assert "第一章/" not in markdown  # clauses by citation, never by internal key
    assert "| 1 | 建议将“住宅小区”改为“住宅小区和老旧小区” | 1 | 部分采纳 |" in markdown
    page = (await client.get(f"/drafts/{SLUG}/feedback")).text
    assert "<h1>《社区停车管理办法（征求意见稿）》意见采纳情况说明</h1>" in page
    assert 'href="/drafts/tingche/feedback.docx"' in page
    assert "13800001111" not in page + markdown


@pytest.mark.parametrize("suffix", ["", ".md", ".docx"])
async def test_before_any_publication_every_surface_says_it_is_not_published_yet(
    client,
    analysed,  # noqa: F811
    suffix,
):
    await decide_all(client, analysed)  # recorded, not published
    r = await client.get(f"/drafts/{SLUG}/feedback{suffix}")
    assert r.status_code == 404
    assert "尚未发布意见采纳情况" in r.text
    assert "已在第一条中明确包括老旧小区" not in r.text


@pytest.mark.parametrize("suffix", ["", ".md", ".docx"])
async def test_an_unknown_draft_has_no_feedback_report(client, suffix):
    r = await client.get(f"/drafts/nope/feedback{suffix}")
    assert r.status_code == 404 and "没有找到这份草案" in r.text
