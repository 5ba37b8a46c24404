"""Reading comments that arrive outside the web form: e-mail (.eml, .mbox), spreadsheets (.csv,
.xlsx) and letters (.docx, .txt). Each file gives ``Letter`` objects and ``Problem`` notes;
a bad item never stops the others.
"""

from __future__ import annotations

import csv
import email
import hashlib
import io
import mailbox
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import PurePath

from comments.drafts import DraftParseError, check_archive, decode

MAX_FILE_BYTES = 20 * 1024 * 1024
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


@dataclass(frozen=True)
class Letter:
    """One message as received: an e-mail, a letter or a spreadsheet row."""

    channel: str  # email | letter | spreadsheet
    source: str  # Message-ID, or file name and row: what makes a second import a no-op
    text: str
    received: date | None = None
    sender: str = ""
    contact: str = ""
    submitter_type: str = "个人"
    subject: str = ""
    clause_hint: str = ""  # a spreadsheet's 条款 column, as written


@dataclass(frozen=True)
class Problem:
    where: str
    message: str


@dataclass
class ReadResult:
    letters: list[Letter] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=6).hexdigest()


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
    if len(data) > MAX_FILE_BYTES:
        size, limit = len(data) / 1048576, MAX_FILE_BYTES / 1048576
        out.problems.append(
            Problem(base, f"文件过大（{size:.1f} MB，上限 {limit:.0f} MB），请拆分后再导入")
        )
        return out
    if not data.strip():
        out.problems.append(Problem(base, "文件为空"))
        return out
    try:
        if suffix == ".eml":
            letter = _email(email.message_from_bytes(data, policy=policy.default), base, out)
            if letter is not None:
                out.letters.append(letter)
        elif suffix == ".mbox":
            _mbox(data, base, out)
        elif suffix == ".csv":
            _rows(_csv_rows(data, base), base, _digest(data), out)
        elif suffix == ".xlsx":
            _rows(_xlsx_rows(data, base), base, _digest(data), out)
        else:
            text = _docx_text(data, base) if suffix == ".docx" else decode(data, base)
            if text.strip():
                out.letters.append(Letter("letter", f"{base}#{_digest(data)}", text.strip()))
            else:
                out.problems.append(Problem(base, "信件没有文字内容"))
    except (DraftParseError, ValueError) as exc:
        out.problems.append(Problem(base, str(exc).removeprefix(f"{base}：")))
    except Exception as exc:  # a damaged file of any kind: reported, the other files go on
        out.problems.append(Problem(base, f"文件无法读取（{type(exc).__name__}），未导入"))
    return out


# -- e-mail ----------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_QUOTED = re.compile(r"(?m)^(>.*\n?)+")


def _html_text(page: str) -> str:
    import html

    page = re.sub(r"(?is)<(script|style).*?</\1>", "", page)
    page = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", page)
    return html.unescape(_TAG.sub("", page))


def _email(message: EmailMessage, where: str, out: ReadResult) -> Letter | None:
    if not message.keys():
        out.problems.append(Problem(where, "不是有效的电子邮件（没有邮件头）"))
        return None
    parts: list[str] = []
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, ValueError):  # an unknown charset: read it as the bytes allow
            raw = body.get_payload(decode=True) or b""
            content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        parts.append(_html_text(content) if body.get_content_type() == "text/html" else content)
    for attachment in message.iter_attachments():
        filename = attachment.get_filename() or "附件"
        payload = attachment.get_payload(decode=True) or b""
        suffix = PurePath(filename).suffix.lower()
        try:
            if suffix == ".txt":
                parts.append(decode(payload, filename))
            elif suffix == ".docx":
                parts.append(_docx_text(payload, filename))
            else:
                out.problems.append(
                    Problem(f"{where} 的附件 {filename}", "不是 .txt 或 .docx 文件，未读取")
                )
        except (DraftParseError, ValueError) as exc:
            out.problems.append(Problem(f"{where} 的附件 {filename}", str(exc)))
        except Exception as exc:  # an unknown charset, a damaged archive
            out.problems.append(
                Problem(f"{where} 的附件 {filename}", f"无法读取（{type(exc).__name__}）")
            )
    text = _QUOTED.sub("", "\n\n".join(p.strip() for p in parts if p.strip())).strip()
    subject = str(message.get("subject", "") or "").strip()
    if not text:
        out.problems.append(Problem(where, "邮件没有正文"))
        return None
    name, address = parseaddr(str(message.get("from", "") or ""))
    received = None
    try:
        if message.get("date"):
            received = parsedate_to_datetime(str(message["date"])).astimezone(UTC).date()
    except (TypeError, ValueError):
        received = None
    ident = str(message.get("message-id", "") or "").strip()
    source = ident or f"{where}#{_digest(text.encode('utf-8', 'surrogatepass'))}"
    return Letter(
        "email", source[:255], text, received, name.strip(), address.strip(), subject=subject
    )


def _mbox(data: bytes, where: str, out: ReadResult) -> None:
    fd, path = tempfile.mkstemp(suffix=".mbox")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        box = mailbox.mbox(path, factory=None, create=False)
        count = 0
        for number, raw in enumerate(box, start=1):
            count += 1
            message = email.message_from_bytes(raw.as_bytes(), policy=policy.default)
            try:
                letter = _email(message, f"{where} 第 {number} 封", out)  # type: ignore[arg-type]
            except Exception as exc:  # one bad message never costs the others
                out.problems.append(
                    Problem(f"{where} 第 {number} 封", f"邮件无法读取（{type(exc).__name__}）")
                )
                continue
            if letter is not None:
                out.letters.append(letter)
        box.close()
        if count == 0:
            out.problems.append(Problem(where, "不是有效的 mbox 文件（没有找到邮件）"))
    finally:
        os.unlink(path)


# -- spreadsheets ----------------------------------------------------------------------------

_FOLD = re.compile(r"[\s/／、()（）:：*＊]+")


def _column(header: str) -> str | None:
    key = _FOLD.sub("", header)
    for kind, names in HEADERS.items():
        if key in names:
            return kind
    return None


def _csv_rows(data: bytes, where: str) -> Iterator[list[str]]:
    text = decode(data, where)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",\t;，")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(data: bytes, where: str) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    check_archive(data, where, max_bytes=MAX_FILE_BYTES, kind=".xlsx")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValueError("不是有效的 .xlsx 文件，无法打开") from exc
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield ["" if v is None else _cell_text(v) for v in row]
            break  # the first sheet holds the table
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(rows: Iterable[Sequence[str]], where: str, digest: str, out: ReadResult) -> None:
    columns: dict[str, int] | None = None
    seen_rows = 0
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
                columns = found
                continue
            if seen_rows >= 10:
                break
            continue

        def cell(kind: str, cells: list[str] = cells, columns: dict[str, int] = columns) -> str:
            i = columns.get(kind)
            return cells[i] if i is not None and i < len(cells) else ""

        body = cell("body")
        if not body:
            out.problems.append(Problem(f"{where} 第 {number} 行", "意见内容为空，未导入"))
            continue
        kind = cell("submitter_type")
        out.letters.append(
            Letter(
                "spreadsheet",
                f"{where}#{digest}#{number}",
                body,
                _date(cell("date")),
                cell("name"),
                cell("contact"),
                kind if kind in SUBMITTER_TYPES else ("政府部门" if "部门" in kind else "个人"),
                clause_hint=cell("clause"),
            )
        )
    if columns is None:
        message = (
            "表格是空的"
            if seen_rows == 0
            else "没有找到“意见内容”列（表头应含 意见内容、意见 或 内容）"
        )
        out.problems.append(Problem(where, message))


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _date(raw: str) -> date | None:
    m = _DATE.search(raw or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _docx_text(data: bytes, where: str) -> str:
    from docx import Document

    check_archive(data, where, max_bytes=MAX_FILE_BYTES)
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise ValueError(f"{where}：不是有效的 .docx 文件，无法打开") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(c.text for c in row.cells))
    return "\n".join(line for line in lines if line.strip())
