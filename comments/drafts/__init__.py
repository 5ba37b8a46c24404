"""Draft text → DraftTree. Pure: no database, no web.

CONTRACT (kept stable; the parser implementation fills it in):

    parse_text(text: str, *, name: str = "<text>") -> DraftTree
    parse_file(path: str | Path) -> DraftTree        # .txt/.md/.docx, UTF-8/BOM/GB18030
    parse_bytes(data: bytes, *, filename: str) -> DraftTree
    DraftTree.source                                  # the decoded text ("" for a .docx)
    DraftTree.to_dict() -> {"title", "issuer", "deadline", "contact", "nodes": [...]}
    DraftTree.walk() -> Iterator[Node]                # document order, depth first
    DraftParseError(ValueError)                       # clear message naming the file

All three parse functions take ``max_bytes`` (default 10 MB). How the parser works — levels,
keys, the no-loss invariant, page-break repair — is described in docs/parsing.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from comments.drafts.build import assign_keys, build
from comments.drafts.markers import numeral_value
from comments.drafts.model import DraftParseError, DraftTree, Node
from comments.drafts.notice import extract
from comments.drafts.read import (
    DEFAULT_MAX_BYTES,
    check_archive,
    check_size,
    decode,
    looks_binary,
    read_docx,
)
from comments.drafts.text import Item, prepare, strip_ws

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DraftParseError",
    "DraftTree",
    "Node",
    "check_archive",
    "decode",
    "iter_clauses",
    "looks_binary",
    "node_chars",
    "numeral_value",
    "parse_bytes",
    "parse_file",
    "parse_text",
]


def parse_text(text: str, *, name: str = "<text>", max_bytes: int = DEFAULT_MAX_BYTES) -> DraftTree:
    """Parse a draft given as text.

    >>> tree = parse_text("第一章 总则\\n第一条 为了规范管理，制定本办法。")
    >>> [n.key for n in tree.walk()]
    ['前言', '第一章', '第一章/第一条']
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), name, max_bytes)
    return _parse_items(text.split("\n"), name, source=text)


def _is_docx(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(".docx") or data.startswith(b"PK\x03\x04")


def parse_bytes(data: bytes, *, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> DraftTree:
    """Parse a draft file's bytes; ``filename`` picks .docx reading and names the file in errors."""
    check_size(len(data), filename, max_bytes)
    if _is_docx(data, filename):
        return _parse_items(read_docx(data, filename, max_bytes=max_bytes), filename, source="")
    text = decode(data, filename)
    return _parse_items(text.split("\n"), filename, source=text)


def parse_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> DraftTree:
    """Parse a .txt, .md or .docx draft; the size is checked before the file is read."""
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError as exc:
        raise DraftParseError(f"{name}：找不到文件") from exc
    except OSError as exc:
        raise DraftParseError(f"{name}：无法读取文件（{exc.strerror}）") from exc
    if p.is_dir():
        raise DraftParseError(f"{name}：是目录，不是文件")
    check_size(size, name, max_bytes)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DraftParseError(f"{name}：无法读取文件（{exc.strerror}）") from exc
    return parse_bytes(data, filename=name, max_bytes=max_bytes)


def iter_clauses(tree: DraftTree) -> Iterator[Node]:
    """Every node a comment can point at, in document order (same as ``tree.walk()``)."""
    return tree.walk()


def node_chars(node: Node) -> str:
    """The characters a node accounts for in the no-loss invariant (whitespace removed).

    Table nodes count their rows' cells; row nodes mirror those cells and count nothing.
    """
    if node.kind == "row":
        return ""
    if node.kind == "table":
        return strip_ws(node.label + node.heading + "".join("".join(r) for r in node.rows or []))
    return strip_ws(node.label + node.heading + node.text)


def _parse_items(items: list[Item], name: str, *, source: str) -> DraftTree:
    prepared = prepare(items)
    if not prepared.stream:
        raise DraftParseError(f"{name}：文件没有任何文字内容")
    nodes = build(prepared.blocks)
    assign_keys(nodes)
    _verify(nodes, prepared.stream, name)
    preamble = nodes[0].text if nodes and nodes[0].kind == "preamble" else ""
    full = "\n".join(n.heading + n.text for node in nodes for n in node.walk())
    notice = extract(preamble, full)
    return DraftTree(
        title=notice.title,
        issuer=notice.issuer,
        deadline=notice.deadline,
        contact=notice.contact,
        nodes=nodes,
        source=source,
    )


def _verify(nodes: list[Node], expected: str, name: str) -> None:
    """Raise instead of returning a tree that lost or reordered any character."""
    got = "".join(node_chars(n) for top in nodes for n in top.walk())
    if got == expected:
        return
    i = next(
        (k for k, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
        min(len(got), len(expected)),
    )
    raise DraftParseError(
        f"{name}：解析结果与原文不一致（第 {i} 个字符附近：原文“{expected[max(0, i - 10) : i + 10]}”），"
        "为避免丢失文字已停止解析"
    )
