"""Splitting a message that addresses several clauses into one piece per point.

A piece starts where a line (or a sentence) opens with a citation — "一、关于第三条……",
"第5条：……", "（二）关于第十条，……", "3. 第十二条……". Text before the first such opening
(a greeting) stays with the first piece and text after the last with the last, so the pieces
together hold the whole message: nothing is lost.
"""

from __future__ import annotations

import re

from comments.channels.infer import NUM

OPENING = re.compile(
    rf"(?:(?<=\n)|(?<=^)|(?<=[。；;！!？?]))[ \t　]*"
    rf"(?:(?:[一二三四五六七八九十]+、|\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）])[ \t　]*)?"
    rf"(?:关于|对于|针对)?[ \t　]*第\s*{NUM}\s*[条点项](?:第\s*{NUM}\s*款)?"
    rf"(?=[\s　：:，,、的中（(“\"提规])"
)


def split_points(text: str) -> list[str]:
    """The message cut at each opening citation; one piece when there are fewer than two."""
    starts = [m.start() for m in OPENING.finditer(text)]
    if len(starts) < 2:
        return [text]
    cuts = [0, *starts[1:], len(text)]
    pieces = [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    return [p for p in pieces if p] if "".join(pieces) == text else [text]
