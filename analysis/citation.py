"""How a reader cites a clause: "第5条 优化升级宽带网络", "（七）第1条 加快完善信息网络基础设施",
"第十条第一款", never the internal key ("二/（二）/5").

A clause is named by its own label and heading. A numbered clause ("5.") is called 第5条; when the
same label occurs more than once in the draft (numbering that restarts in each part, 第一款 under
every article) the labels of its ancestors come first, nearest last, until the name is unique. A
dash bullet is named by its place under its parent and its first words, a table row by its table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from analysis.models import ClauseInput, Section

NUMBERED = re.compile(r"^(\d+)\s*[.．、]?$")
# No space after an enumeration mark ("一、总体要求", "（七）第1条"), nor between two 第… labels
# ("第十条第一款"); one after a 第… label before its heading ("第一章 总则").
_TIGHT_AFTER = ("、", "）", ")", "】", "．", ".", "：", ":")
_ORDINAL = re.compile(r"第[^第]{1,9}[编章节条款项目行]$")
_HEADING_END = "。．.：:；;，, \u3000"
_ROW = re.compile(r"^行(\d+)$")
_LAW_ITEM = re.compile(r"^（[一二三四五六七八九十]+）$")
LEAD_CHARS = 14


def join(left: str, right: str, gap: str = " ") -> str:
    """Left then right, with ``gap`` between them unless ``left`` ends in an enumeration mark."""
    if not left or not right:
        return left or right
    tight = left.endswith(_TIGHT_AFTER) or right.startswith("【")
    return f"{left}{'' if tight else gap}{right}"


def _qualify(outer: str, inner: str) -> str:
    """An ancestor's label before a clause's: "（七）第1条", "第十条第一款（一）", "专栏2 第3条"."""
    return f"{outer}{inner}" if _ORDINAL.search(outer) else join(outer, inner)


def _label(section: Section | ClauseInput) -> str:
    """The section's own label as a reader writes it: 第5条, （二）, 专栏10; '' when it has none."""
    label = "".join(section.label.split()).replace("(", "（").replace(")", "）")
    number = NUMBERED.match(label)
    if section.kind == "item" and _LAW_ITEM.match(label):
        return f"第{label}项"  # 第十条第一款第（一）项, as a law is cited
    if section.kind == "subitem" and number:
        return f"第{number.group(1)}目"
    if number:
        return f"第{number.group(1)}条"
    if label.strip("-—－–·•") == "":  # a dash bullet's mark is no label
        label = ""
    if not label and (section.kind == "table" or not section.heading.strip()):
        tail = section.key.rsplit("/", 1)[-1]
        row = _ROW.match(tail)
        label = f"第{row.group(1)}行" if row else tail
    return label


def _heading(section: Section | ClauseInput) -> str:
    return " ".join(section.heading.split()).strip(_HEADING_END)


def _lead(text: str) -> str:
    """The first words of a bullet: up to its first full stop, at most ``LEAD_CHARS``."""
    first = re.split(r"[。；;！!？?]", " ".join(text.split()), maxsplit=1)[0].strip('“”"')
    return first if len(first) <= LEAD_CHARS else first[:LEAD_CHARS] + "…"


def clause_names(sections: Sequence[Section | ClauseInput], gap: str = " ") -> dict[str, str]:
    """Section key → the name a reader cites it by, for every section of a digest (or every
    clause of a draft, in document order: pages without a digest name clauses the same way).

    ``gap`` goes between a label and its heading ("第5条 优化升级宽带网络"); ``digest.md`` uses an
    ideographic space. Buckets (总体意见, 未知条款) keep their own words.

    >>> from analysis import Section, Tally
    >>> def s(key, kind, label, heading="", parent=None):
    ...     return Section(key, kind, label, heading, "", parent, 0, Tally(), Tally(), (), (), (), {})
    >>> names = clause_names([s("二", "part", "二、", "增强能力"),
    ...     s("二/（二）/5", "clause", "5.", "优化升级宽带网络。", "二")])
    >>> names["二/（二）/5"], names["二"]
    ('第5条 优化升级宽带网络', '二、增强能力')
    """
    by_key: Mapping[str, Section | ClauseInput] = {s.key: s for s in sections}
    own = {s.key: _label(s) for s in sections}
    refs = _refs([s for s in sections if s.kind not in ("bucket", "bullet")], by_key, own)
    names: dict[str, str] = {}
    for s in sections:
        if s.kind == "bucket":
            names[s.key] = s.label
        elif s.kind == "row" and s.parent in by_key:
            names[s.key] = join(_name_of(by_key[s.parent], refs, gap), own[s.key], gap)
        elif s.kind == "bullet" and s.parent in by_key:
            place = s.key.rsplit("/", 1)[-1]
            text = s.excerpt if isinstance(s, Section) else s.text
            lead = f"：{_lead(text)}" if text else ""
            names[s.key] = join(_name_of(by_key[s.parent], refs, gap), place, gap) + lead
        else:
            names[s.key] = _name_of(s, refs, gap)
    return names


def _name_of(section: Section | ClauseInput, refs: Mapping[str, str], gap: str) -> str:
    name = join(refs.get(section.key, ""), _heading(section), gap)
    return name or section.key.rsplit("/", 1)[-1]


def _refs(
    clauses: Sequence[Section | ClauseInput],
    by_key: Mapping[str, Section | ClauseInput],
    own: Mapping[str, str],
) -> dict[str, str]:
    """The label each clause is cited by, with its ancestors' where its own says too little."""

    def labelled_parent(section: Section | ClauseInput) -> Section | ClauseInput | None:
        seen, parent = {section.key}, section.parent
        while parent in by_key and parent not in seen:
            if own[parent]:
                return by_key[parent]
            seen.add(parent)
            parent = by_key[parent].parent
        return None

    numbered = {s.key for s in clauses if NUMBERED.match("".join(s.label.split()))}
    labels = Counter(own[s.key] for s in clauses)
    pairs = Counter((own[s.key], _heading(s)) for s in clauses)
    # Numbering that restarts under a parent ("（七）1. 2. 3.") is cited with the parent's label
    # for every clause of that parent, not only for the numbers seen twice.
    restarts = {s.parent for s in clauses if s.key in numbered and labels[own[s.key]] > 1}
    refs: dict[str, str] = {}
    for s in clauses:  # in document order: a parent's name is ready before its children's
        label, heading = own[s.key], _heading(s)
        parent = labelled_parent(s)
        # Never a bare "（一）" or "第二款": an item or a paragraph is cited under its article.
        bare = not heading and (not _ORDINAL.match(label) or label.endswith(("款", "项", "目")))
        # A heading tells "（一）指导思想" from the other （一）; it does not make 第1条 the first.
        ambiguous = labels[label] > 1 and (
            s.key in numbered or not heading or pairs[(label, heading)] > 1
        )
        restart = s.key in numbered and s.parent in restarts
        if parent is not None and (bare or ambiguous or restart):
            refs[s.key] = _qualify(refs.get(parent.key, own[parent.key]), label)
        else:
            refs[s.key] = label
    # Still two of a kind ("（一）第1条" in two parts that both restart): name the grandparent too.
    twice = Counter(refs.values())
    for s in clauses:
        parent = labelled_parent(s)
        grand = labelled_parent(parent) if parent is not None else None
        if parent is None or grand is None or refs[s.key] == own[s.key]:
            continue
        if twice[refs[s.key]] > 1:
            outer = _qualify(refs.get(grand.key, own[grand.key]), own[parent.key])
            refs[s.key] = _qualify(outer, own[s.key])
    return refs
