"""Which clause a comment that came without one is about, and how sure that is.

In order: an explicit citation (第十二条, 第12条, 第三章第二节, （三）, 第5点), a clause's heading in
quotes, a quoted phrase found in one clause's text; then the similarity of the comment to the
clause texts (character bigrams). Each answer carries a confidence in [0, 1]; below
``CONFIDENT`` the comment waits for a drafter (待确认条款).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from comments.drafts import numeral_value
from comments.drafts.markers import CN

CONFIDENT = 0.6
NUM = rf"(?:{CN}|[0-9０-９]+)"  # the parser's numerals, and full-width digits as people type them
ARTICLE = re.compile(rf"第\s*({NUM})\s*条")
POINT = re.compile(rf"第\s*({NUM})\s*[点项]")
CHAPTER = re.compile(rf"第\s*({NUM})\s*章(?:\s*第\s*({NUM})\s*节)?")
SUBPART = re.compile(r"[（(]\s*([一二三四五六七八九十]+)\s*[)）]")
PART = re.compile(r"(?:^|[^第\w])([一二三四五六七八九十]+)、")
OTHER_LAW = re.compile(r"》\s*$")
QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,60})[”\"」』》]")

WHOLE_DRAFT = frozenset({"全文", "总体", "总体意见", "整体", "全部", "无", "-", "—", "/"})


@dataclass(frozen=True)
class ClauseRef:
    key: str
    kind: str
    label: str
    number: int | None
    heading: str
    text: str
    parent: str | None


@dataclass(frozen=True)
class Inference:
    key: str | None  # None: the whole draft, or nothing found
    confidence: float
    how: str  # citation | heading | quote | similarity | none

    @property
    def confident(self) -> bool:
        return self.key is not None and self.confidence >= CONFIDENT


def _number(raw: str) -> int | None:
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if raw.isdigit():
        return int(raw)
    value = numeral_value(raw)
    return value if isinstance(value, int) and value > 0 else None


def _norm_label(label: str) -> str:
    return label.replace("(", "（").replace(")", "）").strip("、.．— ")


class ClauseIndex:
    """The clauses of one draft, ready for citations and similarity."""

    def __init__(self, clauses: Sequence[ClauseRef]) -> None:
        self.clauses = list(clauses)
        self.by_key = {c.key: c for c in clauses}
        self.numbered: dict[int, list[ClauseRef]] = {}
        for c in clauses:
            if c.number is not None and c.kind in ("article", "clause"):
                self.numbered.setdefault(c.number, []).append(c)
        self.grams = [_grams(f"{c.heading}{c.text}") for c in clauses]
        df: Counter[str] = Counter()
        for g in self.grams:
            df.update(g.keys())
        n = max(1, len(clauses))
        self.idf = {k: math.log((1 + n) / (1 + v)) + 1.0 for k, v in df.items()}
        self.norms = [_norm(g, self.idf) for g in self.grams]

    def _children(self, key: str | None, kind: str | None = None) -> list[ClauseRef]:
        return [c for c in self.clauses if c.parent == key and (kind is None or c.kind == kind)]

    def cite(self, text: str) -> list[str]:
        """Clause keys the text cites explicitly, in the order cited (duplicates dropped)."""
        found: list[tuple[int, str]] = []
        for m in ARTICLE.finditer(text):
            if OTHER_LAW.search(text[max(0, m.start() - 3) : m.start()]):
                continue  # 《民法典》第十二条: an article of another law, not of this draft
            n = _number(m.group(1))
            hits = self.numbered.get(n or -1, [])
            if len(hits) == 1:
                found.append((m.start(), hits[0].key))
        for m in POINT.finditer(text):
            n = _number(m.group(1))
            hits = self.numbered.get(n or -1, [])
            if len(hits) == 1:
                found.append((m.start(), hits[0].key))
        for m in CHAPTER.finditer(text):
            chapters = [
                c for c in self.clauses if c.kind == "chapter" and c.number == _number(m.group(1))
            ]
            if len(chapters) != 1:
                continue
            target = chapters[0]
            if m.group(2):
                sections = [
                    c for c in self._children(target.key) if c.number == _number(m.group(2))
                ]
                target = sections[0] if len(sections) == 1 else target
            found.append((m.start(), target.key))
        parts = {_number(m.group(1)) for m in PART.finditer(text)}
        for m in SUBPART.finditer(text):
            label = f"（{m.group(1)}）"
            hits = [c for c in self.clauses if _norm_label(c.label) == label]
            if len(hits) > 1 and parts:
                hits = [
                    c
                    for c in hits
                    if c.parent in self.by_key and self.by_key[c.parent].number in parts
                ]
            if len(hits) == 1:
                found.append((m.start(), hits[0].key))
        keys: list[str] = []
        for _, key in sorted(found):
            if key not in keys:
                keys.append(key)
        return keys

    def quoted(self, text: str) -> Inference | None:
        for m in QUOTED.finditer(text):
            phrase = m.group(1).strip()
            if len(phrase) < 3:
                continue
            heads = [c for c in self.clauses if c.heading and phrase in c.heading.rstrip("。")]
            if len(heads) == 1:
                return Inference(heads[0].key, 0.9, "heading")
            if len(phrase) >= 4:
                texts = [c for c in self.clauses if phrase in c.text]
                if len(texts) == 1:
                    return Inference(texts[0].key, 0.85, "quote")
        return None

    def similar(self, text: str) -> Inference:
        grams = _grams(text)
        norm = _norm(grams, self.idf)
        if not norm or not self.clauses:
            return Inference(None, 0.0, "none")
        scores = []
        for g, n in zip(self.grams, self.norms, strict=True):
            if not n:
                scores.append(0.0)
                continue
            dot = sum(v * g.get(k, 0) * self.idf.get(k, 1.0) ** 2 for k, v in grams.items())
            scores.append(dot / (norm * n))
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        best = scores[order[0]]
        second = scores[order[1]] if len(order) > 1 else 0.0
        if best <= 0:
            return Inference(None, 0.0, "none")
        confidence = min(0.85, best + 2.0 * (best - second))
        return Inference(self.clauses[order[0]].key, round(confidence, 3), "similarity")

    def knows(self, hint: str) -> bool:
        """Whether a spreadsheet's 条款 cell names a clause of this draft (or the whole draft)."""
        return hint in self.by_key or hint.strip() in WHOLE_DRAFT or bool(self.cite(hint))

    def infer(self, text: str, hint: str = "") -> Inference:
        """The clause of ``text`` (``hint``: a spreadsheet's 条款 cell, read first)."""
        for source in (hint, text):
            if not source:
                continue
            if source == hint and hint in self.by_key:
                return Inference(hint, 1.0, "citation")
            cited = self.cite(source)
            if cited:
                return Inference(cited[0], 0.95 if len(cited) == 1 else 0.7, "citation")
            quoted = self.quoted(source)
            if quoted is not None:
                return quoted
        return self.similar(text)


def _grams(text: str) -> Counter[str]:
    plain = re.sub(r"[^\w]", "", text)
    return Counter(plain[i : i + 2] for i in range(len(plain) - 1))


def _norm(grams: Counter[str], idf: dict[str, float]) -> float:
    return math.sqrt(sum((v * idf.get(k, 1.0)) ** 2 for k, v in grams.items()))
