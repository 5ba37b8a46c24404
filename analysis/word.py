"""``feedback.docx``: the feedback report as a Word file, in the form offices publish.

On A4 with official-document margins, 宋体 body and 黑体 headings (theme fonts removed), text
tagged zh-CN. Title, 基本情况 with the totals sentence, the summary by outcome, then per clause one real Word
table (序号 | 意见要点 | 意见数 | 处理结果 | 理由) whose header row repeats on every page and whose
rows do not break across pages. The same ``FeedbackReport`` as the page and ``feedback.md``;
text that XML cannot hold (control characters) is dropped, so any report opens cleanly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from analysis.feedback import BASIS, PENDING, FeedbackReport, number
from analysis.models import OUTCOMES
from analysis.titles import chinese_number

CLAUSE_HEADER = ("序号", "意见要点", "意见数", "处理结果", "理由")
CLAUSE_WIDTHS_CM = (1.2, 5.0, 2.2, 2.2, 5.4)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
BODY_FONT = "宋体"
HEADING_FONT = "黑体"


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _east_asian(style: Any, font: str) -> None:
    """``font`` for every script of the style: the theme fonts the default template sets would
    otherwise win over it (a heading would not be in 黑体)."""
    from docx.oxml.ns import qn

    style.font.name = font
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), font)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _chinese_page(document: Any) -> None:
    """A4 with the margins of a Chinese official document, and text tagged as Chinese."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _row_flags(row: Any, *, header: bool) -> None:
    """Rows never break across pages; the header row repeats on each page."""
    from docx.oxml import OxmlElement

    props = row._tr.get_or_add_trPr()
    props.append(OxmlElement("w:cantSplit"))
    if header:
        props.append(OxmlElement("w:tblHeader"))


def _table(
    document: Any, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> None:
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        cell.text = text
        cell.width = Cm(width)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _row_flags(table.rows[0], header=True)
    for values in rows:
        row = table.add_row()
        for cell, text, width in zip(row.cells, values, widths, strict=True):
            cell.text = _xml(text)
            cell.width = Cm(width)
        _row_flags(row, header=False)


def _count(comments: int, copies: int) -> str:
    return number(comments) + (f"（含批量提交{number(copies)}条）" if copies else "")


def render_feedback_docx(report: FeedbackReport) -> bytes:
    """The report as the bytes of a .docx file (python-docx, loaded on first use)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    _chinese_page(document)
    _east_asian(document.styles["Normal"], BODY_FONT)
    document.styles["Normal"].font.size = Pt(12)
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(document.styles[name], HEADING_FONT)
        document.styles[name].font.color.rgb = RGBColor(0, 0, 0)  # print black, not theme blue
    document.core_properties.title = _xml(report.title)
    document.core_properties.author = _xml(report.issuer or "起草单位")
    title = document.add_heading(_xml(report.title), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = iter(range(1, 10))

    def h1(text: str) -> None:
        document.add_heading(f"{chinese_number(next(heading))}、{text}", level=1)

    h1("基本情况")
    document.add_paragraph(_xml(report.opening() + report.totals_sentence()))
    document.add_paragraph(BASIS)
    h1("采纳情况")
    summary = [
        [o, number(report.by_outcome.get(o, (0, 0))[0]), number(report.outcome_comments(o))]
        for o in OUTCOMES
    ]
    if report.pending_comments:
        summary.append([PENDING, number(report.pending_points), number(report.pending_comments)])
    _table(document, ("处理结果", "意见要点", "意见数"), summary, (4.0, 4.0, 4.0))
    h1("主要意见及处理情况")
    if report.empty:
        document.add_paragraph("尚未对意见作出处理。")
    for clause in report.clauses:
        document.add_heading(_xml(clause.title), level=2)
        rows = [
            [
                str(i),
                item.label,
                _count(item.comments, item.copies),
                item.outcome,
                item.reason or "—",
            ]
            for i, item in enumerate(clause.items, start=1)
        ]
        _table(document, CLAUSE_HEADER, rows, CLAUSE_WIDTHS_CM)
        if clause.pending_comments:
            document.add_paragraph(f"本条另有{number(clause.pending_comments)}条意见尚在研究。")
    if report.pending:
        h1("尚在研究的意见")
        document.add_paragraph("以下意见尚未作出处理，处理结果将另行公布。")
        rows = [
            [c.title, number(c.pending_points), number(c.pending_comments)] for c in report.pending
        ]
        _table(document, ("条款", "意见要点", "意见数"), rows, (8.0, 3.0, 3.0))
    h1("未予采纳意见的主要理由")
    for reason in report.refusals or ("无",):
        document.add_paragraph(_xml(reason), style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
