"""feedback.docx opens cleanly in python-docx: title, totals, one real table per clause."""

from __future__ import annotations

import io
import zipfile

import docx

from analysis import Decision, build_digest, build_feedback_report, render_feedback_docx
from tests.analysis.test_feedback import CLAUSES, DRAFT, comments

HEADER = ["序号", "意见要点", "意见数", "处理结果", "理由"]


def report(decisions: list[Decision] | None = None):
    digest = build_digest(DRAFT, CLAUSES, comments())
    if decisions is None:
        fee = digest.section("第二条").clusters[0]
        suggestion = digest.section("第一条").suggestions[0]
        decisions = [
            Decision("cluster", fee.id, "不予采纳", "收费标准由业主共同决定符合《民法典》。"),
            Decision("suggestion", suggestion.id, "采纳", "已增加老旧小区。"),
            Decision("comment", "3", "另行研究", "在配套文件中研究。", "第三条"),
        ]
    return build_feedback_report(digest, decisions)


def read(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def test_the_word_file_has_the_title_the_totals_and_one_table_per_clause() -> None:
    built = report()
    document = read(render_feedback_docx(built))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == built.title == "《社区停车管理办法（征求意见稿）》意见采纳情况说明"
    assert document.paragraphs[0].style.name == "Title"
    assert built.opening() + built.totals_sentence() in texts
    clause_tables = [t for t in document.tables if [c.text for c in t.rows[0].cells] == HEADER]
    assert len(clause_tables) == len(built.clauses) == 3
    for table, clause in zip(clause_tables, built.clauses, strict=True):
        assert clause.title in texts  # the heading right before it
        rows = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert rows == [
            [
                str(i),
                item.label,
                str(item.comments) + (f"（含批量提交{item.copies}条）" if item.copies else ""),
                item.outcome,
                item.reason,
            ]
            for i, item in enumerate(clause.items, start=1)
        ]
    fee = clause_tables[1]
    assert fee.rows[1].cells[2].text == "4（含批量提交4条）"


def test_table_headers_repeat_on_each_page_and_rows_keep_together() -> None:
    built = report()
    content = render_feedback_docx(built)
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    tables = xml.count("<w:tbl>")
    assert built.pending  # the summary, one per clause, the points still under study
    assert tables == 1 + len(built.clauses) + 1
    assert xml.count("<w:tblHeader/>") == tables
    assert "<w:cantSplit/>" in xml


def test_the_summary_table_and_the_pending_section_carry_the_same_figures() -> None:
    built = report([])
    document = read(render_feedback_docx(built))
    summary = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert summary[0] == ["处理结果", "意见要点", "意见数"]
    assert summary[-1] == ["尚在研究", str(built.pending_points), str(built.pending_comments)]
    texts = [p.text for p in document.paragraphs]
    assert "尚未对意见作出处理。" in texts and "四、尚在研究的意见" in texts


def test_control_characters_in_a_reason_do_not_break_the_file() -> None:
    digest = build_digest(DRAFT, CLAUSES, comments())
    built = build_feedback_report(
        digest, [Decision("comment", "3", "采纳", "理由\x00带\x07控制字符\ufffe。", "第三条")]
    )
    document = read(render_feedback_docx(built))
    assert document.tables[1].rows[1].cells[4].text == "理由带控制字符。"


def test_the_word_file_is_a4_in_chinese_fonts_that_apply() -> None:
    from docx.oxml.ns import qn

    document = read(render_feedback_docx(report()))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    for name, font in (("Normal", "宋体"), ("Title", "黑体"), ("Heading 1", "黑体")):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font and fonts.get(qn("w:ascii")) == font
        # A theme font would win over the named one in Word.
        assert not [k for k in fonts.attrib if k.lower().endswith("theme")], name
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
