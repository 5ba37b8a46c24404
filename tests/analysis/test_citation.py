"""Clauses named as a reader cites them ("第5条 优化升级宽带网络"), never by their internal key."""

from __future__ import annotations

from analysis import GENERAL_KEY, ClauseInput, CommentInput, DraftInfo, build_digest, clause_names

DRAFT = DraftInfo("x", "实施意见")


def names_of(clauses: list[ClauseInput], gap: str = " ") -> dict[str, str]:
    comments = [CommentInput(1, None, "整体支持。")]
    return clause_names(build_digest(DRAFT, clauses, comments).sections, gap=gap)


def clause(key: str, kind: str, label: str, heading: str = "", text: str = "正文。") -> ClauseInput:
    parent = key.rsplit("/", 1)[0] if "/" in key else None
    return ClauseInput(key, kind, label, heading, text, parent)


def ordered(clauses: list[ClauseInput]) -> list[ClauseInput]:
    return [
        ClauseInput(c.key, c.kind, c.label, c.heading, c.text, c.parent, i)
        for i, c in enumerate(clauses)
    ]


POLICY = ordered(
    [
        clause("一", "part", "一、", "总体要求", ""),
        clause("一/（二）", "section", "(二)", "基本方针", ""),
        clause("一/（二）/第一点", "bullet", "--", "", "统筹推进。统筹发挥市场和政府作用。"),
        clause("二", "part", "二、", "大力增强信息化发展能力", ""),
        clause("二/（二）", "section", "(二)", "夯实基础设施,强化普遍服务", ""),
        clause("二/（二）/4", "clause", "4.", "统筹规划基础设施布局。"),
        clause("二/（二）/5", "clause", "5.", "优化升级宽带网络。"),
    ]
)


def test_a_numbered_clause_is_cited_as_an_article_with_its_heading() -> None:
    names = names_of(POLICY)
    assert names["二/（二）/5"] == "第5条 优化升级宽带网络"
    assert names["二"] == "二、大力增强信息化发展能力"
    # The heading tells this （二） from the other one.
    assert names["二/（二）"] == "（二）夯实基础设施,强化普遍服务"
    assert names["一/（二）/第一点"] == "（二）基本方针 第一点：统筹推进"
    assert names[GENERAL_KEY] == "总体意见"


def test_no_name_is_an_internal_key() -> None:
    for key, name in names_of(POLICY).items():
        assert "/" not in name, (key, name)


def test_digest_md_puts_an_ideographic_space_between_label_and_heading() -> None:
    names = names_of(POLICY, gap="\u3000")
    assert names["二/（二）/5"] == "第5条\u3000优化升级宽带网络"
    assert names["二"] == "二、大力增强信息化发展能力"  # no space after an enumeration mark


def test_numbering_that_restarts_in_each_part_names_the_part() -> None:
    names = names_of(
        ordered(
            [
                clause("三", "part", "三、", "主要任务", ""),
                clause("三/（七）", "section", "(七)", "建设新一代信息基础设施。", ""),
                clause("三/（七）/1", "clause", "1.", "加快完善信息网络基础设施。"),
                clause("三/（七）/2", "clause", "2.", "积极部署物联网感知设施。"),
                clause("三/（八）", "section", "(八)", "建立信息资源共享开放体系。", ""),
                clause("三/（八）/1", "clause", "1.", "完善信息资源库建设。"),
                clause("专栏2", "box", "专栏 2", "新一代信息基础设施建设工程", ""),
                clause("专栏2/1", "clause", "1.", "互联网骨干承载网。"),
                clause("专栏2/3", "clause", "3.", "无线四川。"),
                clause("专栏2/3/表1", "table", "", "主要指标", ""),
                clause("专栏2/3/表1/行2", "row", "", "", "光纤入户率\t88%"),
            ]
        )
    )
    assert names["三/（七）/1"] == "（七）第1条 加快完善信息网络基础设施"
    assert names["三/（七）/2"] == "（七）第2条 积极部署物联网感知设施"  # 2 is unique, still (七)
    assert names["三/（八）/1"] == "（八）第1条 完善信息资源库建设"
    assert names["专栏2"] == "专栏2 新一代信息基础设施建设工程"
    assert names["专栏2/3"] == "专栏2 第3条 无线四川"  # the box numbers from 1 again
    assert names["专栏2/3/表1/行2"] == "表1 主要指标 第2行"


def test_law_paragraphs_and_items_are_cited_under_their_article() -> None:
    names = names_of(
        ordered(
            [
                clause("第一章", "chapter", "第一章", "总则", ""),
                clause("第一章/第十条", "article", "第十条", "", ""),
                clause("第一章/第十条/第一款", "paragraph", "", "", "禁止在下列区域充电："),
                clause("第一章/第十条/第一款/（一）", "item", "（一）", "", "楼梯间；"),
                clause("第一章/第十一条", "article", "第十一条"),
                clause("第一章/第十一条/第一款", "paragraph", "", "", "禁止私拉电线。"),
            ]
        )
    )
    assert names["第一章"] == "第一章 总则"
    assert names["第一章/第十条"] == "第十条"
    assert names["第一章/第十条/第一款"] == "第十条第一款"
    assert names["第一章/第十条/第一款/（一）"] == "第十条第一款第（一）项"
    assert names["第一章/第十一条/第一款"] == "第十一条第一款"
