"""Public presentation: dash bullets, enumeration marks, the footer, the privacy page."""

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
    "一、 总体要求\n"
    "（一）基本原则\n"
    "--统筹推进。统筹发挥市场和政府作用。\n"
    "--创新驱动。全面实施创新驱动发展战略。\n"
    "二、 保障措施\n"
    "加强组织领导。\n"
)


@pytest.fixture
def bullets(engine):
    with Session(engine) as session:
        draft = storage.import_draft(
            session=session,
            tree=parse_text(SOURCE),
            source_name="x.txt",
            slug="bullets",
            deadline=period.today_in("Asia/Shanghai") + timedelta(days=5),
        )
        assert draft.id is not None
        return {c.key: (c.kind, c.label, c.text) for c in storage.clauses_of(session, draft.id)}


def body_of(html: str) -> str:
    return html.split('<div class="body">', 1)[1]


async def test_dash_bullets_are_shown_as_bullets_and_stored_as_written(client, bullets):
    html = (await client.get("/drafts/bullets")).text
    assert bullets["一/（一）/第一点"] == ("bullet", "--", "统筹推进。统筹发挥市场和政府作用。")
    assert ">--" not in html and "--至--" not in html
    assert html.count('<p class="text bullet"><span class="bullet-mark"') == 2
    assert "•</span>统筹推进。统筹发挥市场和政府作用。</p>" in body_of(html)
    # The contents name the bullets by their place, not by their dashes.
    assert re.search(r"<summary>第一点至第二点</summary>", html)
    form = await client.get("/drafts/bullets/comment?clause=" + "一/（一）/第一点")
    # ... and the form cites the bullet as the digest and the feedback report do.
    assert "对“（一）基本原则 第一点：统筹推进”提意见" in form.text


async def test_no_space_is_shown_after_an_enumeration_mark(client, bullets):
    html = (await client.get("/drafts/bullets")).text
    assert "一、 总体要求" not in html and "二、 保障措施" not in html
    assert ">一、总体要求</h2>" in html and ">一、总体要求</a>" in html


async def test_a_paragraph_starting_with_dashes_is_a_bullet_on_the_page(client, engine):
    from comments.drafts import DraftTree, Node

    text = "目标如下：\n——道路更通畅。\n——停车更方便。"
    tree = DraftTree(
        title="办法",
        nodes=[Node(key="第一条", kind="article", label="第一条", number=1, text=text)],
    )
    with Session(engine) as session:
        storage.import_draft(session=session, tree=tree, source_name="y.txt", slug="dashes")
    body = body_of((await client.get("/drafts/dashes")).text)
    assert '<span class="bullet-mark" aria-hidden="true">•</span>道路更通畅。</p>' in body
    assert "——道路" not in body


async def test_the_footer_says_when_names_are_shown_and_links_the_privacy_page(client, bullets):
    for path in ["/", "/drafts/bullets", "/drafts/bullets/comment", "/receipts"]:
        html = (await client.get(path)).text
        footer = html.split('<footer class="site">', 1)[1]
        assert "姓名、联系方式不会公开显示" not in footer
        assert "选择公开署名时" in footer and "联系方式从不公开" in footer
        assert '<a href="/privacy">' in footer
    form = (await client.get("/drafts/bullets/comment")).text
    assert form.count('href="/privacy"') == 2  # the form's own notice and the footer


async def test_the_privacy_page_says_who_collects_what_and_for_how_long(client, bullets):
    r = await client.get("/privacy")
    assert r.status_code == 200
    for words in [
        "隐私说明",
        "起草单位",
        "运营方",
        "不保存网络地址本身",
        "联系方式从不公开",
        "保存 365 天",
        "purge-contacts",
    ]:
        assert words in r.text, words


async def test_the_receipt_code_never_wraps(client):
    css = (await client.get("/static/site.css")).text
    rule = re.search(r"^\.receipt \{([^}]*)\}", css, re.M)
    assert rule is not None and "white-space: nowrap" in rule.group(1)
