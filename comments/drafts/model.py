"""The parsed draft as plain dataclasses (re-exported by ``comments.drafts``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date


class DraftParseError(ValueError):
    """The input cannot be read as a draft; the message names the file and the reason."""


@dataclass
class Node:
    key: str
    kind: str
    label: str = ""
    number: int | None = None
    heading: str = ""
    text: str = ""
    children: list[Node] = field(default_factory=list)
    # Only for kind == "table": rows of cells (the header row first when there is one).
    rows: list[list[str]] | None = None
    # Only for kind == "table": whether rows[0] is a header row.
    header: bool = False
    # Parser bookkeeping, not serialised: the marker type that opened the node
    # ("yi", "paren", "num", ...) and a key override ("附件目录", "款").
    marker: str = field(default="", repr=False, compare=False)
    key_hint: str = field(default="", repr=False, compare=False)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "number": self.number,
            "heading": self.heading,
            "text": self.text,
            "children": [c.to_dict() for c in self.children],
        }
        if self.rows is not None:
            d["rows"] = self.rows
            d["header"] = self.header
        return d


@dataclass
class DraftTree:
    title: str = ""
    issuer: str = ""
    deadline: date | None = None
    contact: str = ""
    nodes: list[Node] = field(default_factory=list)
    # The decoded text the tree was parsed from, kept with an import as its record ("" for a
    # .docx, whose record is the tree itself). Not part of ``to_dict()``.
    source: str = field(default="", repr=False, compare=False)

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "issuer": self.issuer,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "contact": self.contact,
            "nodes": [n.to_dict() for n in self.nodes],
        }
