"""The draft parser on small documents written for these tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from comments.drafts import DraftParseError, iter_clauses, numeral_value, parse_file, parse_text
from tests.drafts.test_helpers import keys_are_sound, source_chars, tree_chars

DATA = Path(__file__).parents[1] / "data" / "drafts"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百二十三", 123),
        ("一百零五", 105),
        ("两千零一", 2001),
        ("四十六", 46),
        ("12", 12),
    ],
)
def test_numeral_value_reads_chinese_and_arabic_numbers(text: str, value: int) -> None:
    assert numeral_value(text) == value


def test_numeral_value_rejects_words() -> None:
    with pytest.raises(ValueError):
        numeral_value("总则")


def law_tree():
    return parse_file(DATA / "law_draft.txt")


def test_law_draft_nests_book_chapter_section_article() -> None:
    tree = law_tree()
    kinds = [n.kind for n in tree.walk()]
    assert kinds.count("book") == 1
    assert kinds.count("chapter") == 2
    assert kinds.count("section") == 2
    articles = [n for n in tree.walk() if n.kind == "article"]
    assert [a.label for a in articles] == [
        "第一条",
        "第二条",
        "第三条",
        "第三条之一",
        "第一百二十三条",
        "第九条",
    ]
    assert [a.number for a in articles] == [1, 2, 3, 3, 123, 9]


def test_law_article_paragraphs_become_kuan_with_their_items() -> None:
    keys = {n.key: n for n in law_tree().walk()}
    art = keys["第一编/第二章/第一节/第三条"]
    assert [c.key.rsplit("/", 1)[1] for c in art.children] == ["第一款", "第二款"]
    item = keys["第一编/第二章/第一节/第三条/第一款/（二）"]
    assert item.kind == "item" and item.heading == ""
    assert [c.label for c in item.children] == ["1.", "2."]
    assert keys["第一编/第二章/第一节/第三条/第二款"].text == "违反前款规定的，由有关部门责令改正。"


def test_single_paragraph_article_keeps_its_text() -> None:
    keys = {n.key: n for n in law_tree().walk()}
    assert keys["第一编/第一章/第一条"].text.startswith("为了规范数据处理活动")
    assert keys["第一编/第一章/第一条"].children == []


def test_law_draft_notice_gives_title_deadline_and_contact() -> None:
    tree = law_tree()
    assert tree.title == "某某省数据条例"
    assert tree.deadline == date(2024, 3, 31)
    assert "datalaw@example.gov.cn" in tree.contact
    assert "传真：028-12345678" in tree.contact
    assert "人民路1号" in tree.contact


def test_law_draft_loses_no_character() -> None:
    text = (DATA / "law_draft.txt").read_text(encoding="utf-8")
    tree = parse_text(text)
    assert tree_chars(tree) == source_chars(text)
    assert keys_are_sound(tree)


def plan_text() -> str:
    return (DATA / "plan_messy.md").read_text(encoding="utf-8")


def test_markdown_marks_do_not_override_numbering() -> None:
    tree = parse_text(plan_text())
    parts = [n for n in tree.nodes if n.kind == "part"]
    assert [p.label for p in parts] == ["一、", "二、", "三、"]
    sections = [n.key for n in tree.walk() if n.kind == "section"]
    assert sections == ["一/（一）", "一/（二）", "二/（三）", "二/（四）", "三/（五）"]


def test_page_break_inside_a_sentence_is_joined() -> None:
    keys = {n.key: n for n in parse_text(plan_text()).walk()}
    assert "为互联网与政务服务深度融合" in keys["一/（一）/1"].text
    assert "推动政务服务由网上可办" in keys["一/（二）"].text
    assert "3" not in keys["一/（一）/1"].text.replace("十三五", "")


def test_boxes_hold_their_items_and_numbering_resumes_after_them() -> None:
    keys = {n.key: n for n in parse_text(plan_text()).walk()}
    assert keys["专栏1"].heading == "政务云建设工程"
    assert [c.heading for c in keys["专栏1"].children] == ["市级政务云。", "灾备中心。"]
    assert keys["二/（三）/2"].heading == "完善政务网络。"
    assert [c.heading for c in keys["专栏2"].children] == ["专网整合。"]
    assert keys["专栏3/2"].heading == "统一办理。"


def test_table_with_repeated_header_is_one_table() -> None:
    tree = parse_text(plan_text())
    table = next(n for n in tree.walk() if n.kind == "table")
    assert table.key == "一/（一）/2/表1"
    assert table.heading == "“十四五”数字政府建设主要指标"
    assert table.header is True
    assert table.rows is not None and len(table.rows) == 4
    assert [r.key.rsplit("/", 1)[1] for r in table.children] == ["行1", "行2", "行3"]


def test_annexes_close_the_body_and_hold_tables() -> None:
    keys = {n.key: n for n in parse_text(plan_text()).walk()}
    assert keys["附件1"].heading == "名词解释"
    assert keys["附件2/表1"].rows == [
        ["序号", "重点工作", "负责单位"],
        ["1", "建设政务云平台。", "市大数据局负责"],
        ["2", "完善政务网络。", "市大数据局、市通信管理办负责"],
        ["3", "推进一网通办。", "市政务服务中心负责"],
    ]
    assert keys["附件2/表1/行3"].text.startswith("3")
    assert "2. 重点任务分工" in keys["附件目录"].text


def test_plan_loses_only_marks_page_numbers_and_repeated_headers() -> None:
    text = plan_text()
    tree = parse_text(text)
    expected = source_chars(text).replace("指标2020年2025年3.电子证照", "3.电子证照", 1)
    expected = expected.replace("序号重点工作负责单位3推进", "3推进", 1)
    assert tree_chars(tree) == expected
    assert keys_are_sound(tree)


def test_document_without_structure_is_one_preamble() -> None:
    text = "这是一段没有任何编号的说明文字。\n\n它有两段，都应保留。"
    tree = parse_text(text)
    assert [n.kind for n in tree.nodes] == ["preamble"]
    assert tree_chars(tree) == source_chars(text)


def test_policy_clause_numbering_restarts_per_section_with_unique_keys() -> None:
    text = (
        "一、总体要求\n（一）目标\n1.甲。\n2.乙。\n（二）原则\n1.丙。\n二、任务\n（一）重点\n1.丁。"
    )
    keys = [n.key for n in parse_text(text).walk()]
    assert keys == [
        "一",
        "一/（一）",
        "一/（一）/1",
        "一/（一）/2",
        "一/（二）",
        "一/（二）/1",
        "二",
        "二/（一）",
        "二/（一）/1",
    ]


def test_duplicate_keys_get_a_deterministic_suffix() -> None:
    text = "一、甲\n一、乙\n一、丙"
    keys = [n.key for n in parse_text(text).walk()]
    assert keys == ["一", "一~2", "一~3"]
    assert keys == [n.key for n in parse_text(text).walk()]


def test_lead_sentence_becomes_heading_without_duplication() -> None:
    tree = parse_text("二、任务\n（一）发展技术\n1.突破核心关键信息技术。重点突破高端芯片。")
    clause = next(n for n in tree.walk() if n.kind == "clause")
    assert (clause.label, clause.heading, clause.text) == (
        "1.",
        "突破核心关键信息技术。",
        "重点突破高端芯片。",
    )


def test_bullets_are_nodes_under_their_section() -> None:
    tree = parse_text(
        "一、总体要求\n（二）基本方针\n--统筹推进。统筹发挥作用。\n——创新驱动。全面实施。"
    )
    bullets = [n for n in tree.walk() if n.kind == "bullet"]
    assert [b.key for b in bullets] == ["一/（二）/第一点", "一/（二）/第二点"]
    assert [b.label for b in bullets] == ["--", "——"]


def test_pipe_table_becomes_rows_without_the_pipes() -> None:
    text = "一、指标\n| 指标 | 目标 |\n|---|---|\n| 覆盖率 | 90% |\n| 普及率 | 80% |"
    tree = parse_text(text)
    table = next(n for n in tree.walk() if n.kind == "table")
    assert table.rows == [["指标", "目标"], ["覆盖率", "90%"], ["普及率", "80%"]]
    assert table.key == "一/表1"


def test_short_title_lines_are_not_glued_together() -> None:
    text = "某某省人民政府办公厅\n关于推进数据共享的实施意见\n（征求意见稿）\n一、总体要求"
    tree = parse_text(text)
    assert tree.title == "关于推进数据共享的实施意见"
    assert tree.issuer == "某某省人民政府办公厅"
    assert "某某省人民政府办公厅\n关于" in tree.nodes[0].text


@pytest.mark.parametrize(
    ("notice", "deadline"),
    [
        ("公众可于2017年9月12日前将意见和建议发送至电子邮箱(abc@163.com)。", date(2017, 9, 12)),
        ("征求意见截止日期为2020年1月5日。", date(2020, 1, 5)),
        ("反馈截止时间：2021年12月31日。", date(2021, 12, 31)),
        ("征求意见时间为2019年3月1日至3月31日。", date(2019, 3, 31)),
        ("请于2022-06-30前反馈意见。", date(2022, 6, 30)),
        ("请于二〇一八年五月十日前提出意见。", date(2018, 5, 10)),
        ("欢迎提出宝贵意见。", None),
    ],
)
def test_deadline_is_read_from_common_notice_phrasings(notice: str, deadline: date | None) -> None:
    assert parse_text(notice + "\n一、总则\n内容。").deadline == deadline


def test_iter_clauses_walks_in_document_order() -> None:
    tree = parse_text("一、甲\n（一）乙\n二、丙")
    assert [n.key for n in iter_clauses(tree)] == ["一", "一/（一）", "二"]


def test_whitespace_only_text_is_refused_with_its_name() -> None:
    with pytest.raises(DraftParseError, match="空白.txt"):
        parse_text(" \n\u3000\n", name="空白.txt")
