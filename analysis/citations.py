"""How a reader cites a clause and a draft: "第五条 优化升级宽带网络", 《…（征求意见稿）》.

The digest names clauses by internal keys (``二/（二）/5``); a published report names them as a
reader would. An article, chapter or part whose label is unique in the draft stands alone
("第一条", "一、", a continuously numbered "5." as "第五条"); a place under a parent ("（二）",
"第一节", "第二款", a law's "（一）" as "第（一）项", a bullet's "第一点") follows its parent's citation
("二、（二）", "第二章第一节", "第二条第二款"). The heading follows, without its full stop.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from analysis.models import GENERAL_KEY, UNKNOWN_KEY, Section

DIGITS = "零一二三四五六七八九"
_NUMBERED = re.compile(r"^(\d{1,3})[.．、]?$")
_PARENS = str.maketrans({"(": "（", ")": "）"})
_DASHES = ("--", "——", "－－", "—")
_TIGHT_AFTER = ("、", "）", "】", "：")
_HEADING_END = "。．.；;：:，,、 \u3000"
_DRAFT_MARK = "（征求意见稿）"
# Kinds whose label can name a clause alone when it is unique in the draft ("第十条", "第一章",
# "一、", "附件1"); the others are places under their parent and always follow its citation.
_STANDALONE_KINDS = frozenset(
    {"article", "chapter", "book", "subbook", "part", "preamble", "annex", "box"}
)
_LAW_ITEM = re.compile(r"^（[一二三四五六七八九十]+）$")
BUCKET_TITLES = {GENERAL_KEY: "总体意见", UNKNOWN_KEY: "未对应到具体条款的意见"}


def chinese_number(n: int) -> str:
    """1 → 一, 15 → 十五, 31 → 三十一, 105 → 一百零五 (up to 999; larger stay in digits)."""
    if n < 0 or n > 999:
        return str(n)
    if n < 10:
        return DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    head = DIGITS[hundreds] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + DIGITS[rest]
    tens, ones = divmod(rest, 10)
    return head + DIGITS[tens] + "十" + (DIGITS[ones] if ones else "")


def draft_citation(draft_title: str) -> str:
    """The draft as a title is cited: 《关于…的实施意见（征求意见稿）》.

    Without an outer 《》 of its own (inner ones become 〈〉, as they must inside a title), marked
    as the 征求意见稿 once.

    >>> draft_citation("关于加快推进信息化发展的实施意见")
    '《关于加快推进信息化发展的实施意见（征求意见稿）》'
    >>> draft_citation("《信息化实施意见》(征求意见稿)")
    '《信息化实施意见（征求意见稿）》'
    """
    title = " ".join(draft_title.split()).translate(_PARENS)
    if title.endswith(_DRAFT_MARK):
        title = title[: -len(_DRAFT_MARK)].rstrip()
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1].strip()
    title = title.replace("《", "〈").replace("》", "〉")
    if "征求意见稿" not in title:
        title += _DRAFT_MARK
    return f"《{title}》" if title != _DRAFT_MARK else "《征求意见稿》"


def feedback_title(draft_title: str) -> str:
    """The report's title, never with a doubled 关于: 《关于…（征求意见稿）》意见采纳情况说明."""
    return f"{draft_citation(draft_title)}意见采纳情况说明"


def _clean_heading(heading: str) -> str:
    return " ".join(heading.split()).strip(_HEADING_END)


def _lead_words(text: str, limit: int = 16) -> str:
    """A bullet's opening phrase ("统筹推进。统筹发挥……" → "统筹推进"), if it is short."""
    first = re.split(r"[。；;：:，,！？]", text.strip(), maxsplit=1)[0].strip()
    return first if 0 < len(first) <= limit else ""


class Citations:
    """Citations of every section of one digest, computed once."""

    def __init__(self, sections: Sequence[Section]) -> None:
        self.sections = {s.key: s for s in sections}
        self._own = {s.key: self._own_label(s) for s in sections if s.kind != "bucket"}
        self._counts = Counter(self._own.values())
        numbers = [
            int(m.group(1))
            for s in sections
            if s.kind == "clause" and (m := _NUMBERED.match(s.label.strip()))
        ]
        self._numbers = Counter(numbers)
        self._refs: dict[str, str] = {}

    @staticmethod
    def _own_label(section: Section) -> str:
        label = "".join(section.label.split()).translate(_PARENS)  # "附件 1" → "附件1"
        if section.kind == "bullet" or not label or label in _DASHES:
            return section.key.rsplit("/", 1)[-1]
        if section.kind == "item" and _LAW_ITEM.match(label):
            return f"第{label}项"  # 第十条第一款第（一）项
        if section.kind == "subitem" and (m := _NUMBERED.match(label)):
            return f"第{m.group(1)}目"  # 第三条第一款第（二）项第2目
        return label

    def _standalone(self, section: Section) -> str | None:
        """The section's label, when it names the section alone in this draft."""
        own = self._own[section.key]
        m = _NUMBERED.match(own)
        if section.kind == "clause" and m:
            number = int(m.group(1))
            name = f"第{chinese_number(number)}条"
            if self._numbers[number] == 1 and name not in self._counts:
                return name
            return None
        if section.kind not in _STANDALONE_KINDS or not section.label.strip():
            return None  # "（二）", "第一节", "第二款", "第一点": a place under the parent
        return own if self._counts[own] == 1 else None

    def ref(self, key: str) -> str:
        """The section's reference without its heading: "第五条", "二、（二）", "第二条第二款"."""
        if key in self._refs:
            return self._refs[key]
        section = self.sections.get(key)
        if section is None or section.kind == "bucket":
            return BUCKET_TITLES.get(key, key)
        self._refs[key] = self._own[key]  # a parent cycle ends here
        alone = self._standalone(section)
        if alone is None:
            parent = section.parent if section.parent in self._own else None
            prefix = self.ref(parent) if parent and parent != key else ""
            own = self._own[key]
            gap = " " if prefix[-1:].isdigit() and own[:1].isdigit() else ""  # 专栏1 1.
            alone = prefix + gap + own
        self._refs[key] = alone
        return alone

    def cite(self, key: str) -> str:
        """The full citation: the reference and the heading, "第五条 优化升级宽带网络"."""
        section = self.sections.get(key)
        ref = self.ref(key)
        if section is None or section.kind == "bucket":
            return ref
        heading = _clean_heading(section.heading)
        if not heading and section.kind == "bullet":
            heading = _lead_words(section.excerpt)
        if not heading:
            return ref
        gap = "" if ref.endswith(_TIGHT_AFTER) or heading.startswith("【") else " "
        return f"{ref}{gap}{heading}"


def citations(sections: Sequence[Section]) -> dict[str, str]:
    """Section key → its citation, for every section of a digest."""
    cited = Citations(sections)
    return {s.key: cited.cite(s.key) for s in sections}
