"""Tree level of the draft parser: blocks → nodes, then keys.

Nesting follows the numbering, never the Markdown marks: 编 > 分编 > 部分 > 章 > 节 > 条 >
一、 > （一） > 1. > （1） > ①. A marker closes every open level at or below its own rank and
opens a child of the deepest level above it, so skipped levels are fine. 专栏 boxes sit between
（一） and 1.; 附件 annexes close everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from comments.drafts.markers import RANK, TERMINAL, Marker
from comments.drafts.model import Node
from comments.drafts.text import Block

BOX_RANK = 7.5
ANNEX_RANK = -1.0
PREAMBLE_RANK = 100.0

_POLICY_KIND = {
    "yi": "part",
    "paren": "section",
    "num": "clause",
    "pnum": "item",
    "circ": "subitem",
}
_LAW_KIND = {"yi": "item", "paren": "item", "num": "subitem", "pnum": "subitem", "circ": "subitem"}
_FIXED_KIND = {
    "book": "book",
    "subbook": "subbook",
    "partx": "part",
    "chapter": "chapter",
    "section": "section",
    "article": "article",
}
_LEAD = re.compile(r"^([^。，,；;：:！？]{2,28}。)(.+)$", re.S)
_BRACKET_HEADING = re.compile(r"^(【[^】]{1,30}】)(.*)$", re.S)


@dataclass
class _Open:
    rank: float
    node: Node
    mtype: str  # marker type that opened it, or "box" / "annex" / "preamble" / "root"


def _split_heading(marker: Marker, in_article: bool = False) -> tuple[str, str]:
    """(heading, text) for the rest of a marker line."""
    rest = marker.rest
    t = marker.type
    if t in ("book", "subbook", "partx", "chapter", "section", "box", "annex"):
        if len(rest) <= 40:
            return rest, ""
        return "", rest
    if t == "article":
        m = _BRACKET_HEADING.match(rest)
        if m:
            return m.group(1), m.group(2).strip(" \u3000")
        return "", rest
    if t == "bullet" or in_article:
        return "", rest
    if "。" not in rest[:-1] and len(rest) <= 30 and not any(c in rest for c in "；;：:"):
        return rest, ""
    m = _LEAD.match(rest)
    if m and m.group(2).strip():
        return m.group(1), m.group(2).strip(" \u3000")
    return "", rest


class _Builder:
    def __init__(self) -> None:
        self.root = Node(key="", kind="root")
        self.stack: list[_Open] = [_Open(-10.0, self.root, "root")]
        self.pending_heading: Node | None = None  # annex or box waiting for its title line
        self.extra_text: dict[int, tuple[Node, list[str]]] = {}

    # -- helpers ---------------------------------------------------------------------------
    @property
    def top(self) -> _Open:
        return self.stack[-1]

    def in_article(self) -> bool:
        return any(o.mtype == "article" for o in self.stack)

    def pop_to(self, rank: float) -> None:
        """Close every open level whose rank is >= ``rank``."""
        while len(self.stack) > 1 and self.stack[-1].rank >= rank:
            self.stack.pop()

    def ensure_open(self) -> None:
        if len(self.stack) == 1:
            pre = Node(key="", kind="preamble")
            self.root.children.append(pre)
            self.stack.append(_Open(PREAMBLE_RANK, pre, "preamble"))

    def add_text(self, node: Node, text: str) -> None:
        # Collected and joined once in finish(): repeated str + str is quadratic.
        entry = self.extra_text.get(id(node))
        if entry is None:
            self.extra_text[id(node)] = (node, [text])
        else:
            entry[1].append(text)

    def finish(self) -> list[Node]:
        for node, parts in self.extra_text.values():
            node.text = "\n".join([node.text, *parts] if node.text else parts)
        self.extra_text.clear()
        return self.root.children

    # -- blocks ----------------------------------------------------------------------------
    def plain(self, text: str) -> None:
        if self.pending_heading is not None:
            node = self.pending_heading
            self.pending_heading = None
            if not node.heading and not node.text and not node.children and len(text) <= 40:
                node.heading = text
                return
        if len(self.stack) == 1:
            self.ensure_open()
        if self.in_article():
            while self.top.mtype != "article":
                self.stack.pop()
            self.top.node.children.append(Node(key="", kind="paragraph", text=text))
            return
        node = self.top.node
        if node.children:
            last = node.children[-1]
            if last.kind == "paragraph" and not last.children:
                self.add_text(last, text)
            else:
                node.children.append(Node(key="", kind="paragraph", text=text))
        else:
            self.add_text(node, text)

    def table(self, block: Block) -> None:
        self.pending_heading = None
        self.ensure_open()
        node = Node(
            key="", kind="table", heading=block.caption, rows=block.rows, header=block.header
        )
        data = block.rows[1:] if block.header else block.rows
        for i, row in enumerate(data, 1):
            node.children.append(Node(key="", kind="row", number=i, text="\t".join(row)))
        self.top.node.children.append(node)

    def marker(self, m: Marker, blocks: list[Block], index: int) -> None:
        self.pending_heading = None
        t = m.type
        if t == "annexlist":
            self.pop_to(ANNEX_RANK + 0.5)
            if self.top.mtype == "annex":
                self.pop_to(ANNEX_RANK)
            node = Node(key="", kind="paragraph", text=blocks[index].text)
            node.key_hint = "附件目录"
            self.root.children.append(node)
            self.stack.append(_Open(PREAMBLE_RANK, node, "annexlist"))
            return
        if t == "annex":
            self.pop_to(ANNEX_RANK)
            heading, text = _split_heading(m)
            node = Node(
                key="", kind="annex", label=m.label, number=m.number, heading=heading, text=text
            )
            self.root.children.append(node)
            self.stack.append(_Open(ANNEX_RANK, node, "annex"))
            if not heading:
                self.pending_heading = node
            return
        if t == "box":
            self.pop_to(BOX_RANK)
            heading, text = _split_heading(m)
            node = Node(
                key="", kind="box", label=m.label, number=m.number, heading=heading, text=text
            )
            self.ensure_open()
            self.top.node.children.append(node)
            self.stack.append(_Open(BOX_RANK, node, "box"))
            if not heading:
                self.pending_heading = node
            return
        if t == "bullet":
            self.ensure_open()
            parent = self.top.node
            parent.children.append(Node(key="", kind="bullet", label=m.label, text=m.rest))
            return
        rank = float(RANK[t])
        if self.top.mtype == "box" or any(o.mtype == "box" for o in self.stack):
            self._leave_box_if_outer(m, rank, blocks, index)
        self.pop_to(rank)
        if t in _FIXED_KIND:
            kind = _FIXED_KIND[t]
        elif self.in_article():
            kind = _LAW_KIND[t]
        else:
            kind = _POLICY_KIND[t]
        heading, text = _split_heading(m, self.in_article())
        node = Node(key="", kind=kind, label=m.label, number=m.number, heading=heading, text=text)
        node.marker = t
        self.top.node.children.append(node)
        self.stack.append(_Open(rank, node, t))

    def _leave_box_if_outer(self, m: Marker, rank: float, blocks: list[Block], index: int) -> None:
        """Inside a 专栏, decide whether a numbered line continues the box or the text around it."""
        box_i = max(i for i, o in enumerate(self.stack) if o.mtype == "box")
        if rank <= BOX_RANK:
            return  # pop_to closes the box anyway
        box = self.stack[box_i].node
        outer = self.stack[box_i - 1].node
        box_next = _next_number(box, m.type)
        outer_next = _next_number(outer, m.type)
        n = m.number
        leave = (n == outer_next and n != box_next) or (
            n == outer_next == box_next and _next_marker_is_box(blocks, index)
        )
        if leave:
            del self.stack[box_i:]


def _next_number(node: Node, mtype: str) -> int:
    for child in reversed(node.children):
        if child.marker == mtype and child.number is not None:
            return child.number + 1
    return 1


def _next_marker_is_box(blocks: list[Block], index: int) -> bool:
    for block in blocks[index + 1 :]:
        if block.kind == "line" and block.marker is not None:
            return block.marker.type == "box"
    return False


def build(blocks: list[Block]) -> list[Node]:
    """Nodes in document order for the prepared blocks (keys not yet assigned)."""
    b = _Builder()
    for i, block in enumerate(blocks):
        if block.kind == "table":
            b.table(block)
        elif block.marker is None:
            b.plain(block.text)
        else:
            if block.marker.type != "annexlist":
                block.marker.rest = block.text  # the text may have grown by page-break repair
            b.marker(block.marker, blocks, i)
    nodes = b.finish()
    for node in nodes:
        _finish_articles(node)
    return nodes


def _finish_articles(node: Node) -> None:
    """Group an article's paragraphs into 款: a paragraph starts a 款, items follow it."""
    for child in node.children:
        _finish_articles(child)
    if node.kind != "article":
        return
    groups: list[tuple[str, list[Node]]] = [(node.text, [])]
    for child in node.children:
        if child.kind == "paragraph" and not child.children:
            groups.append((child.text, []))
        else:
            groups[-1][1].append(child)
    if not groups[0][0] and not groups[0][1] and len(groups) > 1:
        groups.pop(0)
    if len(groups) == 1:
        node.text, node.children = groups[0]
        return
    node.text = ""
    node.children = [
        Node(key="", kind="paragraph", number=i, text=text, children=kids)
        for i, (text, kids) in enumerate(groups, 1)
    ]
    for p in node.children:
        p.key_hint = "款"


# -- keys ------------------------------------------------------------------------------------

_CN_SMALL = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """123 → 一百二十三 (for 第N款 style keys)."""
    if n < 10:
        return _CN_SMALL[n]
    if n < 20:
        return "十" + (_CN_SMALL[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_SMALL[n // 10] + "十" + (_CN_SMALL[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = (
            ""
            if rest == 0
            else (
                "零" + _CN_SMALL[rest]
                if rest < 10
                else ("一" + cn_number(rest) if rest < 20 else cn_number(rest))
            )
        )
        return _CN_SMALL[n // 100] + "百" + tail
    return str(n)


_KEY_WS = re.compile(r"[\s\u3000]+")


def _component(node: Node, counters: dict[str, int]) -> tuple[str, bool]:
    """(key component, absolute?) for a node; counters count same-kind siblings."""
    kind = node.kind
    if node.key_hint == "附件目录":
        return node.key_hint, True
    label = _KEY_WS.sub("", node.label)
    mtype = node.marker
    if kind == "preamble":
        return "前言", True
    if kind == "annex":
        return "附件" + (str(node.number) if node.number is not None else ""), True
    if kind == "box":
        return "专栏" + (str(node.number) if node.number is not None else label[2:]), True
    if kind == "table":
        counters["table"] = counters.get("table", 0) + 1
        return f"表{counters['table']}", False
    if kind == "row":
        return f"行{node.number}", False
    if kind == "bullet":
        counters["bullet"] = counters.get("bullet", 0) + 1
        return f"第{cn_number(counters['bullet'])}点", False
    if kind == "paragraph":
        if node.key_hint == "款":
            return f"第{cn_number(node.number or 0)}款", False
        counters["paragraph"] = counters.get("paragraph", 0) + 1
        return f"第{cn_number(counters['paragraph'])}段", False
    if mtype == "yi":
        return label.rstrip("、．."), False
    if mtype in ("paren", "pnum"):
        return "（" + label[1:-1] + "）", False
    if mtype == "num":
        return label.rstrip(".．、"), False
    return label.rstrip(":："), False


def assign_keys(nodes: list[Node]) -> None:
    """Give every node a unique, whitespace-free key; clashes get ``~2``, ``~3``…"""
    seen: dict[str, int] = {}

    def visit(children: list[Node], prefix: str) -> None:
        counters: dict[str, int] = {}
        for node in children:
            comp, absolute = _component(node, counters)
            key = comp if absolute or not prefix else f"{prefix}/{comp}"
            if key in seen:
                seen[key] += 1
                key = f"{key}~{seen[key]}"
                while key in seen:
                    seen[key.rsplit("~", 1)[0]] += 1
                    key = f"{key.rsplit('~', 1)[0]}~{seen[key.rsplit('~', 1)[0]]}"
            seen[key] = 1
            node.key = key
            visit(node.children, key)

    visit(nodes, "")


__all__ = ["TERMINAL", "assign_keys", "build", "cn_number"]
