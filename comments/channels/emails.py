"""Reading e-mail (.eml, .mbox): the body and .txt/.docx attachments, sender, subject, date.

Text is decoded strictly: the declared charset, else UTF-8, else GB18030. A body that cannot be
read that way (or whose base64 is damaged) is refused with a note; a header that cannot be read
is left empty with a note. Nothing is ever stored with replaced or guessed characters.
"""

from __future__ import annotations

import codecs
import email
import mailbox
import os
import re
import tempfile
from datetime import UTC
from email import errors as mail_errors
from email import policy
from email.header import decode_header
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import PurePath

from comments.channels.letters import Letter, Problem, ReadResult, digest, docx_text
from comments.drafts import DraftParseError, decode, looks_binary

_TAG = re.compile(r"<[^>]+>")
_QUOTED = re.compile(r"(?m)^(>.*\n?)+")


def _html_text(page: str) -> str:
    import html

    page = re.sub(r"(?is)<(script|style).*?</\1>", "", page)
    page = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", page)
    return html.unescape(_TAG.sub("", page))


_BROKEN_MIME = (
    mail_errors.StartBoundaryNotFoundDefect,
    mail_errors.CloseBoundaryNotFoundDefect,
    mail_errors.MultipartInvariantViolationDefect,
    mail_errors.NoBoundaryInMultipartDefect,
)
_BROKEN_BASE64 = (mail_errors.InvalidBase64CharactersDefect, mail_errors.InvalidBase64LengthDefect)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class _Unreadable(ValueError):
    """A part of a message whose text cannot be read without guessing: the message is refused."""


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decoded(raw: bytes, declared: str | None) -> str:
    """Bytes of a text part in the declared charset, else UTF-8, else GB18030, strictly: a
    letter is never stored with characters replaced by guesses."""
    codec = _codec(declared)
    tried = [codec] if codec and codec != "ascii" else []
    tried += [c for c in ("utf-8", "gb18030") if c not in tried]
    for encoding in tried:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    said = f"声明为 {declared}" if declared else "未声明编码"
    raise _Unreadable(f"正文的编码无法识别（{said}，按 UTF-8、GB18030 也读不通），未导入")


def _part_text(part: EmailMessage) -> str:
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        raw = str(raw or "").encode("utf-8", "surrogateescape")
    if any(isinstance(d, _BROKEN_BASE64) for d in part.defects):
        raise _Unreadable("正文的 base64 编码已损坏，无法还原，未导入")
    text = _decoded(raw, part.get_content_charset())
    if looks_binary(text):
        raise _Unreadable("正文不是文字（含大量控制字符），未导入")
    return _html_text(text) if part.get_content_type() == "text/html" else text


def _header(message: EmailMessage, name: str) -> tuple[str, bool]:
    """A header's text and whether it could be read. Encoded words are decoded strictly in
    their charset, else UTF-8, else GB18030; raw 8-bit bytes (GBK subjects are common) the
    same way. A header that cannot be read comes back empty (and False), never garbled."""
    for key, value in message.raw_items():
        if key.lower() != name:
            continue
        pieces = []
        try:
            for chunk, charset in decode_header(str(value)):
                if isinstance(chunk, str):
                    chunk = chunk.encode("ascii", "surrogateescape")
                pieces.append(_decoded(chunk, charset))
        except (_Unreadable, ValueError, UnicodeError):
            return "", False
        return re.sub(r"\s+", " ", "".join(pieces)).strip(), True
    return "", True


def read_email(message: EmailMessage, where: str, out: ReadResult) -> Letter | None:
    if not message.keys():
        out.problems.append(Problem(where, "不是有效的电子邮件（没有邮件头）"))
        return None
    parts: list[str] = []
    body = message.get_body(preferencelist=("plain", "html"))
    try:
        if body is not None:
            parts.append(_part_text(body))  # type: ignore[arg-type]
    except _Unreadable as exc:
        out.problems.append(Problem(where, str(exc)))
        return None
    for attachment in message.iter_attachments():
        filename = attachment.get_filename() or "附件"
        payload = attachment.get_payload(decode=True) or b""
        suffix = PurePath(filename).suffix.lower()
        try:
            if suffix == ".txt":
                parts.append(decode(payload, filename, expected=".txt 或 .docx 附件"))
            elif suffix == ".docx":
                parts.append(docx_text(payload, filename))
            else:
                out.problems.append(
                    Problem(f"{where} 的附件 {filename}", "不是 .txt 或 .docx 文件，未读取")
                )
        except (DraftParseError, ValueError) as exc:
            out.problems.append(
                Problem(f"{where} 的附件 {filename}", str(exc).removeprefix(f"{filename}："))
            )
        except Exception:  # a damaged archive
            out.problems.append(Problem(f"{where} 的附件 {filename}", "附件已损坏，无法读取"))
    text = _QUOTED.sub("", "\n\n".join(p.strip() for p in parts if p.strip())).strip()
    subject, subject_ok = _header(message, "subject")
    if not subject_ok:
        out.problems.append(
            Problem(where, "邮件主题的编码无法识别，主题已留空（意见照常导入）", note=True)
        )
    if not text:
        broken = any(isinstance(d, _BROKEN_MIME) for d in message.defects)
        out.problems.append(
            Problem(
                where,
                "邮件的 MIME 结构已损坏（找不到分隔各部分的边界），无法读取正文，未导入"
                if broken
                else "邮件没有可读的正文（正文为空，或只有无法读取的附件），未导入",
            )
        )
        return None
    sender, sender_ok = _header(message, "from")
    name, address = parseaddr(sender)
    if "@" not in address:  # "<script>…</script> <zhang@example.com>" confuses parseaddr
        found = _ADDRESS.search(sender)
        name, address = "", found.group(0) if found else ""
    if not sender_ok:
        out.problems.append(
            Problem(where, "发件人的编码无法识别，已留空（意见照常导入）", note=True)
        )
    received = None
    try:
        if message.get("date"):
            received = parsedate_to_datetime(str(message["date"])).astimezone(UTC).date()
    except (TypeError, ValueError):
        received = None
    ident = str(message.get("message-id", "") or "").strip()
    source = ident or f"{where}#{digest(text.encode('utf-8', 'surrogatepass'))}"
    label = f"{where}（{subject}）" if subject else where
    return Letter(
        "email",
        source[:255],
        text,
        received,
        name.strip(),
        address.strip(),
        subject=subject,
        label=label,
    )


def read_mbox(data: bytes, where: str, out: ReadResult) -> None:
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
                letter = read_email(message, f"{where} 第 {number} 封", out)  # type: ignore[arg-type]
            except Exception:  # one bad message never costs the others
                out.problems.append(
                    Problem(f"{where} 第 {number} 封", "邮件已损坏，无法读取，未导入")
                )
                continue
            if letter is not None:
                out.letters.append(letter)
        box.close()
        if count == 0:
            out.problems.append(Problem(where, "不是有效的 mbox 文件（没有找到邮件）"))
    finally:
        os.unlink(path)
