"""The clause map on the digest overview: one cell per clause, in document order, grouped under
the draft's top-level parts, coloured by one thing only.

That one thing is where a clause's comments lean between support and opposition: (反对 − 支持) ÷
comments, on a diverging scale with a neutral middle, in five steps. A clause whose comments are
mostly suggestions or questions sits in the middle, as it should. A clause with fewer than
``MIN_COMMENTS`` comments has no lean worth showing and is drawn as such (hatched), a clause
without comments as an empty cell: a 2-comment clause never looks contested. Volume is what the
ranking table below shows. Each cell is a link named for screen readers, hover and keyboard focus
("第5条 优化升级宽带网络：26 条意见，支持 8%，反对 71%").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis import Section, Tally

MIN_COMMENTS = 3
# (css class, legend) from support to opposition; the thresholds are on (oppose − support) / n.
SCALE = (
    ("lean-support-2", "支持明显多于反对"),
    ("lean-support-1", "支持多于反对"),
    ("lean-even", "支持与反对相当，或以建议、疑问为主"),
    ("lean-oppose-1", "反对多于支持"),
    ("lean-oppose-2", "反对明显多于支持"),
)
FEW = ("few", f"意见不足 {MIN_COMMENTS} 条，不着色")
SILENT = ("silent", "未收到意见")
LEGEND = (*SCALE, FEW, SILENT)
STRONG, LEAN = 0.5, 0.2
CONTAINERS = ("part", "book", "subbook", "chapter", "section", "box", "annex")

_DIGITS = re.compile(r"^[（(]?(\d+)[.．、）)]?$")
_ORDINAL = re.compile(r"^第[零〇一二三四五六七八九十百千两]+[条章节编款项目]$")


def tone(tally: Tally) -> str:
    """The css class of a clause's cell: its lean, or ``few`` / ``silent``."""
    n = tally.comments
    if n == 0:
        return SILENT[0]
    if n < MIN_COMMENTS:
        return FEW[0]
    lean = (tally.stance.get("oppose", 0) - tally.stance.get("support", 0)) / n
    if lean <= -STRONG:
        return SCALE[0][0]
    if lean <= -LEAN:
        return SCALE[1][0]
    if lean < LEAN:
        return SCALE[2][0]
    return SCALE[3][0] if lean < STRONG else SCALE[4][0]


def mark(section: Section) -> str:
    """What a cell shows: words of its accessible name, whole (a voice user says what they see,
    and "十二" is no word of "第十二条"): the number of a numbered clause ("5" of 第5条), a
    第…条 or 第…款 in full, the label ("(二)", "专栏2"), a bullet, or a character."""
    label = "".join(section.label.split())
    if section.kind == "bullet":
        return "•"
    digits = _DIGITS.match(label)
    if digits:
        return digits.group(1)
    if _ORDINAL.match(label):
        return label
    tail = section.key.rsplit("/", 1)[-1]
    if _ORDINAL.match(tail):  # 第一款: a place, not a label
        return tail
    if label:  # "(二)" in half-width brackets, "专栏1", "一、": not taken for a numbered clause
        return label.replace("（", "(").replace("）", ")")
    if section.kind == "table":
        return "表"
    return (section.heading.strip() or section.key.rsplit("/", 1)[-1])[:1]


@dataclass(frozen=True)
class Cell:
    key: str
    name: str
    mark: str
    tone: str
    tally: Tally
    opens: bool = False  # a part, section or box: its cell starts a run of its clauses

    @property
    def label(self) -> str:
        """The cell's accessible name, also shown under the map on hover and focus."""
        t = self.tally
        if t.comments == 0:
            return f"{self.name}：未收到意见"
        support, oppose = t.stance.get("support", 0), t.stance.get("oppose", 0)
        if t.comments < MIN_COMMENTS:
            return f"{self.name}：{t.comments} 条意见（支持 {support} 条，反对 {oppose} 条）"
        pct = [round(100 * k / t.comments) for k in (support, oppose)]
        return f"{self.name}：{t.comments} 条意见，支持 {pct[0]}%，反对 {pct[1]}%"


@dataclass(frozen=True)
class Group:
    name: str  # "" for clauses outside any part (前言, articles of a draft without chapters)
    cells: tuple[Cell, ...]


def clause_map(sections: Sequence[Section], names: Mapping[str, str]) -> list[Group]:
    """The cells of the map, grouped under the draft's top-level parts in document order.

    A table is one cell with its rows' comments. A top-level part is the heading of its group,
    and a cell only when it has words of its own or comments filed on it; the sections and boxes
    inside it always have a cell, which opens the run of their clauses.
    """
    by_key = {s.key: s for s in sections if s.kind != "bucket"}
    parents = {s.parent for s in by_key.values() if s.parent in by_key}

    def top(section: Section) -> Section:
        seen = {section.key}
        while section.parent in by_key and section.parent not in seen:
            seen.add(section.parent)
            section = by_key[section.parent]
        return section

    groups: list[tuple[str, list[Cell]]] = []
    for s in by_key.values():
        if s.kind == "row":
            continue
        tally = s.rollup if s.kind == "table" else s.tally
        container = s.kind in CONTAINERS or (s.key in parents and not s.excerpt)
        head = top(s)
        if container and head is s and not s.excerpt and not s.tally.comments:
            continue
        name = names.get(head.key, "") if head.key in parents else ""
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        opens = container and head is not s
        cell = Cell(s.key, names.get(s.key, s.key), mark(s), tone(tally), tally, opens)
        groups[-1][1].append(cell)
    return [Group(name, tuple(cells)) for name, cells in groups]
