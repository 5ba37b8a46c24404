"""Shared checks for the draft parser tests (independent of the parser's own invariant code)."""

from __future__ import annotations

import re

from comments.drafts import DraftTree

PAGE_NUMBER = re.compile(r"^\s*[—\-]\s*\d+\s*[—\-]\s*$")
HASH = re.compile(r"^\s*#+\s*")
HTML_COMMENT = re.compile(r"^\s*<!--(?:(?!-->).)*-->\s*$")
WS = re.compile(r"\s+")


def source_chars(text: str) -> str:
    """The input's characters the tree must hold: no whitespace, # marks, page numbers
    or whole-line HTML comments."""
    kept = []
    for line in text.split("\n"):
        if PAGE_NUMBER.match(line) or HTML_COMMENT.match(line):
            continue
        line = HASH.sub("", line)
        kept.append(line)
    return WS.sub("", "\n".join(kept).replace("\ufeff", ""))


def tree_chars(tree: DraftTree) -> str:
    """label + heading + text of every node in document order; tables count their cells."""
    parts = []
    for node in tree.walk():
        if node.kind == "row":
            continue
        if node.kind == "table":
            parts.append(node.heading + "".join("".join(row) for row in node.rows or []))
        else:
            parts.append(node.label + node.heading + node.text)
    return WS.sub("", "".join(parts))


def keys_are_sound(tree: DraftTree) -> bool:
    keys = [n.key for n in tree.walk()]
    return len(keys) == len(set(keys)) and all(k and not WS.search(k) for k in keys)
