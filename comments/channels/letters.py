"""What the readers of each channel give: ``Letter`` objects and ``Problem`` notes.

Also the pieces every reader shares: the size limit, a file's short digest, the text of a .docx.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from comments.drafts import check_archive

MAX_FILE_BYTES = 20 * 1024 * 1024


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
    label: str = ""  # where it is, in words: "意见.csv 第 3 行", "来信.mbox 第 2 封"
    also: str = ""  # the source an earlier version gave the same item, if another


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    note: bool = False  # only a remark: the item itself was imported


@dataclass
class ReadResult:
    letters: list[Letter] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def docx_text(data: bytes, where: str) -> str:
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
