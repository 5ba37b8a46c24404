"""Clauses (``clause_names``) and the draft (``titles``) cited as a reader cites them, never by an
internal key."""

from __future__ import annotations

import pytest

from analysis import ClauseInput, DraftInfo, build_digest, clause_names, feedback_title
from analysis.titles import chinese_number, draft_citation

# The shape of the bundled example (一、 > （一） > 1., numbered on through the whole draft) and
# of a law (章 > 条 > 款), with bullets and a 【】 heading.
POLICY = [
    ClauseInput("一", "part", "一、", "总体要求", "", None, 0),
    ClauseInput("一/（二）", "section", "(二)", "基本方针", "", "一", 1),
    ClauseInput(
        "一/（二）/第一点", "bullet", "--", "", "统筹推进。统筹发挥市场作用。", "一/（二）", 2
    ),
    ClauseInput("二", "part", "二、", "大力增强信息化发展能力", "", None, 3),
    ClauseInput("二/（二）", "section", "(二)", "夯实基础设施,强化普遍服务", "", "二", 4),
    ClauseInput(
        "二/（二）/5",
        "clause",
        "5.",
        "优化升级宽带网络。",
        "统筹优化宽带网络布局。",
        "二/（二）",
        5,
    ),
    ClauseInput("三/（四）/31", "clause", "31.", "发展智慧交通。", "推进电子客票。", None, 6),
]
LAW = [
    ClauseInput("第一章", "chapter", "第一章", "总则", "", None, 0),
    ClauseInput("第一章/第一条", "article", "第一条", "【目的】", "为了规范管理。", "第一章", 1),
    ClauseInput("第一章/第二条", "article", "第二条", "", "", "第一章", 2),
    ClauseInput(
        "第一章/第二条/第二款", "paragraph", "", "", "收费标准由业主大会决定。", "第一章/第二条", 3
    ),
    ClauseInput("第一章/第三条", "article", "第三条", "", "", "第一章", 4),
    ClauseInput("第一章/第三条/第二款", "paragraph", "", "", "其他。", "第一章/第三条", 5),
]


def cited(clauses: list[ClauseInput]) -> dict[str, str]:
    return clause_names(build_digest(DraftInfo("x", "办法"), clauses, []).sections)


def test_a_continuously_numbered_item_is_cited_as_an_article_with_its_heading() -> None:
    names = cited(POLICY)
    assert names["二/（二）/5"] == "第5条 优化升级宽带网络"
    assert names["三/（四）/31"] == "第31条 发展智慧交通"
    assert names["一"] == "一、总体要求"


def test_a_label_that_repeats_is_preceded_by_its_parent() -> None:
    names = cited(POLICY)
    assert names["二/（二）"] == "（二）夯实基础设施,强化普遍服务"
    assert names["一/（二）/第一点"] == "（二）基本方针 第一点：统筹推进"


def test_items_numbered_anew_in_each_section_are_told_apart_by_their_parent() -> None:
    clauses = [
        ClauseInput("一", "part", "一、", "甲", "", None, 0),
        ClauseInput("一/1", "clause", "1.", "第一项。", "", "一", 1),
        ClauseInput("二", "part", "二、", "乙", "", None, 2),
        ClauseInput("二/1", "clause", "1.", "另一项。", "", "二", 3),
    ]
    names = cited(clauses)
    assert names["一/1"] == "一、第1条 第一项" and names["二/1"] == "二、第1条 另一项"


def test_law_articles_stand_alone_and_paragraphs_name_their_article() -> None:
    names = cited(LAW)
    assert names["第一章"] == "第一章 总则"
    assert names["第一章/第一条"] == "第一条【目的】"
    assert names["第一章/第二条/第二款"] == "第二条第二款"
    assert names["第一章/第三条/第二款"] == "第三条第二款"


def test_a_section_of_a_chapter_names_its_chapter() -> None:
    clauses = [
        ClauseInput("第二章", "chapter", "第二章", "数据", "", None, 0),
        ClauseInput("第二章/第一节", "section", "第一节", "公共数据", "", "第二章", 1),
    ]
    assert cited(clauses)["第二章/第一节"] == "第一节 公共数据"


def test_law_items_and_boxes_read_as_a_reader_cites_them() -> None:
    clauses = [
        ClauseInput("第十条", "article", "第十条", "", "", None, 0),
        ClauseInput("第十条/第一款", "paragraph", "", "", "下列区域禁止充电：", "第十条", 1),
        ClauseInput("第十条/第一款/（一）", "item", "（一）", "", "楼道；", "第十条/第一款", 2),
        ClauseInput(
            "第十条/第一款/（一）/2", "subitem", "2.", "", "地下室。", "第十条/第一款/（一）", 3
        ),
        ClauseInput("专栏1", "box", "专栏 1", "重点工程", "", None, 4),
        ClauseInput("专栏1/1", "clause", "1.", "市级政务云。", "", "专栏1", 5),
        ClauseInput("附件1", "annex", "附件 1", "", "", None, 6),
        ClauseInput("附件1/1", "clause", "1.", "指标。", "", "附件1", 7),
    ]
    names = cited(clauses)
    assert names["第十条/第一款/（一）"] == "第十条第一款第（一）项"
    assert names["第十条/第一款/（一）/2"] == "第十条第一款第（一）项第2目"
    assert names["专栏1"] == "专栏1 重点工程"
    assert names["专栏1/1"] == "专栏1 第1条 市级政务云"  # two "1." in the draft: by their parent
    assert names["附件1/1"] == "附件1 第1条 指标"


def test_no_citation_is_an_internal_key() -> None:
    for name in {**cited(POLICY), **cited(LAW)}.values():
        assert "/" not in name, name
    assert cited(LAW)["总体意见"] == "总体意见"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("关于加快推进信息化发展的实施意见", "《关于加快推进信息化发展的实施意见（征求意见稿）》"),
        ("《信息化实施意见》（征求意见稿）", "《信息化实施意见（征求意见稿）》"),
        ("社区停车管理办法(征求意见稿)", "《社区停车管理办法（征求意见稿）》"),
        ("关于印发《停车办法》的通知", "《关于印发〈停车办法〉的通知（征求意见稿）》"),
        ("  ", "《征求意见稿》"),
    ],
)
def test_the_draft_is_cited_in_one_pair_of_book_marks(title: str, expected: str) -> None:
    assert draft_citation(title) == expected
    assert feedback_title(title) == expected + "意见采纳情况说明"
    assert "关于关于" not in feedback_title(title)


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 10, 15, 20, 31, 100, 105, 110, 999, 1000)] == [
        "一", "十", "十五", "二十", "三十一", "一百", "一百零五", "一百一十", "九百九十九", "1000",
    ]  # fmt: skip
