"""Line level of the draft parser: cleaning lines, PDF debris repair, tables.

Pure functions over strings. The output is a list of blocks (one logical paragraph or one
table each) plus the exact character stream those blocks must account for, which the
invariant check in ``comments.drafts`` compares against the parsed tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from comments.drafts.markers import CLOSERS, TERMINAL, Marker, classify

# Minimum length of a line's body for it to be treated as cut by a page break.
JOIN_MIN_CHARS = 18


@dataclass
class Block:
    kind: str  # "line" or "table"
    marker: Marker | None = None
    text: str = ""  # whole line (plain) or rest after the marker
    rows: list[list[str]] = field(default_factory=list)
    header: bool = False
    caption: str = ""
    # Text appended by page-break repair, joined once at the end (repeated str + str is quadratic).
    more: list[str] = field(default_factory=list)

    def last_piece(self) -> str:
        return self.more[-1] if self.more else self.text


_PAGE_NUMBER = re.compile(
    r"^(?:[—\-–－~～]+[\s\u3000]*\d{1,4}[\s\u3000]*[—\-–－~～]+|第[\s\u3000]*\d{1,4}[\s\u3000]*页(?:[\s\u3000]*[/,，]?[\s\u3000]*共[\s\u3000]*\d{1,4}[\s\u3000]*页)?)$"
)
# A whole line that is one HTML comment ("<!-- INFO END -->"): markup of the .md/.txt file,
# not text of the draft. Dropped like a page number; not part of the no-loss stream.
_HTML_COMMENT = re.compile(r"^<!--(?:(?!-->).)*-->$")
_HASH = re.compile(r"^[\s\u3000]*#{1,6}(?=[^#]|$)[\s\u3000]*")
_PIPE_SEP = re.compile(
    r"^\|?[\s\u3000]*:?-{2,}:?[\s\u3000]*(?:\|[\s\u3000]*:?-{2,}:?[\s\u3000]*)*\|?$"
)
_WS = re.compile(r"[\s\u3000\ufeff]+")


def strip_ws(text: str) -> str:
    return _WS.sub("", text)


def _ends_open(text: str) -> bool:
    """True when ``text`` stops mid-sentence (no terminal punctuation at its end)."""
    t = text.rstrip(" \u3000\t")
    if not t:
        return False
    if t[-1] in "）)】":
        return False  # "…（征求意见稿）", "…(scjxwxxh@163.com)": a complete unit, not a cut
    i = len(t) - 1
    while i > 0 and t[i] in CLOSERS:
        i -= 1
    return t[i] not in TERMINAL and t[-1] not in TERMINAL


def _joinable(block: Block) -> bool:
    if block.kind != "line":
        return False
    m = block.marker
    if m is not None and m.type not in ("article", "yi", "paren", "num", "pnum", "circ", "bullet"):
        return False
    return (bool(block.more) or len(block.text) >= JOIN_MIN_CHARS) and _ends_open(
        block.last_piece()
    )


_PUNCT = set("。，、；：！？,.;:!?）)”")


def _continues(line: str) -> bool:
    """A line can be the rest of a broken sentence: long, or carrying punctuation."""
    return len(line) >= JOIN_MIN_CHARS or any(c in _PUNCT for c in line)


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


@dataclass
class Prepared:
    blocks: list[Block]
    stream: str  # every character the tree must hold, whitespace removed, in order


Item = str | list[list[str]]


def _is_table_line(line: str) -> bool:
    if "\t" in line.strip(" \u3000\r"):
        return len([c for c in line.split("\t")]) >= 2
    s = line.strip()
    return len(s) >= 3 and s.startswith("|") and s.endswith("|")


def _cells(line: str) -> list[str] | None:
    """Cells of a table line; None for a pipe-table separator row."""
    s = line.strip(" \u3000\r")
    if s.startswith("|") and s.endswith("|") and "\t" not in s:
        if _PIPE_SEP.match(s):
            return None
        return [c.strip(" \u3000") for c in s[1:-1].split("|")]
    return [c.strip(" \u3000") for c in line.strip("\r\n").split("\t")]


def _looks_like_header(rows: list[list[str]]) -> bool:
    first = rows[0]
    if len(rows) < 2 or not any(first):
        return False
    for c in first:
        if len(c) > 12 or (c and c[-1] in TERMINAL) or c.replace(".", "").isdigit():
            return False
    return True


def _make_table(rows: list[list[str]], piped: bool) -> tuple[Block, list[list[str]]]:
    """Table block with repeated headers removed; returns the block and the kept rows."""
    header = piped or _looks_like_header(rows)
    kept = [rows[0]]
    repeated = False
    for row in rows[1:]:
        if row == rows[0] and any(row):
            repeated = True
            continue
        kept.append(row)
    header = header or repeated
    return Block("table", rows=kept, header=header), kept


def prepare(items: list[Item]) -> Prepared:
    """Clean lines, group tables, repair page-break debris; return blocks and the stream."""
    blocks: list[Block] = []
    stream: list[str] = []
    pending_table: list[list[str]] = []
    pending_piped = False
    pending_lines: list[str] = []

    def flush_table() -> None:
        nonlocal pending_table, pending_piped, pending_lines
        if not pending_table:
            return
        if len(pending_table) == 1 and not pending_piped:
            # A lone line with a tab is a paragraph, not a table.
            add_line(pending_lines[0].replace("\t", " "))
        elif pending_table:
            block, kept = _make_table(pending_table, pending_piped)
            _attach_caption(blocks, block)
            blocks.append(block)
            for row in kept:
                stream.append("".join(row))
        pending_table = []
        pending_piped = False
        pending_lines = []

    def add_line(line: str) -> None:
        marker = classify(line)
        stream.append(line)
        if marker is None and blocks:
            prev = blocks[-1]
            if _joinable(prev) and _continues(line):
                prev.more.append(_join(prev.last_piece(), line)[len(prev.last_piece()) :])
                return
            if prev.marker is not None and prev.marker.type == "annexlist":
                prev.more.append("\n" + line)
                return
        if marker is not None and marker.type == "num" and blocks:
            prev = blocks[-1]
            if (
                prev.marker is not None
                and prev.marker.type == "annexlist"
                and len(line) <= 40
                and "。" not in line
            ):
                prev.more.append("\n" + line)
                return
        if marker is None:
            blocks.append(Block("line", None, line))
        elif marker.type == "annexlist":
            blocks.append(Block("line", marker, line))
        else:
            blocks.append(Block("line", marker, marker.rest))

    for item in items:
        if isinstance(item, list):
            flush_table()
            rows = [[c.strip() for c in row] for row in item if any(c.strip() for c in row)]
            if rows:
                block, kept = _make_table(rows, False)
                _attach_caption(blocks, block)
                blocks.append(block)
                for row in kept:
                    stream.append("".join(row))
            continue
        raw = item.replace("\r", "").replace("\ufeff", "")
        line = _HASH.sub("", raw) if raw.lstrip(" \u3000").startswith("#") else raw
        if not line.strip(" \u3000\t"):
            continue
        stripped = line.strip(" \u3000\t")
        if _PAGE_NUMBER.match(stripped) or _HTML_COMMENT.match(stripped):
            continue
        if _is_table_line(line):
            cells = _cells(line)
            piped = "\t" not in line.strip(" \u3000\r")
            if pending_table and piped != pending_piped:
                flush_table()
            if cells is None:
                pending_piped = True
                continue
            pending_table.append(cells)
            pending_lines.append(line)
            pending_piped = pending_piped or piped
            continue
        flush_table()
        add_line(stripped)
    flush_table()
    for block in blocks:
        if block.more:
            block.text += "".join(block.more)
            block.more = []
    return Prepared(blocks, strip_ws("".join(stream)))


def _attach_caption(blocks: list[Block], table: Block) -> None:
    """Take a short title line right before a table as its caption."""
    if not blocks:
        return
    prev = blocks[-1]
    if prev.kind != "line" or prev.marker is not None or prev.more:
        return
    if len(prev.text) > 40 or not prev.text or prev.text[-1] in TERMINAL:
        return
    if len(blocks) >= 2:
        before = blocks[-2]
        if (
            before.marker is not None
            and before.marker.type in ("annex", "box")
            and not before.marker.rest
        ):
            return
    table.caption = prev.text
    blocks.pop()
