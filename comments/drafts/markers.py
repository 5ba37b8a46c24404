"""Markers at the start of a line: 第X条, 一、, （一）, 1., ①, 专栏, 附件… and Chinese numerals."""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN = "[一二三四五六七八九十百千零〇两]+"
NUM = rf"(?:{CN}|\d+)"
TERMINAL = set("。！？；：!?;:…")
CLOSERS = set("”’）)」』》】")


def numeral_value(text: str) -> int:
    """Value of a Chinese or Arabic numeral as used in 条/章 numbers.

    >>> numeral_value("一百二十三")
    123
    """
    s = text.strip()
    if not s:
        raise ValueError("空的数字")
    if s.isdigit():
        return int(s)
    total = 0
    current = 0
    seen_unit = False
    for ch in s:
        if ch in CN_DIGITS:
            current = current * 10 + CN_DIGITS[ch] if not seen_unit and current else CN_DIGITS[ch]
            seen_unit = False
        elif ch in CN_UNITS:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
            seen_unit = True
        else:
            raise ValueError(f"不是中文数字：{text}")
    return total + current


@dataclass
class Marker:
    """A structural marker at the start of a line."""

    type: str  # book subbook partx chapter section article yi paren num pnum circ bullet box annex annexlist
    label: str  # as written, e.g. "第十二条之一", "(一)", "3.", "专栏 5"
    number: int | None
    rest: str  # the line after the marker


RANK = {
    "book": 0,
    "subbook": 1,
    "partx": 2,
    "chapter": 3,
    "section": 4,
    "article": 5,
    "yi": 6,
    "paren": 7,
    "num": 8,
    "pnum": 9,
    "circ": 10,
}

_HEADING_LEVELS = [
    ("subbook", re.compile(rf"^(第({NUM})分编)(?:[\s\u3000]+|$)(.*)$")),
    ("book", re.compile(rf"^(第({NUM})编)(?:[\s\u3000]+|$)(.*)$")),
    ("partx", re.compile(rf"^(第({NUM})部分)(?:[\s\u3000]+|$)(.*)$")),
    ("chapter", re.compile(rf"^(第({NUM})章)(.*)$")),
    ("section", re.compile(rf"^(第({NUM})节)(.*)$")),
]
_ARTICLE = re.compile(rf"^(第({NUM})条(?:之({CN}))?)(.*)$")
_ARTICLE_NOT = (
    "规定",
    "所",
    "的",
    "、",
    "至",
    "和",
    "与",
    "及",
    "或",
    "，",
    ",",
    "第",
    "中",
    "有关",
    "。",
    "；",
    "以",
    "项",
)
_YI = re.compile(rf"^(({CN})[、．])(.*)$")
_PAREN = re.compile(rf"^([（(]({CN})[）)])(.*)$")
_NUM = re.compile(r"^((\d{1,3})(?:[.．](?!\d)|、))(.*)$")
_PNUM = re.compile(r"^([（(](\d{1,3})[）)])(.*)$")
_CIRC = re.compile(r"^([①-⑳㉑-㉟])(.*)$")
_BULLET = re.compile(r"^(--|——|－－|—|–|•|●|■|◆|▲|-(?=[\s\u3000]))(.*)$")
_BOX = re.compile(rf"^(专栏[\s\u3000]*({NUM}))(?![\d])(.*)$")
_ANNEX = re.compile(rf"^(附件[\s\u3000]*({NUM})?[\s\u3000]*([:：])?)(.*)$")
_ANNEX_LIST = re.compile(r"^((?:[-—•·][\s\u3000]*)?附件[\s\u3000]*[:：])[\s\u3000]*(\d+[.．、]|$)")


def _value(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return numeral_value(raw)
    except ValueError:
        return None


def classify(line: str) -> Marker | None:
    """The structural marker at the start of ``line`` (already stripped), or None."""
    if not line:
        return None
    first = line[0]
    if first == "第":
        for kind, rx in _HEADING_LEVELS:
            m = rx.match(line)
            if m:
                rest = m.group(3)
                # "第三章总则" is a heading; "第三节相应修改为…" is text.
                glued = kind in ("chapter", "section") and rest and rest[0] not in " \t\u3000"
                if glued and (len(rest) > 20 or any(c in rest for c in "。，,；")):
                    return None
                return Marker(kind, m.group(1), _value(m.group(2)), rest.strip(" \u3000\t"))
        m = _ARTICLE.match(line)
        if m:
            rest = m.group(4)
            if (
                rest
                and not rest[0].isspace()
                and rest[0] != "\u3000"
                and rest[0] not in "【[（(:："
            ) and rest.startswith(_ARTICLE_NOT):
                return None
            return Marker("article", m.group(1), _value(m.group(2)), rest.strip(" \u3000\t"))
        return None
    if first == "专":
        m = _BOX.match(line)
        if m and len(m.group(3)) <= 60:
            return Marker("box", m.group(1), _value(m.group(2)), m.group(3).strip(" \u3000\t"))
        return None
    if first in "附-—•·":
        m = _ANNEX_LIST.match(line)
        if m:
            return Marker("annexlist", "", None, line)
        if first == "附":
            m = _ANNEX.match(line)
            if m:
                num, colon, rest = m.group(2), m.group(3), m.group(4)
                label = m.group(1)
                gap = label != label.rstrip(" \u3000")
                fits = len(rest) <= 40 and "。" not in rest and (not rest or colon or gap)
                if fits and (num or colon or not rest):
                    return Marker(
                        "annex", label.rstrip(" \u3000"), _value(num), rest.strip(" \u3000\t")
                    )
            return None
    if first in "（(":
        m = _PAREN.match(line)
        if m:
            return Marker("paren", m.group(1), _value(m.group(2)), m.group(3).strip(" \u3000\t"))
        m = _PNUM.match(line)
        if m:
            return Marker("pnum", m.group(1), int(m.group(2)), m.group(3).strip(" \u3000\t"))
        return None
    if first.isdigit():
        m = _NUM.match(line)
        if m:
            return Marker("num", m.group(1), int(m.group(2)), m.group(3).strip(" \u3000\t"))
        return None
    if first in CN_DIGITS or first in CN_UNITS:
        m = _YI.match(line)
        if m and len(m.group(2)) <= 4:
            return Marker("yi", m.group(1), _value(m.group(2)), m.group(3).strip(" \u3000\t"))
        return None
    m = _CIRC.match(line)
    if m:
        return Marker(
            "circ",
            m.group(1),
            ord(m.group(1)) - 0x245F if m.group(1) <= "⑳" else None,
            m.group(2).strip(),
        )
    m = _BULLET.match(line)
    if m and m.group(2).strip(" \u3000\t"):
        return Marker("bullet", m.group(1), None, m.group(2).strip(" \u3000\t"))
    return None
