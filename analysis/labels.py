"""Labels a drafter can sign: a short phrase in the members' own words, never glued keywords.

A label is one clause of a central member (salutation, openers like "我觉得" and a leading
connective like "但" or "同时" dropped; trailing particles like "吧" too, but never 的 or 了,
which carry meaning), the clause sharing most words with the other members, cut at a word
boundary. ``quote`` and ``lead``
shorten a member for the representative quote and for a label of last resort.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.text import to_simplified

REMAINDER_LABEL = "其他"
LABEL_CHARS_MAX = 22
LABEL_GOOD_CHARS = 8
LABEL_SAMPLE = 40
LABEL_CHARS = 150
_RUNS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")


def quote(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def lead(text: str, limit: int = 24) -> str:
    """The opening phrase of a text, without a short salutation ("尊敬的领导：")."""
    body = " ".join(text.split())
    head, sep, rest = body.partition("：")
    if sep and len(head) <= 10 and rest:
        body = rest
    phrase = re.split(r"[，。；！？,.;!?]", body, maxsplit=1)[0] or body
    return quote(phrase, limit)


_CLAUSE_END = re.compile(r"[，。；！？,.;!?\n…~～、：:（）()【】\[\]《》<>]+")
_OPENERS = (
    "我觉得",
    "我认为",
    "个人认为",
    "个人觉得",
    "本人认为",
    "我个人认为",
    "说实话",
    "说句实话",
    "我想说",
    "我们认为",
    "我们觉得",
)
# A clause that opens with a connective reads as a fragment ("但要保证病历数据安全").
_CONNECTIVES = ("但是", "可是", "不过", "而且", "并且", "另外", "同时", "所以", "因此", "但")
# Trailing particles that add nothing; 了 and 的 stay ("是对的" is not "是对").
_FILLER_END = "啊呀吧呢嘛哦哈"


def _clauses(text: str) -> list[str]:
    """The clauses of a text, split at punctuation; salutations and greetings dropped."""
    body = " ".join(text.split())
    head, sep, rest = body.partition("：")
    if sep and len(head) <= 10 and rest:
        body = rest
    out = []
    for piece in _CLAUSE_END.split(body):
        piece = piece.strip()
        for opener in _OPENERS:
            if piece.startswith(opener) and len(piece) > len(opener) + 3:
                piece = piece[len(opener) :]
                break
        for word in _CONNECTIVES:  # only a whole word: 但 of 但凡 stays
            if piece.startswith(word) and len(piece) > len(word) + 3:
                if len(word) in _word_ends(piece[:8]):
                    piece = piece[len(word) :]
                break
        piece = piece.rstrip(_FILLER_END) or piece
        if len(_RUNS.findall(piece)) and not re.fullmatch(
            r"(您好|你好|大家好|谢谢|此致|敬礼)", piece
        ):
            out.append(piece)
    return out


def trim(phrase: str, limit: int = LABEL_CHARS_MAX) -> str:
    """``phrase`` cut to ``limit`` characters at a word boundary (never inside a word)."""
    if len(phrase) <= limit:
        return phrase
    cuts = _word_ends(phrase)
    best = max((c for c in cuts if c <= limit), default=0)
    if best >= max(4, limit // 2):
        return phrase[:best]
    # No boundary in reach: end at the last space or the last Latin/CJK script change.
    return phrase[:limit]


def _word_ends(phrase: str) -> list[int]:
    """Positions after each word of ``phrase`` by greedy longest match on the token table."""
    from analysis import vectors

    index = vectors.shipped()
    known = vectors.known_words() if index is not None else frozenset()
    ends: list[int] = []
    i = 0
    while i < len(phrase):
        step = 1
        if "\u4e00" <= phrase[i] <= "\u9fff":
            for size in range(min(vectors.MAX_TOKEN, len(phrase) - i), 1, -1):
                if phrase[i : i + size] in known:
                    step = size
                    break
        else:
            m = re.match(r"[A-Za-z0-9]+|.", phrase[i:])
            step = len(m.group(0)) if m else 1
        i += step
        ends.append(i)
    return ends


def label_of(texts: Sequence[str]) -> str:
    """A short phrase stating the point, taken from the members' own words.

    ``texts`` come most central first. Among the clauses of the first three, the one sharing
    most characters with the other members wins (ties: the earlier one); it is trimmed at a word
    boundary.
    """
    from analysis.duplicates import fold as _fold

    folded_members = [_fold(to_simplified(t[:LABEL_CHARS])) for t in texts[:LABEL_SAMPLE]]
    others = [set(f) for f in folded_members]
    member_bigrams = [{f[i : i + 2] for i in range(len(f) - 1)} for f in folded_members]
    best: tuple[float, int, str] | None = None
    order = 0
    for pos, text in enumerate(texts[:3]):
        rest = [b for j, b in enumerate(member_bigrams) if j != pos]
        for clause in _clauses(text):
            order += 1
            folded = _fold(to_simplified(clause))
            if len(folded) < 2:
                continue
            bigrams = {folded[i : i + 2] for i in range(len(folded) - 1)} or {folded}
            shared = sum(len(bigrams & b) / len(bigrams) for b in rest) / max(1, len(rest))
            chars = sum(1 for ch in set(folded) for o in others if ch in o) / (
                len(set(folded)) * len(others)
            )
            # A clause says the point when it is long enough to state something.
            fit = min(1.0, len(folded) / LABEL_GOOD_CHARS)
            long = 0.01 * max(0, len(folded) - LABEL_CHARS_MAX)
            score = (shared + 0.5 * chars) * fit - long - 0.02 * pos
            if best is None or score > best[0] + 1e-9:
                best = (score, order, clause)
    if best is None:
        return lead(texts[0]) if texts else REMAINDER_LABEL
    return _balanced(trim(best[2]))


def _balanced(label: str) -> str:
    """Cut a label before a quote it opens and does not close (“…“X” is not a phrase)."""
    for left, right in ("“”", "‘’", "「」"):
        if label.count(left) > label.count(right):
            head = label[: label.rfind(left)]
            return head if len(head) >= 4 else label
    return label
