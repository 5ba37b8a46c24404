"""Reading comments that arrive outside the web form: e-mail (.eml, .mbox: ``emails.py``),
spreadsheets (.csv, .xlsx) and letters (.docx, .txt). Each file gives ``Letter`` objects and
``Problem`` notes (``letters.py``); a bad item never stops the others. Text is decoded strictly
(UTF-8, GB18030 or UTF-16): what cannot be read is refused with a note, never stored garbled.
"""

from __future__ import annotations

import csv
import email
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from email import policy
from pathlib import PurePath

from comments.channels import letters
from comments.channels.emails import read_email, read_mbox
from comments.channels.letters import Letter, Problem, ReadResult, digest, docx_text
from comments.drafts import DraftParseError, check_archive, decode

SUFFIXES = (".eml", ".mbox", ".csv", ".xlsx", ".docx", ".txt")
SUBMITTER_TYPES = ("个人", "企业", "行业协会", "社会组织", "政府部门", "其他")

# Spreadsheet headers, by what they hold (matched after removing spaces and punctuation).
HEADERS = {
    "body": ("意见内容", "意见", "内容", "具体意见", "修改意见", "意见建议", "建议内容", "意见及建议",
             "修改建议", "反馈意见"),
    "clause": ("条款", "条目", "涉及条款", "对应条款", "条款号", "章节", "条文", "所涉条款",
               "修改条款", "位置"),
    "name": ("提出人", "提出单位", "提出人单位", "单位", "姓名", "意见提出人", "反馈单位",
             "单位名称", "提出者", "来源"),
    "contact": ("联系方式", "电话", "联系电话", "邮箱", "手机", "电子邮箱"),
    "submitter_type": ("提交者类型", "类型", "身份", "提出人类型", "单位类型"),
    "date": ("日期", "时间", "提出日期", "提交时间", "提交日期", "收到日期"),
}  # fmt: skip


def read_file(name: str, data: bytes) -> ReadResult:
    """Every message in one file; what cannot be read is a ``Problem`` naming the item."""
    out = ReadResult()
    base = PurePath(name).name or name
    suffix = PurePath(base).suffix.lower()
    if suffix not in SUFFIXES:
        out.problems.append(
            Problem(base, f"不支持的文件类型（支持 {'、'.join(SUFFIXES)}），未导入")
        )
        return out
    if len(data) > letters.MAX_FILE_BYTES:
        size, limit = len(data) / 1048576, letters.MAX_FILE_BYTES / 1048576
        out.problems.append(
            Problem(base, f"文件过大（{size:.1f} MB，上限 {limit:.0f} MB），请拆分后再导入")
        )
        return out
    if not data.strip():
        out.problems.append(Problem(base, "文件为空"))
        return out
    try:
        if suffix == ".eml":
            letter = read_email(email.message_from_bytes(data, policy=policy.default), base, out)
            if letter is not None:
                out.letters.append(letter)
        elif suffix == ".mbox":
            read_mbox(data, base, out)
        elif suffix == ".csv":
            rows, delimiter = _csv_rows(data, base)
            _rows(rows, base, digest(data), out, delimiter=delimiter)
        elif suffix == ".xlsx":
            _rows(_xlsx_rows(data, base), base, digest(data), out)
        else:
            text = (
                docx_text(data, base)
                if suffix == ".docx"
                else decode(data, base, expected=".txt（UTF-8 或 GBK 编码）或 .docx 文件")
            )
            if text.strip():
                out.letters.append(
                    Letter("letter", f"{base}#{digest(data)}", text.strip(), label=base)
                )
            else:
                out.problems.append(Problem(base, "信件没有文字内容，未导入"))
    except (DraftParseError, ValueError) as exc:
        out.problems.append(Problem(base, str(exc).removeprefix(f"{base}：")))
    except Exception:  # a damaged file of any kind: reported, the other files go on
        out.problems.append(
            Problem(base, f"文件已损坏，或不是真正的 {suffix} 文件，无法读取，未导入")
        )
    return out


# -- spreadsheets ----------------------------------------------------------------------------

_FOLD = re.compile(r"[\s/／、()（）:：*＊]+")


def _column(header: str) -> str | None:
    key = _FOLD.sub("", header)
    for kind, names in HEADERS.items():
        if key in names:
            return kind
    return None


def _csv_rows(data: bytes, where: str) -> tuple[list[list[str]], str]:
    """Every row, read whole before any is imported, and the delimiter: a file whose rows cannot
    be told apart (a quote opened and never closed swallows every row after it) imports
    nothing."""
    text = decode(data, where, expected="CSV（UTF-8 或 GBK 编码）或 .xlsx 表格")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",\t;，")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = list(reader)
    # Only a quoted cell holds a line break; if the last one runs to the end of the file
    # without its closing quote, the rows after its opening quote were merged into it.
    quote = dialect.quotechar or '"'
    if rows and rows[-1] and "\n" in rows[-1][-1] and not text.rstrip().endswith(quote):
        start = reader.line_num - rows[-1][-1].rstrip("\r\n").count("\n")
        raise ValueError(
            f"第 {start} 行的引号没有闭合（缺少结尾的 {quote}），这一行之后的各行无法分开，"
            "整个文件未导入；请补上引号后再导入"
        )
    return rows, dialect.delimiter


def _xlsx_rows(data: bytes, where: str) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    check_archive(data, where, max_bytes=letters.MAX_FILE_BYTES, kind=".xlsx")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValueError("不是有效的 .xlsx 文件，无法打开") from exc
    try:
        for sheet in book.worksheets:  # the first sheet that holds anything is the table
            rows = [["" if v is None else _cell_text(v) for v in row]
                    for row in sheet.iter_rows(values_only=True)]  # fmt: skip
            if any(any(c.strip() for c in row) for row in rows):
                yield from rows
                return
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(
    rows: Iterable[Sequence[str]],
    where: str,
    file_digest: str,
    out: ReadResult,
    *,
    delimiter: str | None = None,
) -> None:
    """The comments of a table (a CSV file's cells split at ``delimiter``). A row's source is
    the file's name and what is read from the row (and which copy of that content it is), so a
    corrected file imported again adds only the rows that were refused or changed, even when
    rows were added and renumbered. ``also`` keeps the key earlier versions used (file digest
    and row number): a file imported before is still recognised."""
    columns: dict[str, int] | None = None
    width = 0  # the header's cells
    copies: dict[str, int] = {}
    seen_rows = 0
    data_rows = 0
    xlsx = where.lower().endswith(".xlsx")
    for number, row in enumerate(rows, start=1):
        cells = [str(c).strip() for c in row]
        if not any(cells):
            continue
        seen_rows += 1
        if columns is None:
            found: dict[str, int] = {}
            for i, c in enumerate(
                cells
            ):  # the first column of a kind wins (意见内容 before 修改建议)
                kind = _column(c)
                if kind and kind not in found:
                    found[kind] = i
            if "body" in found:
                columns, width = found, len(cells)
                continue
            if seen_rows >= 10:
                break
            continue

        def cell(kind: str, cells: list[str] = cells, columns: dict[str, int] = columns) -> str:
            i = columns.get(kind)
            return cells[i] if i is not None and i < len(cells) else ""

        data_rows += 1
        body = cell("body")
        if not body:
            hint = "（这一格若是公式，请在 Excel 中打开并保存一次后再导入）" if xlsx else ""
            out.problems.append(Problem(f"{where} 第 {number} 行", f"意见内容为空{hint}，未导入"))
            continue
        if delimiter and _swallowed_rows(body, width, delimiter):
            out.problems.append(
                Problem(
                    f"{where} 第 {number} 行",
                    f"这条意见有 {body.count(chr(10)) + 1} 行，其中有的行像完整的一行表格：可能是引号"
                    "不成对，把后面几行并进了这一条；已导入，请核对",
                    note=True,
                )
            )
        kind = cell("submitter_type")
        # What is stored of the row, not its 序号 or other columns: renumbered rows stay known.
        stored = "\x1f".join(cell(k) for k in HEADERS)
        content = digest(stored.encode("utf-8", "surrogatepass"))
        copies[content] = copy = copies.get(content, 0) + 1
        out.letters.append(
            Letter(
                "spreadsheet",
                f"{where}#row:{content}" + (f"#{copy}" if copy > 1 else ""),
                body,
                _date(cell("date")),
                cell("name"),
                cell("contact"),
                kind if kind in SUBMITTER_TYPES else ("政府部门" if "部门" in kind else "个人"),
                clause_hint=cell("clause"),
                label=f"{where} 第 {number} 行",
                also=f"{where}#{file_digest}#{number}",
            )
        )
    if columns is not None and data_rows == 0:
        out.problems.append(Problem(where, "表格只有表头，没有意见"))
    if columns is None:
        message = (
            "表格是空的"
            if seen_rows == 0
            else "没有找到“意见内容”列（表头应含 意见内容、意见 或 内容）"
        )
        out.problems.append(Problem(where, message))


def _swallowed_rows(body: str, width: int, delimiter: str) -> bool:
    """Whether a line of a multi-line CSV cell holds a whole row (as many cells as the header,
    split at the file's delimiter): rows swallowed by a stray quote, not paragraphs of one
    comment (which may have commas of their own, but seldom exactly that many)."""
    if "\n" not in body or width < 3:
        return False
    return any(line.count(delimiter) == width - 1 for line in body.splitlines()[1:])


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _date(raw: str) -> date | None:
    m = _DATE.search(raw or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
