"""Reading draft files: size limits, encodings (UTF-8, BOM, GB18030/GBK, UTF-16) and .docx."""

from __future__ import annotations

import io
import re
import zipfile

from comments.drafts.build import cn_number
from comments.drafts.model import DraftParseError
from comments.drafts.text import Item

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# A .docx or .xlsx is a zip archive. Its directory says how large each member unpacks to, and
# zipfile never inflates a member past that size, so checking the directory before anything is
# read bounds what a small file with a huge or very many members (a "zip bomb") can take.
UNZIP_RATIO = 5  # an archive unpacks to at most this many times the file size limit
MAX_ARCHIVE_MEMBERS = 1000


def check_size(size: int, name: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise DraftParseError(
            f"{name}：文件过大（{size / 1048576:.1f} MB），超过上限 {max_bytes / 1048576:.1f} MB，请拆分后再导入"
        )
    if size == 0:
        raise DraftParseError(f"{name}：文件为空")


def check_archive(data: bytes, name: str, *, max_bytes: int, kind: str = ".docx") -> None:
    """Refuse a zip archive (.docx, .xlsx) whose directory lists more than
    ``MAX_ARCHIVE_MEMBERS`` members or more than ``UNZIP_RATIO`` × ``max_bytes`` unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise DraftParseError(
            f"{name}：不是有效的 {kind} 文件（已损坏，或只是改了扩展名），无法打开"
        ) from exc
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise DraftParseError(
            f"{name}：{kind} 文件包含的部件过多（{len(members)} 个，上限 {MAX_ARCHIVE_MEMBERS} 个），"
            "可能已损坏，未读取"
        )
    unpacked, limit = sum(m.file_size for m in members), UNZIP_RATIO * max_bytes
    if unpacked > limit:
        raise DraftParseError(
            f"{name}：{kind} 文件解压后过大（{unpacked / 1048576:.1f} MB，上限 "
            f"{limit / 1048576:.1f} MB），可能已损坏，未读取"
        )


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def looks_binary(text: str) -> bool:
    """Whether decoded text holds more control characters than any real text would."""
    controls = len(_CONTROL.findall(text))
    return controls > max(2, len(text) // 200)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark, or None. UTF-8 and GBK text never holds a
    NUL byte, so a file that does is UTF-16 or not text: it is taken as UTF-16 only when it
    decodes strictly into printable text. Of the two byte orders the one with more ASCII wins
    (read in the wrong order, ASCII turns into other characters); little-endian, as Windows
    writes it, on a tie."""
    if len(data) % 2:
        return None
    found: list[tuple[int, str]] = []
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
        if "\x00" not in text and printable >= 0.98 * len(text):
            found.append((-sum(1 for c in text if c.isascii()), text))
    return min(found, key=lambda f: f[0])[1] if found else None


def decode(data: bytes, name: str, *, expected: str = ".txt、.md 或 .docx 文件") -> str:
    """Bytes of a text file → str, or DraftParseError naming the file (and ``expected``)."""
    if data.startswith(b"%PDF"):
        raise DraftParseError(f"{name}：这是 PDF 文件，暂不支持；请另存为 .txt 或 .docx 后再导入")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DraftParseError(
            f"{name}：这是旧版 Word（.doc）文件，暂不支持；请另存为 .docx 或 .txt 后再导入"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DraftParseError(f"{name}：UTF-16 文件内容损坏，无法解码") from exc
    if b"\x00" in data[:65536]:
        wide = _utf16_without_bom(data)
        if wide is not None and not looks_binary(wide):
            return wide
        raise DraftParseError(f"{name}：不是文本文件（含二进制内容），请提供 {expected}")
    text: str | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise DraftParseError(
            f"{name}：无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GB18030/GBK）"
        )
    if looks_binary(text):
        raise DraftParseError(f"{name}：不是文本文件（含大量控制字符），请提供 {expected}")
    return text


# -- .docx -----------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _format_number(n: int, fmt: str) -> str:
    if fmt.startswith("chinese") or fmt.startswith("ideograph") or fmt == "taiwaneseCounting":
        return cn_number(n)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return chr(0x245F + n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, k = "", n
        for v, s in vals:
            while k >= v:
                out, k = out + s, k - v
        return out if fmt == "lowerRoman" else out.upper()
    return str(n)


class _Numbering:
    """Renders Word's automatic list numbers ("一、", "（一）", "1.") as text."""

    def __init__(self, document: object) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element  # type: ignore[attr-defined]
        except (KeyError, AttributeError, NotImplementedError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(f"{_W}abstractNum"):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in an.findall(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt_el, text_el, start_el = (
                    lvl.find(f"{_W}numFmt"),
                    lvl.find(f"{_W}lvlText"),
                    lvl.find(f"{_W}start"),
                )
                fmt = fmt_el.get(f"{_W}val", "decimal") if fmt_el is not None else "decimal"
                text = text_el.get(f"{_W}val", "") if text_el is not None else ""
                start = int(start_el.get(f"{_W}val", "1")) if start_el is not None else 1
                levels[ilvl] = (fmt, text, start)
            abstract[an.get(f"{_W}abstractNumId", "")] = levels
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId", "")] = abstract.get(ref.get(f"{_W}val", ""), {})

    def prefix(self, paragraph: object) -> str:
        p_pr = paragraph._p.pPr  # type: ignore[attr-defined]
        num_pr = p_pr.numPr if p_pr is not None else None
        if num_pr is None:
            style = getattr(paragraph, "style", None)
            style_ppr = getattr(getattr(style, "element", None), "pPr", None)
            num_pr = style_ppr.numPr if style_ppr is not None else None
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id = str(num_pr.numId.val)
        ilvl = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "•"
        out = text
        for k in range(9):
            if f"%{k + 1}" in out:
                lf, _, ls = levels.get(k, ("decimal", "", 1))
                out = out.replace(f"%{k + 1}", _format_number(counters.get(k, ls), lf))
        return out


def read_docx(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Item]:
    """Paragraphs (with their list numbers) and tables of a .docx, in document order."""
    check_archive(data, name, max_bytes=max_bytes)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DraftParseError(
            f"{name}：不是有效的 .docx 文件（已损坏，或只是改了扩展名），无法打开"
        ) from exc
    except Exception as exc:  # python-docx raises several private error types on damaged files
        raise DraftParseError(f"{name}：无法读取 .docx 文件：{exc}") from exc
    try:
        numbering = _Numbering(document)
    except ValueError as exc:  # a number in numbering.xml that is not a number
        raise DraftParseError(f"{name}：.docx 文件的编号定义已损坏（{exc}）") from exc
    items: list[Item] = []
    for el in document.element.body.iterchildren():
        if el.tag == f"{_W}p":
            para = Paragraph(el, document)
            text = para.text
            prefix = numbering.prefix(para)
            for i, line in enumerate(text.split("\n")):
                items.append((prefix + line) if i == 0 else line)
        elif el.tag == f"{_W}tbl":
            table = Table(el, document)
            rows: list[list[str]] = []
            for row in table.rows:
                cells: list[str] = []
                last = None
                for cell in row.cells:
                    if cell._tc is last:
                        continue  # a merged cell is listed once per grid column
                    last = cell._tc
                    cells.append(" ".join(cell.text.split()))
                rows.append(cells)
            items.append(rows)
    return items
