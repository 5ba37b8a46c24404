"""Personal data in comments: finding it (``has_pii``) and masking it (``mask_pii``).

Phone numbers (mobile and landline, with any dashes, spaces, dots or full-width digits), ID
numbers (18 digits with a valid checksum, or after a word such as 身份证; 15-digit old ones),
e-mail addresses (also with 。 or a Chinese domain) and home addresses (…路57号2栋, …村5组23号,
…5栋2单元1202). Official numbers and mailboxes, article numbers, dates, money, document numbers
and standard codes are left alone. ``mask_pii`` runs on every text a public page, report or
export shows.

>>> mask_pii("电话13812341234，邮箱zhang@example.com")
'电话138****1234，邮箱z***@example.com'
"""

from __future__ import annotations

import re

from analysis.text import INVISIBLE

__all__ = ["has_pii", "mask_pii"]

_CJK = re.compile(r"[\u4e00-\u9fff]")

# ---------------------------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------------------------

# Full-width digits, letters and the marks of phone numbers and addresses, as ASCII, and every
# dash as "-": what an input method types must be found like what a keyboard types. (Chinese
# punctuation such as 。and （ stays: the patterns accept it where it occurs in personal data.)
_ASCII_FORMS = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}
    | {"＠": "@", "．": ".", "－": "-", "＋": "+", "\u3000": " "}
    | {d: "-" for d in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"}
)
_FORM_CHARS = re.compile("[" + "".join(map(re.escape, map(chr, sorted(_ASCII_FORMS)))) + "]")


def ascii_forms(text: str) -> str:
    """Full-width letters and digits, the ideographic space and dash variants as plain ASCII."""
    return text.translate(_ASCII_FORMS) if _FORM_CHARS.search(text) else text


_OPEN = r"[(（]"
_CLOSE = r"[)）]"
# A count or an amount right after a number: 13800000000元 is money, not a phone.
_NOT_UNIT = r"(?!\s*(?:元|万|亿|千|百|个|户|人|次|台|部|件|米|公里|吨|%|‰))"
# Mobile: optional +86/0086 (maybe in brackets), 1[3-9]x with the first three digits maybe in
# brackets, then 4 + 4 digits, each group maybe set off by a space, a dash or a dot.
_MOBILE = re.compile(
    rf"(?<![\d.\-])(?:{_OPEN}?(?:\+|00)?86{_CLOSE}?[-\s]?)?(?:{_OPEN}(?=1[3-9]\d{_CLOSE}))?"
    rf"(1[3-9]\d){_CLOSE}?"
    rf"[-\s.]?(\d{{4}})[-\s.]?(\d{{4}})(?![\d])" + _NOT_UNIT
)
# Landline: area code (010, 02x: 3 digits + 8; 0[3-9]xx: 4 digits + 7 or 8), maybe in brackets,
# maybe set off by a dash or a space. A 400/800 number (400-028-7766) is a company's, not a person's.
_LANDLINE = re.compile(
    rf"(?<![\d\-])(?:{_OPEN}(0(?:10|2\d)){_CLOSE}|(0(?:10|2\d)))[-\s]?(\d{{4}})[-\s]?(\d{{4}})"
    rf"(?![\d\-])|(?<![\d\-])(?:{_OPEN}(0[3-9]\d{{2}}){_CLOSE}|(0[3-9]\d{{2}}))[-\s]?"
    rf"(\d{{3,4}})[-\s]?(\d{{4}})(?![\d\-])" + _NOT_UNIT
)
_PROVINCES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
# Resident ID: 6-digit region, birth date, 3 digits, check digit (18 digits, maybe grouped
# 6 8 4 by spaces) or the old 15-digit form (2-digit year, no check digit).
_ID_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])([1-8]\d{{5}})[\s-]?((?:18|19|20)\d{{2}}{_DATE})[\s-]?(\d{{3}}[0-9Xx])"
    rf"(?![0-9A-Za-z])|(?<![0-9A-Za-z])([1-8]\d{{5}})(\d{{2}}{_DATE})(\d{{3}})(?![0-9A-Za-z])"
)
_ID_CUE = re.compile(r"身份证|证件|身份号|公民号码|id", re.I)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# E-mail: ASCII or Chinese local part and domain; a 。 typed for the dot still counts.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*|[\u4e00-\u9fff]{1,2})"
    r"\s?@\s?((?:[A-Za-z0-9-]+|[\u4e00-\u9fff]{1,8})(?:\s?[.。]\s?(?:[A-Za-z0-9-]+|[\u4e00-\u9fff]{1,8}))*"
    r"\s?[.。]\s?(?:[A-Za-z]{2,10}|中国|公司|网络|在线|集团|中文网))(?![A-Za-z0-9])"
)
# What is left of an address cut short (by a sentence split at "。", a quote, a line end): a
# public text never shows the part before the @ of anything that still looks like one.
_EMAIL_STUB = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*)@(?=[A-Za-z0-9-])(?![A-Za-z0-9.\-]*gov\b)"
)
_OFFICIAL_MAIL = re.compile(r"gov\s?[.。]\s?cn$|\.gov$", re.I)
_NUM = r"[0-9一二三四五六七八九十百零〇两]"
_FLAT = (
    rf"(?:{_NUM}{{1,4}}(?:号楼|栋|幢|座|单元|楼|层|室|号|户))*(?:附{_NUM}{{1,4}}号)?"
    rf"(?:{_NUM}{{1,4}}(?:号楼|栋|幢|座|单元|楼|层|室|号|户))*(?:\d{{2,5}})?"
)
# House level: a road/street/lane and its number; a village and its group (组/社); a building
# with its unit or flat. The name stays readable (it locates no one); the numbers go.
_ROAD = re.compile(
    r"([\u4e00-\u9fff]{1,10}?(?:路|街|大街|大道|巷|胡同|弄))"
    rf"((?:[东西南北中]|{_NUM}{{1,3}})?段?(?:{_NUM}{{1,3}}[巷弄])?{_NUM}{{1,5}}[号#]" + _FLAT + ")"
)
_VILLAGE = re.compile(
    rf"([\u4e00-\u9fff]{{1,8}}?村)((?:{_NUM}{{1,3}}|第{_NUM}{{1,3}})(?:组|社|村民小组)"
    rf"(?:{_NUM}{{1,5}}号)?" + _FLAT + ")"
)
_BUILDING = re.compile(
    rf"(?<![0-9A-Za-z])({_NUM}{{1,3}}(?:号楼|栋|幢|座)(?:{_NUM}{{1,2}}单元(?:{_NUM}{{1,5}}"
    rf"(?:室|号|楼|层)?)?|\d{{2,5}}(?:室|号)|\d{{3,4}}(?![\d多户人套平米个万元余名家间辆年天次])))"
)


# Cheap tests that only skip a pattern which could not match anyway (flags run on every post):
# every phone or ID number has three digits in a row followed by four more digits or marks.
_DIGIT = re.compile(r"\d")
_NUMBERISH = re.compile(r"\d{3}[\d\s.\-)）]{4,}")


def _id_valid(m: re.Match[str], text: str) -> bool:
    """A checksum-valid 18-digit ID, an old 15-digit one, or an ID-shaped number after 身份证."""
    region = m.group(1) or m.group(4)
    if region[:2] not in _PROVINCES:
        return False
    if not m.group(1):
        return True
    digits = (m.group(1) + m.group(2) + m.group(3)).upper()
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] == digits[17]:
        return True
    return _ID_CUE.search(text, max(0, m.start() - 12), m.start()) is not None


def _email_personal(m: re.Match[str]) -> bool:
    return _OFFICIAL_MAIL.search(m.group(2)) is None


def has_pii(text: str) -> bool:
    digits = _DIGIT.search(text) is not None
    if digits:
        if _NUMBERISH.search(text) and (
            _MOBILE.search(text)
            or _LANDLINE.search(text)
            or any(_id_valid(m, text) for m in _ID_NUMBER.finditer(text))
        ):
            return True
        if _BUILDING.search(text):
            return True
    if "@" in text and any(_email_personal(m) for m in _EMAIL.finditer(text)):
        return True
    if "村" in text and ("组" in text or "社" in text) and _VILLAGE.search(text):
        return True
    return ("号" in text or "#" in text) and _ROAD.search(text) is not None


# ---------------------------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------------------------


def _mask_mobile(m: re.Match[str]) -> str:
    return f"{m.group(1)}****{m.group(3)}"


def _mask_landline(m: re.Match[str]) -> str:
    area = m.group(1) or m.group(2) or m.group(5) or m.group(6)
    last = m.group(4) or m.group(8)
    return f"{area}-****{last}"


def _mask_email(m: re.Match[str]) -> str:
    if not _email_personal(m):
        return m.group(0)
    local = m.group(1)
    if _CJK.match(local):
        return f"{local[0]}**@{m.group(2)}"
    return f"{local[0]}***@{m.group(2)}"


def _mask_road(m: re.Match[str]) -> str:
    # The street stays readable (it locates no one); the house number and flat go.
    return f"{m.group(1)}***号"


def _mask_village(m: re.Match[str]) -> str:
    return f"{m.group(1)}***"


def mask_pii(text: str) -> str:
    """Mask phone numbers, ID numbers, e-mail addresses and house-level addresses; never raises.

    The text is otherwise as written, except that invisible characters are dropped. The
    patterns read full-width digits and letters as ASCII and every dash as "-" (so that
    "１３８–１２３４–５６７８" is masked too), but only a masked span is changed: a "——" or a
    full-width letter elsewhere stays as written.

    >>> mask_pii("身份证110101199003071234，住在中山路123号")
    '身份证110***********1234，住在中山路***号'
    >>> mask_pii("家住三河村5组23号，小区5栋2单元302室")
    '家住三河村***，小区***'
    """
    if not isinstance(text, str) or not text:
        return "" if not isinstance(text, str) else text
    # Invisible characters inside a number would hide it from the patterns below.
    written = INVISIBLE.sub("", text)
    read = out = ascii_forms(written)

    def mask_id(m: re.Match[str]) -> str:
        if not _id_valid(m, out):
            return m.group(0)
        region = m.group(1) or m.group(4)
        tail = (m.group(3) or m.group(6))[-4:] if m.group(1) else m.group(6)[-3:]
        return f"{region[:3]}{'*' * 11}{tail}" if m.group(1) else f"{region[:3]}{'*' * 9}{tail}"

    out = _ID_NUMBER.sub(mask_id, out)
    out = _MOBILE.sub(_mask_mobile, out)
    out = _LANDLINE.sub(_mask_landline, out)
    if "@" in out:
        out = _EMAIL.sub(_mask_email, out)
        out = _EMAIL_STUB.sub(lambda m: f"{m.group(1)[0]}***@", out)
    out = _ROAD.sub(_mask_road, out)
    out = _VILLAGE.sub(_mask_village, out)
    out = _BUILDING.sub("***", out)
    if out == read:
        return written
    return _as_written(written, read, out)


def _as_written(written: str, read: str, masked: str) -> str:
    """``masked`` with the text around what was masked taken back from ``written``.

    ``read`` is ``written`` character for character (``ascii_forms`` maps one character to
    one), so the spans that ``masked`` shares with ``read`` are at the same places in
    ``written``. The rest of a masked number or address (its ASCII letters, digits and
    separators next to the stars) stays as the patterns read it: "138****5678".
    """
    from difflib import SequenceMatcher

    ops = SequenceMatcher(None, read, masked, autojunk=False).get_opcodes()
    out: list[str] = []
    for k, (op, i1, i2, j1, j2) in enumerate(ops):
        if op != "equal":
            out.append(masked[j1:j2])
            continue
        start, end = i1, i2
        if k > 0:  # the tail of the masked token before this span
            while start < end and _token_char(read[start]):
                start += 1
        if k + 1 < len(ops):  # the head of the masked token after it
            while end > start and _token_char(read[end - 1]):
                end -= 1
        out.append(read[i1:start] + written[start:end] + read[end:i2])
    return "".join(out)


def _token_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "@.-_+()")
