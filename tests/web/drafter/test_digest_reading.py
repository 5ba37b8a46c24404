"""The digest reads right on the example draft: clauses cited by label and heading (its keys hold
'/': "二/（二）/5"), the clause map with its legend and a name for every cell, the ranking by
comments."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlmodel import Session

from analysis import Tally
from comments import storage
from comments.seed import EXAMPLE_SLUG, load_example_if_empty
from comments.web.drafter import clause_map
from tests.drafter_helpers import fast_password_hashing, log_in, make_account  # noqa: F401

pytestmark = pytest.mark.anyio

FIFTH = "二/（二）/5"  # 5.优化升级宽带网络。
LETTER = (
    "尊敬的领导：我们小区从交房开始就只有一家运营商能进，宽带又贵又慢，"
    "建议在第5条写明保障住宅小区用户自由选择电信业务经营者的权利。"
)
COMMENTS = [
    *[(FIFTH, f"{LETTER}（业主{i}）") for i in range(8)],  # one campaign: 8 comments, 1 distinct
    (FIFTH, "农村的网速太慢了，50M 根本不够用，反对只在城里提速。"),
    *[
        ("三/（二）/23", body)
        for body in (
            "建议公开企业排污的在线监测数据。",
            "数字城管和智慧社区要融合，支持。",
            "信访大数据分析会不会泄露个人信息？",
            "坚决反对用网格化管理代替社区自治。",
        )
    ],
    ("一/（二）/第一点", "统筹推进写得太空泛，反对这样表述。"),
    ("一/（一）", "指导思想部分支持。"),
    (None, "整体支持这个实施意见。"),
]


class Page(HTMLParser):
    """What a reader sees: text and accessible names, and the clause map's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.names: list[str] = []
        self.cells: list[dict[str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style"):
            self.skip += 1
        self.names += [a[k] for k in ("aria-label", "title", "alt") if k in a]
        if tag == "a" and "cell" in a.get("class", "").split():
            self.cells.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)

    @property
    def seen(self) -> str:
        return "\n".join([*self.text, *self.names])


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.fixture
async def example(client, engine, app, settings):
    assert load_example_if_empty(engine, settings) == EXAMPLE_SLUG
    for clause, body in COMMENTS:
        r = await client.post(
            f"/api/drafts/{EXAMPLE_SLUG}/comments", json={"clause": clause, "body": body}
        )
        assert r.status_code == 201, r.text
    account = make_account(engine, "审阅人")
    await log_in(client, account)
    with Session(engine) as session:
        draft = storage.draft_by_slug(session, EXAMPLE_SLUG)
    # Computed now, so the pages show the digest rather than its progress.
    digest = app.state.comments.digests.get(draft).digest
    return {"digest": digest, "account": account}


def keys_with_a_slash(digest) -> list[str]:
    keys = [s.key for s in digest.sections if "/" in s.key]
    assert FIFTH in keys
    return keys


async def test_overview_cites_every_clause_by_label_and_heading_never_by_key(client, example):
    page = read((await client.get(f"/drafter/drafts/{EXAMPLE_SLUG}/digest")).text)
    for key in keys_with_a_slash(example["digest"]):
        assert key not in page.seen, key
    assert "第5条 优化升级宽带网络" in page.text
    assert "（二）基本方针 第二点：创新驱动" in page.seen  # an uncommented bullet, by its words


async def test_clause_page_is_headed_by_the_clause_and_its_parents_not_its_key(client, example):
    r = await client.get(f"/drafter/drafts/{EXAMPLE_SLUG}/clause/{FIFTH}")
    assert r.status_code == 200
    page = read(r.text)
    for key in keys_with_a_slash(example["digest"]):
        assert key not in page.seen, key
    assert re.search(r"<h1>第5条 优化升级宽带网络</h1>", r.text)
    assert "<title>第5条 优化升级宽带网络 · 意见汇总" in r.text
    assert (
        "二、大力增强信息化发展能力" in page.text and "（二）夯实基础设施,强化普遍服务" in page.text
    )


async def test_digest_md_cites_clauses_by_label_and_heading_and_names_campaigns(client, example):
    r = await client.get(f"/api/drafts/{EXAMPLE_SLUG}/digest.md", headers=example["account"].bearer)
    assert r.status_code == 200
    text = r.text
    for key in keys_with_a_slash(example["digest"]):
        assert key not in text, key
    assert "## 第5条\u3000优化升级宽带网络\n" in text
    assert "| 第5条\u3000优化升级宽带网络 | 9 | 2 |" in text
    assert "- **批量 A**：8 条内容基本相同" in text


async def test_the_map_has_a_legend_and_names_every_cell(client, example):
    html = (await client.get(f"/drafter/drafts/{EXAMPLE_SLUG}/digest")).text
    page = read(html)
    legend = re.search(r'<ul class="map-legend"[^>]*>(.*?)</ul>', html, re.S)
    assert legend is not None
    for _tone, words in clause_map.LEGEND:
        assert words in legend.group(1)
    assert 46 < len(page.cells) < 83  # 46 numbered clauses and some more, not the empty parts
    for cell in page.cells:
        name = cell.get("aria-label", "")
        assert re.fullmatch(r"[^/]+：(\d+ 条意见[^：]*|未收到意见)", name), name
        assert cell["class"].split()[1] in {tone for tone, _ in clause_map.LEGEND}
    by_name = {c["aria-label"].rsplit("：", 1)[0]: c for c in page.cells}
    fifth = by_name["第5条 优化升级宽带网络"]
    assert re.fullmatch(
        r"第5条 优化升级宽带网络：9 条意见，支持 \d+%，反对 \d+%", fifth["aria-label"]
    )
    assert "few" in by_name["（二）基本方针 第一点：统筹推进"]["class"]  # one comment: no lean
    assert "silent" in by_name["第4条 统筹规划基础设施布局"]["class"]


async def test_the_ranking_lists_clauses_by_comments_with_distinct_ones_in_a_column(
    client, example
):
    html = (await client.get(f"/drafter/drafts/{EXAMPLE_SLUG}/digest")).text
    table = re.search(r'<table class="figures ranking[^"]*"[^>]*>(.*?)</table>', html, re.S)
    assert table is not None
    rows = [read(row).text for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]]
    cells = [[t.strip() for t in row if t.strip()] for row in rows]
    assert cells[0][:3] == ["第5条 优化升级宽带网络", "9", "2"]  # 9 comments, 2 distinct
    assert cells[1][:3] == ["第23条 提高社会治理能力", "4", "4"]
    assert 'role="region"' in html and 'tabindex="0"' in html  # the scrolling wrapper is reachable


def test_a_cell_leans_by_oppose_minus_support_and_too_few_comments_show_as_such() -> None:
    def tone(**stance: int) -> str:
        return clause_map.tone(Tally(comments=sum(stance.values()), stance=stance))

    assert tone(oppose=18, support=2, suggest=6) == "lean-oppose-2"  # 71% against
    assert tone(oppose=2) == "few"  # two comments never look contested
    assert tone() == "silent"
    assert tone(suggest=30, oppose=4, support=2) == "lean-even"  # mostly amendments
    assert tone(support=9, oppose=1) == "lean-support-2"
    assert tone(support=4, oppose=2, question=4) == "lean-support-1"
    assert tone(oppose=4, support=2, question=4) == "lean-oppose-1"


async def test_every_drafter_page_and_export_names_a_clause_as_the_digest_does(client, example):
    digest = example["digest"]
    point = next(c for c in digest.section(FIFTH).clusters if not c.remainder)
    name = "第5条 优化升级宽带网络"
    comment = next(n.id for n in digest.comments if n.clause == FIFTH)
    pages = {
        "list": f"/drafter/drafts/{EXAMPLE_SLUG}/comments",
        "comment": f"/drafter/drafts/{EXAMPLE_SLUG}/comments/{comment}",
        "point": f"/drafter/drafts/{EXAMPLE_SLUG}/points/{point.id}",
    }
    for what, url in pages.items():
        r = await client.get(url)
        assert r.status_code == 200, (what, r.text[:200])
        page = read(r.text)
        assert name in page.seen, what
        assert "5.优化升级宽带网络。" not in page.seen, what
        for key in keys_with_a_slash(digest):
            assert key not in page.text, (what, key)
    r = await client.get(f"/drafter/drafts/{EXAMPLE_SLUG}/export/public-comments.csv")
    assert r.status_code == 200
    assert f",{name}," in r.text


async def test_the_public_form_and_the_receipt_cite_a_clause_as_the_report_does(client, example):
    form = await client.get(f"/drafts/{EXAMPLE_SLUG}/comment?clause={FIFTH}")
    assert "对“第5条 优化升级宽带网络”提意见" in form.text
    r = await client.post(
        f"/api/drafts/{EXAMPLE_SLUG}/comments", json={"clause": FIFTH, "body": "建议提速降费。"}
    )
    receipt = await client.get(r.json()["url"])
    assert "第5条 优化升级宽带网络" in read(receipt.text).seen
    assert "5.优化升级宽带网络。" not in receipt.text
