"""Notice metadata around a draft: title, issuing body, comment deadline and contact.

Read from the preamble (the publishing notice, the document heading, the addressee line);
when the preamble says nothing about the deadline or contact, sentences elsewhere that talk
about 意见/建议/反馈 are searched too (some notices close the document instead of opening it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from comments.drafts.markers import CN_DIGITS, numeral_value

_DRAFT_MARK = re.compile(r"[（(](?:草案)?(?:公开)?(?:征求意见稿|送审稿|修订草案|草案)[）)]")
_ATTACHED = re.compile(r"^附[件]?[\d一二三四五六七八九十]*[:：]")
_ORGAN = re.compile(
    r"(?:办公厅|办公室|人民政府|委员会|委|部|局|厅|办|院|署|会|中心|政府|党委|省委|市委|法院|检察院)$"
)
_TITLE_ORGAN = re.compile(r"^(.{2,30}?(?:办公厅|办公室|人民政府|委员会|部|局|厅|院|署))关于")
_CN_DATE_CHARS = "〇零一二三四五六七八九十"
_Y = rf"(\d{{4}}|[{_CN_DATE_CHARS}]{{4}})"
_MD = rf"(\d{{1,2}}|[{_CN_DATE_CHARS}]{{1,3}})"
_DATE = rf"{_Y}\s*年\s*{_MD}\s*月\s*{_MD}\s*日"
_ISO = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_FAX = re.compile(r"传真(?:号码)?[:：]?\s*([0-9（）()\-－—\s]{7,}[0-9])")
_ADDRESS = re.compile(
    r"(?:通信地址|通讯地址|邮寄地址|联系地址|地址)(?:为|是)?[:：]\s*([^，,。；;\n]+)|寄(?:至|送至|到)\s*([^，,。；;\n]{4,})"
)
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
_ABOUT_COMMENTS = ("意见", "建议", "反馈")


@dataclass
class Notice:
    title: str = ""
    issuer: str = ""
    deadline: date | None = None
    contact: str = ""


def _year(raw: str) -> int:
    if raw.isdigit():
        return int(raw)
    return int("".join(str(CN_DIGITS[c]) for c in raw))


def _num(raw: str) -> int:
    return int(raw) if raw.isdigit() else numeral_value(raw)


def _make_date(y: str, m: str, d: str) -> date | None:
    try:
        return date(_year(y), _num(m), _num(d))
    except (ValueError, KeyError):
        return None


_DEADLINE_PATTERNS = [
    re.compile(rf"截[止至](?:日期|时间)?(?:为|是|到|至)?[:：]?\s*(?:{_DATE}|{_ISO})"),
    re.compile(
        rf"(?:{_DATE}|{_ISO})\s*(?:[（(][^）)]{{1,10}}[）)])?\s*(?:\d{{1,2}}[:：]\d{{2}}|\d{{1,2}}时)?\s*(?:前|之前|以前|止|截止)"
    ),
]
_RANGE = re.compile(rf"{_DATE}\s*(?:至|到|—|－|-|～|~)\s*(?:{_Y}\s*年\s*)?{_MD}\s*月\s*{_MD}\s*日")


def find_deadline(text: str) -> date | None:
    for sentence in _SENTENCE.findall(text):
        if not any(k in sentence for k in _ABOUT_COMMENTS) and "截止" not in sentence:
            continue
        for rx in _DEADLINE_PATTERNS:
            m = rx.search(sentence)
            if m:
                g = m.groups()
                found = _make_date(*g[:3]) if g[0] else _make_date(*g[3:6])
                if found:
                    return found
        m = _RANGE.search(sentence)
        if m:
            y = m.group(4) or m.group(1)
            found = _make_date(y, m.group(5), m.group(6))
            if found:
                return found
    return None


def find_contact(text: str) -> str:
    items: list[str] = []
    for sentence in _SENTENCE.findall(text):
        for email in _EMAIL.findall(sentence):
            if email not in items:
                items.append(email)
        for fax in _FAX.findall(sentence):
            item = "传真：" + fax.strip()
            if item not in items:
                items.append(item)
        if any(k in sentence for k in _ABOUT_COMMENTS):
            for a, b in _ADDRESS.findall(sentence):
                item = "地址：" + (a or b).strip()
                if item not in items:
                    items.append(item)
    return "；".join(items)


def _clean_title(line: str) -> str:
    t = _ATTACHED.sub("", line.strip())
    t = _DRAFT_MARK.sub("", t).strip(" \u3000")
    return t.strip("《》")


def _is_title_like(line: str) -> bool:
    return (
        4 <= len(line) <= 60
        and not any(c in line for c in "。；：:")
        and not re.match(r"^\d{4}年", line)
    )


def find_title(lines: list[str]) -> tuple[str, int]:
    """The draft title and the index of its line in ``lines`` (-1 when taken from a sentence)."""
    for i, line in enumerate(lines[:-1]):
        if _DRAFT_MARK.fullmatch(lines[i + 1].strip()) and _is_title_like(line):
            return _clean_title(line), i
    for i, line in enumerate(lines):
        if (
            _DRAFT_MARK.search(line)
            and line.rstrip().endswith(("）", ")"))
            and _is_title_like(_ATTACHED.sub("", line))
        ):
            return _clean_title(line), i
    for line in lines:
        m = re.search(r"《([^》]{4,60})》\s*" + _DRAFT_MARK.pattern, line)
        if m:
            return m.group(1), -1
    for i, line in enumerate(lines):
        if _is_title_like(line) and not _DRAFT_MARK.fullmatch(line.strip()):
            return _clean_title(line), i
    return "", -1


def find_issuer(lines: list[str], title: str, title_index: int) -> str:
    organs: list[str] = []
    i = title_index - 1
    while (
        i >= 0
        and len(lines[i]) <= 24
        and _ORGAN.search(lines[i])
        and not re.search(r"[，,。：:]", lines[i])
    ):
        organs.insert(0, lines[i].strip())
        i -= 1
    if organs:
        return " ".join(organs)
    m = _TITLE_ORGAN.match(title)
    if m:
        return m.group(1)
    text = "\n".join(lines)
    m = re.search(r"从([^，,。\s]{2,30}?)获悉", text) or re.search(
        r"([^，,。\s]{2,30}?)(?:组织)?(?:研究)?起草了", text
    )
    return m.group(1) if m else ""


# The notice and the heading block sit in the first lines; bounding them keeps a 10 MB
# document without structure (one huge preamble) fast.
HEAD_LINES = 60
HEAD_CHARS = 20_000


def extract(preamble: str, full_text: str) -> Notice:
    preamble = preamble[:HEAD_CHARS]
    lines = [ln.strip() for ln in preamble.split("\n")[:HEAD_LINES] if ln.strip()]
    title, index = find_title(lines)
    issuer = find_issuer(lines, title, index) if index >= 0 else find_issuer(lines, title, 0)
    deadline = find_deadline(preamble) or find_deadline(full_text)
    contact = find_contact(preamble)
    if not contact:
        contact = find_contact(
            "\n".join(
                s for s in _SENTENCE.findall(full_text) if any(k in s for k in _ABOUT_COMMENTS)
            )
        )
    return Notice(title=title, issuer=issuer, deadline=deadline, contact=contact)
