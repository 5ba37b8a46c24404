"""Digest pages and the feedback report built on the analysis, with the golden Markdown."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from comments import storage
from comments.cli import main
from tests.conftest import small_tree
from tests.drafter_helpers import (  # noqa: F401
    ORG,
    fast_password_hashing,
    log_in,
    make_account,
    publish_feedback,
)

pytestmark = pytest.mark.anyio

SLUG = "tingche"
GOLDEN = Path(__file__).parents[2] / "data" / "feedback_golden.md"
# Regenerate deliberately: REGENERATE_GOLDEN=1 pytest tests/web/drafter/test_digest.py
REGENERATE = os.environ.get("REGENERATE_GOLDEN") == "1"

COMMENTS = [
    ("第一章/第一条", "建议将“住宅小区”改为“住宅小区和老旧小区”，老旧小区停车更难。"),
    ("第一章/第一条", "老旧小区停车位严重不足，本办法应当覆盖老旧小区。"),
    ("第一章/第一条", "老旧小区停车难问题突出，希望办法覆盖老旧小区，联系电话13800001111。"),
    ("第一章/第二条/第二款", "收费标准不应由业主大会决定，应由物价部门核定。"),
    ("第一章/第二条/第二款", "停车收费太高了，坚决反对由业主大会定价。"),
    ("第一章/第二条/第二款", "停车收费太高了，坚决反对由业主大会定价。"),
    ("第一章/第二条/第二款", "停车收费太高了，坚决反对由业主大会定价。"),
    (None, "总体支持出台本办法，规范停车秩序很有必要。"),
]


@pytest.fixture
async def analysed(client, engine, app):
    with Session(engine) as session:
        draft = storage.import_draft(
            session=session,
            tree=small_tree(),
            source_name="tingche.txt",
            slug=SLUG,
            deadline=date(2099, 12, 31),
            opens_on=date(2026, 1, 1),
            organisation=ORG,
        )
    ids, receipts = [], []
    for clause, body in COMMENTS:
        r = await client.post(f"/api/drafts/{SLUG}/comments", json={"clause": clause, "body": body})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
        receipts.append(r.json()["receipt"])
    csrf = await log_in(client, make_account(engine, "own", ORG))
    digest = app.state.comments.digests.get(draft).digest
    return {"csrf": csrf, "ids": ids, "receipts": receipts, "digest": digest, "draft": draft}


async def test_overview_shows_totals_stance_chart_clause_map_and_ranking(client, analysed):
    r = await client.get(f"/drafter/drafts/{SLUG}/digest")
    assert r.status_code == 200
    html = r.text
    # 8 posted, one held for its phone number: the digest counts the 7 published ones.
    assert "共收到意见" in html and "<strong>7</strong>" in html
    assert (
        'class="clause-map"' in html
        and f'href="/drafter/drafts/{SLUG}/clause/第一章/第一条"' in html
    )
    assert "汇总生成于" in html
    assert "未收到意见的条款" in html and "第一款" in html or "序言" in html
    assert "<script" not in html and "style=" not in html  # the CSP allows neither


async def test_every_figure_links_to_the_comments_behind_it(client, analysed):
    html = (await client.get(f"/drafter/drafts/{SLUG}/digest")).text
    link = f"/drafter/drafts/{SLUG}/comments?section=%E7%AC%AC%E4%B8%80%E7%AB%A0%2F%E7%AC%AC%E4%B8%80%E6%9D%A1"
    assert link in html
    listed = await client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert "意见 <small>3 条</small>" in listed.text


async def test_held_comments_are_named_as_such_and_filters_in_words(client, analysed):
    html = (await client.get(f"/drafter/drafts/{SLUG}/digest")).text
    # The comment held for its phone number is waiting for review, not hidden.
    assert "未公开 1 条" in html and "status=pending" in html and "已隐藏 <a" not in html
    link = f"/drafter/drafts/{SLUG}/comments?section=%E7%AC%AC%E4%B8%80%E7%AB%A0%2F%E7%AC%AC%E4%B8%80%E6%9D%A1"
    listed = (await client.get(link)).text
    assert "其中 1 条待审核或已隐藏，不计入汇总的统计。" in listed
    assert (
        "当前筛选：条款（含下级）：第一条" in listed
        and "section=" not in listed.split("当前筛选")[1][:80]
    )
    pending = (await client.get(f"/drafter/drafts/{SLUG}/comments?status=pending&flag=pii")).text
    assert "当前筛选：状态：待审核；标记：含个人信息" in pending
    assert "意见 <small>1 条</small>" in pending


async def test_clause_page_shows_clusters_campaigns_suggestions_and_members(client, analysed):
    r = await client.get(f"/drafter/drafts/{SLUG}/clause/第一章/第一条")
    assert r.status_code == 200
    html = r.text
    assert "本办法适用于本市行政区域内住宅小区的停车管理。" in html
    assert "观点聚类" in html and "<details>" in html and "展开全部" in html
    assert "<del>住宅小区</del><ins>住宅小区和老旧小区</ins>" in html
    campaign = await client.get(f"/drafter/drafts/{SLUG}/clause/第一章/第二条/第二款")
    assert "批量提交" in campaign.text and "3 条" in campaign.text


async def test_clause_page_filters_by_stance(client, analysed):
    everything = await client.get(f"/drafter/drafts/{SLUG}/clause/第一章/第二条/第二款")
    assert "已筛选" not in everything.text
    filtered = await client.get(
        f"/drafter/drafts/{SLUG}/clause/第一章/第二条/第二款?stance=support"
    )
    assert "已筛选：符合条件的意见 0 条" in filtered.text
    bad = await client.get(f"/drafter/drafts/{SLUG}/clause/第一章/第二条/第二款?stance=angry")
    assert bad.status_code == 400 and "立场只能是" in bad.text


async def test_unknown_clause_is_404(client, analysed):
    r = await client.get(f"/drafter/drafts/{SLUG}/clause/第九章")
    assert r.status_code == 404


async def decide_all(client, analysed):
    digest = analysed["digest"]
    first = digest.section("第一章/第一条")
    fee = digest.section("第一章/第二条/第二款")
    cluster = (
        next(c for c in first.clusters if not c.remainder)
        if any(not c.remainder for c in first.clusters)
        else first.clusters[0]
    )
    suggestion = first.suggestions[0]
    fee_cluster = fee.clusters[0]
    for kind, tid, outcome, reason in [
        ("cluster", cluster.id, "采纳", "已在第一条中明确包括老旧小区。"),
        ("suggestion", suggestion.id, "部分采纳", "表述调整为“住宅小区（含老旧小区）”。"),
        ("cluster", fee_cluster.id, "不予采纳", "收费标准由业主共同决定符合《民法典》规定。"),
        ("comment", str(analysed["ids"][7]), "另行研究", "将在配套文件中研究。"),
    ]:
        r = await client.post(
            f"/drafter/drafts/{SLUG}/decisions",
            data={
                "csrf_token": analysed["csrf"],
                "target_kind": kind,
                "target_id": tid,
                "outcome": outcome,
                "reason": reason,
            },
        )
        assert r.status_code == 303, r.text


async def test_full_flow_ends_in_the_golden_feedback_report(
    client, analysed, database_url, monkeypatch, capsys
):
    page = await client.get(f"/drafter/drafts/{SLUG}/decisions")
    assert page.status_code == 200 and "记录决定" in page.text
    await decide_all(client, analysed)
    assert (await publish_feedback(client, analysed["csrf"], SLUG)).status_code == 303
    r = await client.get(f"/drafts/{SLUG}/feedback.md")
    assert r.status_code == 200
    text = r.text
    assert "13800001111" not in text
    if REGENERATE:
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    monkeypatch.setenv("COMMENTS_DATABASE_URL", database_url)
    assert main(["export", SLUG, "--feedback"]) == 0
    assert capsys.readouterr().out == text


async def test_public_feedback_page_lists_points_per_clause_without_personal_data(client, analysed):
    await decide_all(client, analysed)
    assert (await publish_feedback(client, analysed["csrf"], SLUG)).status_code == 303
    r = await client.get(f"/drafts/{SLUG}/feedback")
    assert r.status_code == 200
    assert "已在第一条中明确包括老旧小区。" in r.text and "不予采纳" in r.text
    assert "13800001111" not in r.text
    receipt = (await client.get(f"/api/receipts/{analysed['receipts'][1]}")).json()["receipt"]
    page = await client.get(f"/receipts/{receipt}")
    assert "处理情况" in page.text and "已在第一条中明确包括老旧小区。" in page.text


async def test_digest_and_public_exports_mask_personal_data(client, analysed):
    public = await client.get(f"/drafter/drafts/{SLUG}/export/public-comments.csv")
    assert public.status_code == 200
    assert "13800001111" not in public.text
    private = await client.get(f"/drafter/drafts/{SLUG}/export/comments.csv")
    assert "13800001111" in private.text
    digest = await client.get(f"/drafter/drafts/{SLUG}/export/digest.md")
    assert digest.status_code == 200 and digest.text.startswith("# ")
